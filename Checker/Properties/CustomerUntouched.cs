using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>customer-untouched</c>: no vendor load without <c>add_sets</c> replaces a customer patch.</summary>
public sealed class CustomerUntouched() : Property("customer-untouched", PropertyKind.Safety, "no vendor load without add_sets replaces a customer patch")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading) =>
        CatalogMasks.Customers(catalog) is var customers and not 0 ? new Check(catalog, customers) : PropertyCheck.NotApplicable;

    // Its case: a vendor load without add_sets while a customer patch is enabled.
    private sealed class Check(Catalog c, ulong customers) : StepCheck
    {
        protected override bool Tracked => true;

        // Both its case and a violation are a vendor load without add_sets.
        public override bool Concerns(Operation op) => c[op.Patch].Origin == Origin.Vendor && op.Params == 0;

        // A violation replaced a customer patch.
        public override StepScreen Screen(Operation op) => new(customers, ulong.MaxValue, ulong.MaxValue);

        protected override bool? Exercises(in SettledStep e) =>
            (Observables.EnabledMask(e.Before) & customers) != 0 && Concerns(e.Op);

        protected override string? Broken(in SettledStep e) =>
            (e.Affected & customers) != 0 && Concerns(e.Op)
                ? $"vendor {c[e.Op.Patch].Name} replaces customer {string.Join(" ", c.NamesOf(e.Affected & customers))}"
                : null;
    }
}
