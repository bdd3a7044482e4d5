using System.Text;

namespace Klp.Check.Model;

/// <summary>A catalog as the <c>patch</c> declarations of a scenario file (docs/scenarios.md), each as short as the parser's defaults allow.</summary>
public static class CatalogText
{
    /// <summary>One <c>patch</c> declaration per line; attributes the parser would default are left out.</summary>
    public static string Describe(Catalog catalog)
    {
        var sb = new StringBuilder();
        foreach (var line in Declarations(catalog)) sb.AppendLine(line);
        return sb.ToString();
    }

    /// <summary>The declarations of a catalog's patches, in order, each as short as the defaults of docs/scenarios.md allow.</summary>
    public static IEnumerable<string> Declarations(Catalog catalog)
    {
        // The parser's default release: order of declaration per origin, after any explicit one.
        var next = new Dictionary<Origin, int>();
        foreach (var p in catalog.Patches)
        {
            var expected = next.GetValueOrDefault(p.Origin);
            next[p.Origin] = Math.Max(expected, p.Release) + 1;
            yield return Declaration(p, p.Release == expected);
        }
    }

    private static string Declaration(Patch p, bool releaseIsDefault)
    {
        var sb = new StringBuilder($"patch {p.Name}");
        if (p.Origin == Origin.Customer) sb.Append(" customer");
        if (p.Kind == PatchKind.Cumulative) sb.Append(" cumulative");
        if (!releaseIsDefault) sb.Append($" release={p.Release}");
        var defaultReplace = p.Kind == PatchKind.Cumulative && p.Origin == Origin.Vendor;
        if (p.Replace != defaultReplace) sb.Append(p.Replace ? " replace" : " replace=false");
        if (p.SetSource != SetSource.Fixed || !p.Sets.SequenceEqual(Patch.DefaultSets)) sb.Append($" sets={p.SetsText}");
        sb.Append(" funcs={").Append(string.Join(", ", p.Funcs)).Append('}');
        if (p.States.Length > 0) sb.Append(" states={").Append(string.Join(", ", p.States)).Append('}');
        if (p.Updates is not null) sb.Append($" update={p.Updates}");
        return sb.ToString();
    }
}
