using Klp.Check.Exploration;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>no-shared-function</c>: no function is patched by two enabled patches.</summary>
public sealed class NoSharedFunction() : Invariant("no-shared-function", PropertyKind.Safety, "no function is patched by two enabled patches")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading) => new Check(catalog);

    private sealed class Check(Catalog c) : StateCheck
    {
        protected override string? Shows(in KernelState s)
        {
            ulong seen = 0;
            for (var i = 0; i < s.Count; i++)
            {
                var p = s.PatchAt(i);
                if (!Observables.IsEnabled(s, p)) continue;
                var f = c.FunctionBits(p);
                if ((seen & f) != 0) return $"two enabled patches patch {c.Functions[System.Numerics.BitOperations.TrailingZeroCount(seen & f)]}";
                seen |= f;
            }
            return null;
        }
    }
}
