using System.Collections.Immutable;
using Klp.Check.Engine;
using Klp.Check.Model;
using Klp.Check.Scenarios;
using Klp.Check.Verdicts;

namespace Klp.Check.Benchmarks;

/// <summary>The fixed catalogs the exploration benchmarks run on.</summary>
public static class BenchmarkCatalogs
{
    /// <summary>The folder holding Klp.Check.sln, found by walking up from the running assembly.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "Klp.Check.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Klp.Check.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The catalog of Joe's and Petr's timeline: eight patches over sets 1 to 3.</summary>
    /// <remarks>scenarios/thread/petr-timeline-tuesday-set3.klp.</remarks>
    public static Catalog Timeline() =>
        File("scenarios/thread/petr-timeline-tuesday-set3.klp");

    /// <summary>Vendor hotfixes that never replace or conflict: each its own set and function, so every reading has the same graph.</summary>
    /// <remarks>Every ordered subset is a list, times the loaded modules left over: 297,856 states for 8 patches.</remarks>
    public static Catalog Stacking(int patches)
    {
        var list = new List<Patch>();
        for (var i = 0; i < patches; i++)
            list.Add(Vendor($"hot{i + 1}", PatchKind.Hotfix, i, (uint)i + 1, $"f{i + 1}"));
        return new Catalog(list);
    }

    /// <summary>Cumulative lines in several sets: patch i is the next release of set i mod <paramref name="sets"/> + 1, with that set's function.</summary>
    /// <remarks>Upstream sees only set 1's releases as <c>replace = true</c>, so the others stack there.</remarks>
    public static Catalog Sets(int patches, int sets)
    {
        var list = new List<Patch>();
        for (var i = 0; i < patches; i++)
        {
            var set = (uint)(i % sets) + 1;
            list.Add(Vendor($"s{set}r{i / sets + 1}", set == 1 ? PatchKind.Cumulative : PatchKind.Hotfix, i, set, $"f{set}"));
        }
        return new Catalog(list);
    }

    /// <summary>A catalog file of the repository, e.g. <c>Benchmarks/catalogs/positional-12.klp</c>.</summary>
    public static Catalog File(string relative) => ScenarioParser.ParseFile(Path.Combine(Root, relative)).Catalog;

    /// <summary>Explores a catalog and returns its distinct states, handing the graph back to the explorer as <see cref="Verifier"/> does.</summary>
    public static int ExploredStates(this Explorer explorer, Catalog catalog, Reading reading, ExploreLimits limits = default)
    {
        var g = explorer.Explore(catalog, reading, limits);
        var states = g.States.Count;
        explorer.Recycle(g);
        return states;
    }

    private static Patch Vendor(string name, PatchKind kind, int release, uint set, string function) =>
        new(name, Origin.Vendor, kind, release, [new FunctionId(FunctionId.Vmlinux, function, 0)], [],
            kind == PatchKind.Cumulative, ImmutableArray.Create(set));
}
