using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>no-silent-revert</c>: an upgrade keeps every patched function patched.</summary>
public sealed class NoSilentRevert() : Property("no-silent-revert", PropertyKind.Safety, "an upgrade keeps every patched function patched")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading) => new Check(catalog);

    // Its case: a vendor load that replaces an older vendor patch.
    private sealed class Check(Catalog c) : StepCheck
    {
        private readonly ulong vendor = CatalogMasks.Vendor(c);
        private readonly ulong[] older = CatalogMasks.OlderVendor(c, hotfixesOnly: false);

        protected override bool Tracked => true;

        // Both its case and a violation are a vendor load replacing an older vendor patch.
        public override bool Concerns(Operation op) => (vendor >> op.Patch & 1) != 0 && older[op.Patch] != 0;

        // Per patch p, the patches that patch a function p does not: a function an upgrade to p
        // reverts was patched by one of them, enabled before the upgrade and not after it.
        private readonly ulong[] uncovered = Uncovered(c);

        // A violation replaced an older vendor patch, disabled one that patched a function p does
        // not, and leaves p in the list.
        public override StepScreen Screen(Operation op) => new(older[op.Patch], uncovered[op.Patch], 1UL << op.Patch);

        private static ulong[] Uncovered(Catalog c)
        {
            var masks = new ulong[c.Count];
            for (var p = 0; p < c.Count; p++)
                for (var q = 0; q < c.Count; q++)
                    if ((c.FunctionBits(q) & ~c.FunctionBits(p)) != 0) masks[p] |= 1UL << q;
            return masks;
        }

        protected override bool? Exercises(in SettledStep e) =>
            (vendor >> e.Op.Patch & 1) != 0 && (e.Affected & older[e.Op.Patch]) != 0;

        // An upgrade: a vendor load that replaced older vendor patches and no vendor patch as new or newer.
        protected override string? Broken(in SettledStep e)
        {
            if ((vendor >> e.Op.Patch & 1) == 0) return null;
            var vendorReplaced = e.Affected & vendor;
            if ((vendorReplaced & ~older[e.Op.Patch]) != 0) return null;
            if (vendorReplaced == 0 || !Observables.IsEnabled(e.After, e.Op.Patch)) return null;
            var lost = Observables.PatchedFunctions(c, e.Before) & ~Observables.PatchedFunctions(c, e.After);
            if (lost == 0) return null;
            return $"upgrade to {c[e.Op.Patch].Name} reverts {c.Functions[System.Numerics.BitOperations.TrailingZeroCount(lost)]} to the original code";
        }
    }
}
