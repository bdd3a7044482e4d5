using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>no-shared-state</c>: no state id is declared by two enabled patches.</summary>
public sealed class NoSharedState() : Property("no-shared-state", PropertyKind.Safety, "no state id is declared by two enabled patches")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading) => catalog.StateIds.Length == 0 ? PropertyCheck.Untracked : new Check(catalog);

    private sealed class Check(Catalog c) : StateCheck
    {
        protected override string? Shows(in KernelState s) =>
            FirstShared(s, c, states: true) is var bit and >= 0 ? $"two enabled patches declare state {c.StateIds[bit]}" : null;
    }
}
