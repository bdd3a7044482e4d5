using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>customer-coexists</c> (witness): a customer patch is enabled beside a vendor cumulative.</summary>
public sealed class CustomerCoexists() : Property("customer-coexists", PropertyKind.Witness, "a customer patch is enabled beside a vendor cumulative")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading) => Coexistence.Begin(catalog, p => catalog[p].Origin == Origin.Customer);
}
