using Klp.Check.Model;

namespace Klp.Check.Explore;

/// <summary>What a page asks for, as its URL carries it (docs/explore.md): catalog id, readings, mode, trace; each null or empty when not given.</summary>
/// <param name="Catalog">The parameter <c>c</c>: a catalog id.</param>
/// <param name="Readings">The parameters <c>r</c>: readings, in column order.</param>
/// <param name="Mode">The parameter <c>m</c>: <c>atomic</c> or <c>two-phase</c>.</param>
/// <param name="Trace">The parameter <c>t</c>: the operations (<see cref="UrlTrace"/>).</param>
public sealed record ExploreRequest(string? Catalog, IReadOnlyList<string> Readings, string? Mode, string? Trace);

/// <summary>A request resolved against what the explorer serves: every name found, the trace parsed.</summary>
/// <param name="Catalog">The catalog.</param>
/// <param name="Columns">The readings, each with the catalog file's options and the mode, as <c>replay</c> applies them.</param>
/// <param name="Catalogs">Per column, the catalog it steps on, with any <c>add_sets</c> value the trace passes that the catalog lacks.</param>
/// <param name="Mode">Atomic or two-phase.</param>
/// <param name="Ops">The trace.</param>
public sealed record ExploreQuery(ExploreCatalog Catalog, IReadOnlyList<Reading> Columns, IReadOnlyList<Catalog> Catalogs, Granularity Mode, IReadOnlyList<Operation> Ops)
{
    /// <summary>The trace as the URL carries it, in the canonical spelling.</summary>
    public string Trace => UrlTrace.Format(Catalogs[0], Ops);

    /// <summary>Resolves a request; null with a message for the page on bad input (an unknown catalog, reading or patch, a malformed trace).</summary>
    public static ExploreQuery? Resolve(ExploreSetup setup, ExploreRequest request, out string? error)
    {
        var catalog = request.Catalog is null or "" ? setup.Default : setup.Find(request.Catalog);
        if (catalog is null)
        {
            error = $"unknown catalog '{request.Catalog}' (known: {string.Join(", ", setup.Catalogs.Select(c => c.Id))})";
            return null;
        }
        var requested = new List<Reading>();
        foreach (var text in request.Readings)
        {
            var r = setup.Reading(text, out error);
            if (r is null) return null;
            if (requested.Any(x => x == r))
            {
                error = $"reading '{text}' is named twice";
                return null;
            }
            requested.Add(r);
        }
        if (requested.Count == 0) requested.AddRange(setup.Given);
        if (requested.Count > ExploreSetup.MaxColumns)
        {
            error = $"{requested.Count} readings are more than the {ExploreSetup.MaxColumns} shown side by side";
            return null;
        }
        Granularity mode;
        switch (request.Mode)
        {
            case null or "": mode = setup.Mode ?? catalog.FileMode ?? Granularity.Atomic; break;
            case "atomic": mode = Granularity.Atomic; break;
            case "two-phase": mode = Granularity.TwoPhase; break;
            default:
                error = $"unknown mode '{request.Mode}' (known: atomic, two-phase)";
                return null;
        }
        var columns = catalog.Columns(requested, mode);
        var ops = UrlTrace.Parse(request.Trace, catalog.Any, out var extra, out error);
        if (ops is null) return null;
        var catalogs = new Catalog[columns.Count];
        var extended = new Dictionary<Catalog, Catalog>(ReferenceEqualityComparer.Instance);
        for (var k = 0; k < columns.Count; k++)
        {
            var c = catalog.CatalogFor(columns[k]);
            if (extra.Count > 0 && !extended.ContainsKey(c))
            {
                try
                {
                    extended[c] = new Catalog(c.Patches, [.. c.AddSetsVariants.Skip(1), .. extra]);
                }
                catch (CatalogException e)
                {
                    error = $"the trace's add_sets values do not fit the catalog: {e.Message}";
                    return null;
                }
            }
            catalogs[k] = extra.Count > 0 ? extended[c] : c;
        }
        error = null;
        return new ExploreQuery(catalog, columns, catalogs, mode, ops);
    }
}
