using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>state-monotonic</c>: no load lowers the version of an active state.</summary>
public sealed class StateMonotonic() : Property("state-monotonic", PropertyKind.Safety, "no load lowers the version of an active state")
{
    /// <inheritdoc/>
    public override string? NotApplicable(Reading reading) =>
        reading.Options.States == StateRules.BlockDisable ? "states=block-disable has no versions" : null;

    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading) =>
        catalog.StateIds.Length == 0 ? PropertyCheck.Vacuous : new Check(catalog);

    // Its case: a load of a patch declaring a state that is active before it.
    private sealed class Check(Catalog c) : StepCheck
    {
        protected override bool Tracked => true;

        protected override bool? Exercises(in SettledStep e) => (c.StateBits(e.Op.Patch) & CatalogMasks.ActiveStates(c, e.Before)) != 0;

        protected override string? Broken(in SettledStep e)
        {
            var active = CatalogMasks.ActiveStates(c, e.After);
            while (active != 0)
            {
                var b = System.Numerics.BitOperations.TrailingZeroCount(active);
                active &= active - 1;
                var old = CatalogMasks.Declarer(c, e.Before, b);
                var now = CatalogMasks.Declarer(c, e.After, b);
                if (old >= 0 && c.Version(now, b) < c.Version(old, b))
                    return $"loading {c[e.Op.Patch].Name} lowers state {c.StateIds[b]} from v{c.Version(old, b)} to v{c.Version(now, b)}";
            }
            return null;
        }
    }
}
