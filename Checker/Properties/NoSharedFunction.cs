using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>no-shared-function</c>: no function is patched by two enabled patches.</summary>
public sealed class NoSharedFunction() : Property("no-shared-function", PropertyKind.Safety, "no function is patched by two enabled patches")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading) => new Check(catalog);

    private sealed class Check(Catalog c) : StateCheck
    {
        protected override string? Shows(in KernelState s) =>
            FirstShared(s, c, states: false) is var bit and >= 0 ? $"two enabled patches patch {c.Functions[bit]}" : null;
    }
}
