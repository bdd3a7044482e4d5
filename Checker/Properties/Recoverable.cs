using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>recoverable</c>: from every state, a state with no enabled patch is reachable.</summary>
public sealed class Recoverable() : Property("recoverable", PropertyKind.Liveness, "from every state, a state with no enabled patch is reachable")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading) => new Check();

    private sealed class Check : PropertyCheck
    {
        public override CatalogFinding Finish(GraphFacts facts)
        {
            var reach = facts.CanReachNothingEnabled(restricted: false);
            return facts.Liveness(restricted: false, s => reach[s] ? null : "from here no state without enabled patches is reachable");
        }
    }
}
