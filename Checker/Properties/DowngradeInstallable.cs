using Klp.Check.Exploration;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>downgrade-installable</c>: an older release of an enabled line can be installed atomically.</summary>
public sealed class DowngradeInstallable() : Invariant("downgrade-installable", PropertyKind.Liveness, "an older release of an enabled line can be installed atomically")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading)
    {
        for (var a = 0; a < catalog.Count; a++)
            for (var b = 0; b < catalog.Count; b++)
                if (OlderSameLine(catalog, a, b)) return new Check(catalog);
        return PropertyCheck.NotApplicable;
    }

    // True when vendor patch a is an older release of vendor patch b's line: both cumulative, or both hotfixes of one line.
    private static bool OlderSameLine(Catalog c, int a, int b)
    {
        var pa = c[a];
        var pb = c[b];
        if (pa.Origin != Origin.Vendor || pb.Origin != Origin.Vendor || pa.Release >= pb.Release) return false;
        if (pa.Kind == PatchKind.Cumulative && pb.Kind == PatchKind.Cumulative) return true;
        return pa.Kind == PatchKind.Hotfix && pb.Kind == PatchKind.Hotfix && c.HotfixLine[a] == c.HotfixLine[b] && c.HotfixLine[a] >= 0;
    }

    private sealed class Check(Catalog c) : PropertyCheck
    {
        public override CatalogFinding Finish(GraphFacts facts)
        {
            // Per patch b, the older releases of its line, as a mask.
            var older = new ulong[c.Count];
            for (var a = 0; a < c.Count; a++)
                for (var b = 0; b < c.Count; b++)
                    if (OlderSameLine(c, a, b)) older[b] |= 1UL << a;
            var ahead = facts.EnabledAhead(restricted: true);
            var states = facts.Graph.States;
            return facts.Liveness(restricted: true, s =>
            {
                ref readonly var st = ref states[s];
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
