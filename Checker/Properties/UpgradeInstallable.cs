using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>upgrade-installable</c>: the newest cumulative can always be installed atomically.</summary>
public sealed class UpgradeInstallable() : Property("upgrade-installable", PropertyKind.Liveness, "the newest cumulative can always be installed atomically")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading)
    {
        var newest = -1;
        for (var p = 0; p < catalog.Count; p++)
            if (CatalogMasks.VendorCumulative(catalog, p) && (newest < 0 || catalog[p].Release > catalog[newest].Release)) newest = p;
        return newest < 0 ? PropertyCheck.NotApplicable : new Check(catalog, newest);
    }

    private sealed class Check(Catalog c, int newest) : PropertyCheck
    {
        public override CatalogFinding Finish(GraphFacts facts)
        {
            var ahead = facts.EnabledAhead(restricted: true);
            return facts.Liveness(restricted: true, s => (ahead[s] >> newest & 1) != 0 || facts.InTransition(s) ? null : $"{c[newest].Name} cannot be installed by an atomic upgrade from here");
        }
    }
}
