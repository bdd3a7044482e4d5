using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>downgrade-installable</c>: an older release of an enabled line can be installed atomically.</summary>
public sealed class DowngradeInstallable() : Property("downgrade-installable", PropertyKind.Liveness, "an older release of an enabled line can be installed atomically")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading)
    {
        // Per patch b, the older releases of its line, as a mask.
        var lines = HotfixLine.Of(catalog);
        var older = new ulong[catalog.Count];
        var any = false;
        for (var a = 0; a < catalog.Count; a++)
            for (var b = 0; b < catalog.Count; b++)
                if (OlderSameLine(catalog, lines, a, b))
                {
                    older[b] |= 1UL << a;
                    any = true;
                }
        return any ? new Check(catalog, older) : PropertyCheck.NotApplicable;
    }

    // True when vendor patch a is an older release of vendor patch b's line: both cumulative, or both hotfixes of one line.
    private static bool OlderSameLine(Catalog c, int[] lines, int a, int b)
    {
        var pa = c[a];
        var pb = c[b];
        if (pa.Origin != Origin.Vendor || pb.Origin != Origin.Vendor || pa.Release >= pb.Release) return false;
        if (pa.Kind == PatchKind.Cumulative && pb.Kind == PatchKind.Cumulative) return true;
        return pa.Kind == PatchKind.Hotfix && pb.Kind == PatchKind.Hotfix && lines[a] == lines[b] && lines[a] >= 0;
    }

    private sealed class Check(Catalog c, ulong[] older) : PropertyCheck
    {
        public override CatalogFinding Finish(GraphFacts facts)
        {
            var ahead = facts.EnabledAhead(restricted: true);
            var states = facts.Graph.States;
            var anyOlder = older.Aggregate(0UL, (a, b) => a | b);
            return facts.Liveness(restricted: true, s =>
            {
                // Nothing can be missing where every older release of every line is ahead.
                if ((anyOlder & ~ahead[s]) == 0) return null;
                states.Read(s, out var st);
                if (st.InTransition) return null;
                for (var i = 0; i < st.Count; i++)
                {
                    var b = st.PatchAt(i);
                    var missing = older[b] & ~ahead[s];
                    if (missing == 0 || !Observables.IsEnabled(st, b)) continue;
                    for (var a = 0; a < c.Count; a++)
                        if ((missing >> a & 1) != 0)
                            return $"{c[b].Name} is enabled and {c[a].Name} cannot be installed by an atomic downgrade";
                }
                return null;
            });
        }
    }
}
