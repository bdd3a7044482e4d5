using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>hotfix-coexists</c> (witness): a vendor hotfix is enabled beside a vendor cumulative.</summary>
public sealed class HotfixCoexists() : Property("hotfix-coexists", PropertyKind.Witness, "a vendor hotfix is enabled beside a vendor cumulative")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading) => Coexistence.Begin(catalog, p => CatalogMasks.VendorHotfix(catalog, p));
}
