using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary>The hotfix lines of a catalog: a hotfix and the versions that update it, followed through <see cref="Patch.Updates"/>.</summary>
public static class HotfixLine
{
    /// <summary>Per patch, the hotfix line it belongs to (the index of the line's first version), or -1 for a patch that is not a hotfix.</summary>
    public static int[] Of(Catalog catalog)
    {
        var n = catalog.Count;
        var lines = new int[n];
        for (var i = 0; i < n; i++)
        {
            lines[i] = -1;
            if (catalog[i].Kind != PatchKind.Hotfix) continue;
            var root = i;
            // A cycle of updates is cut after n hops rather than followed for ever.
            for (var hops = 0; hops < n && catalog[root].Updates is { } up && catalog.IndexOf(up) is var parent and >= 0; hops++) root = parent;
            lines[i] = root;
        }
        return lines;
    }
}
