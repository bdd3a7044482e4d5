using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>downgrade-succeeds</c> (witness): an older vendor patch replaces a newer one.</summary>
public sealed class DowngradeSucceeds() : Property("downgrade-succeeds", PropertyKind.Witness, "an older vendor patch replaces a newer one")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading)
    {
        var vendors = 0;
        for (var p = 0; p < catalog.Count; p++)
            if (catalog[p].Origin == Origin.Vendor) vendors++;
        return vendors < 2 ? PropertyCheck.NotApplicable : new Check(catalog);
    }

    private sealed class Check(Catalog c) : StepCheck
    {
        // Per vendor patch, the newer vendor patches; none for a customer patch.
        private readonly ulong[] newer = CatalogMasks.NewerVendor(c);

        // Its case is a vendor load replacing a newer vendor patch.
        public override bool Concerns(Operation op) => newer[op.Patch] != 0;

        // Its case replaced a newer vendor patch and leaves p in the list.
        public override StepScreen Screen(Operation op) => new(newer[op.Patch], ulong.MaxValue, 1UL << op.Patch);

        protected override string? Broken(in SettledStep e)
        {
            var replaced = e.Affected & newer[e.Op.Patch];
            if (replaced == 0 || !Observables.IsEnabled(e.After, e.Op.Patch)) return null;
            return $"older {c[e.Op.Patch].Name} replaces newer {c[System.Numerics.BitOperations.TrailingZeroCount(replaced)].Name}";
        }
    }
}
