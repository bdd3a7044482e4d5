using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>hotfixes-absorbed</c>: a vendor cumulative leaves no older vendor hotfix enabled.</summary>
public sealed class HotfixesAbsorbed() : Property("hotfixes-absorbed", PropertyKind.Safety, "a vendor cumulative leaves no older vendor hotfix enabled")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading)
    {
        for (var p = 0; p < catalog.Count; p++)
            for (var h = 0; h < catalog.Count; h++)
                if (CatalogMasks.VendorCumulative(catalog, p) && CatalogMasks.VendorHotfix(catalog, h) && catalog[h].Release < catalog[p].Release)
                    return new Check(catalog);
        return PropertyCheck.NotApplicable;
    }

    // Its case: a vendor cumulative loaded while an older vendor hotfix is enabled.
    private sealed class Check(Catalog c) : StepCheck
    {
        private readonly ulong[] older = CatalogMasks.OlderVendor(c, hotfixesOnly: true);
        private readonly ulong cumulatives = CatalogMasks.VendorCumulatives(c);

        protected override bool Tracked => true;

        // Both its case and a violation are the load of a vendor cumulative with older vendor hotfixes.
        public override bool Concerns(Operation op) => (cumulatives >> op.Patch & 1) != 0 && older[op.Patch] != 0;

        // A violation leaves an older vendor hotfix in the list.
        public override StepScreen Screen(Operation op) => new(ulong.MaxValue, ulong.MaxValue, older[op.Patch]);

        // The first enabled (in list order) older vendor hotfix than patch p in a state, or -1.
        private int OlderHotfix(in KernelState s, int p)
        {
            if ((s.InPatches & older[p]) == 0) return -1;
            for (var i = 0; i < s.Count; i++)
            {
                var h = s.PatchAt(i);
                if ((older[p] >> h & 1) != 0 && Observables.IsEnabled(s, h)) return h;
            }
            return -1;
        }

        protected override bool? Exercises(in SettledStep e) =>
            (cumulatives >> e.Op.Patch & 1) != 0 && OlderHotfix(e.Before, e.Op.Patch) >= 0;

        protected override string? Broken(in SettledStep e)
        {
            var p = e.Op.Patch;
            if ((cumulatives >> p & 1) == 0 || !Observables.IsEnabled(e.After, p)) return null;
            var h = OlderHotfix(e.After, p);
            return h < 0 ? null : $"older hotfix {c[h].Name} stays enabled beside {c[p].Name}";
        }
    }
}
