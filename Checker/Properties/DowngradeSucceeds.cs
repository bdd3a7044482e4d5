using Klp.Check.Exploration;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>downgrade-succeeds</c> (witness): an older vendor patch replaces a newer one.</summary>
public sealed class DowngradeSucceeds() : Invariant("downgrade-succeeds", PropertyKind.Witness, "an older vendor patch replaces a newer one")
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
        protected override string? Broken(in SettledStep e)
        {
            var p = c[e.Op.Patch];
            if (p.Origin != Origin.Vendor) return null;
            for (var q = 0; q < c.Count; q++)
                if (c[q].Origin == Origin.Vendor && (e.Affected & (1UL << q)) != 0 && c[q].Release > p.Release && Observables.IsEnabled(e.After, e.Op.Patch))
                    return $"older {p.Name} replaces newer {c[q].Name}";
            return null;
        }
    }
}
