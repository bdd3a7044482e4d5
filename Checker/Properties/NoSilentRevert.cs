using Klp.Check.Exploration;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>no-silent-revert</c>: an upgrade keeps every patched function patched.</summary>
public sealed class NoSilentRevert() : Invariant("no-silent-revert", PropertyKind.Safety, "an upgrade keeps every patched function patched")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading) => new Check(catalog);

    // Its case: a vendor load that replaces an older vendor patch.
    private sealed class Check(Catalog c) : StepCheck
    {
        protected override bool Tracked => true;

        protected override bool? Exercises(in SettledStep e)
        {
            var p = c[e.Op.Patch];
            if (p.Origin != Origin.Vendor) return false;
            for (var q = 0; q < c.Count; q++)
                if ((e.Affected & (1UL << q)) != 0 && c[q].Origin == Origin.Vendor && c[q].Release < p.Release) return true;
            return false;
        }

        protected override string? Broken(in SettledStep e)
        {
            var p = c[e.Op.Patch];
            if (p.Origin != Origin.Vendor) return null;
            ulong vendorReplaced = 0;
            for (var q = 0; q < c.Count; q++)
                if ((e.Affected & (1UL << q)) != 0 && c[q].Origin == Origin.Vendor)
                {
                    if (c[q].Release >= p.Release) return null;
                    vendorReplaced |= 1UL << q;
                }
            if (vendorReplaced == 0 || !Observables.IsEnabled(e.After, e.Op.Patch)) return null;
            var lost = Observables.PatchedFunctions(c, e.Before) & ~Observables.PatchedFunctions(c, e.After);
            if (lost == 0) return null;
            return $"upgrade to {p.Name} reverts {c.Functions[System.Numerics.BitOperations.TrailingZeroCount(lost)]} to the original code";
        }
    }
}
