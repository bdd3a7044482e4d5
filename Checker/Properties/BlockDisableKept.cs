using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>block-disable-kept</c>: no operation removes an active <c>block_disable</c> state.</summary>
public sealed class BlockDisableKept() : Property("block-disable-kept", PropertyKind.Safety, "no operation removes an active block_disable state")
{
    /// <inheritdoc/>
    public override string? NotApplicable(Reading reading) =>
        reading.Options.States == StateRules.Versions ? "states=versions has no block_disable flag" : null;

    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading)
    {
        for (var p = 0; p < catalog.Count; p++)
            if (catalog.BlockDisableBits(p) != 0) return new Check(catalog);
        return PropertyCheck.Vacuous;
    }

    // Loads and disables are kept apart: a disable is shown only when its trace is strictly
    // shorter than the shortest load's. Its case: a quiescent state with a block_disable state active.
    private sealed class Check(Catalog c) : PropertyCheck
    {
        private readonly ShortestStep load = new(), disable = new();
        private bool exercised;

        public override CheckEvents Events => CheckEvents.States | CheckEvents.Loads | CheckEvents.Disables;

        public override void OnState(StateGraph graph, int state, in KernelState value)
        {
            if (exercised) return;
            ref readonly var s = ref value;
            if (s.InTransition) return;
            var enabled = Observables.EnabledMask(s);
            while (enabled != 0 && !exercised)
            {
                exercised = c.BlockDisableBits(System.Numerics.BitOperations.TrailingZeroCount(enabled)) != 0;
                enabled &= enabled - 1;
            }
        }

        public override void OnSettled(StateGraph graph, in SettledStep step)
        {
            var shortest = step.Op.Kind == OpKind.Load ? load : disable;
            if (shortest.Improves(step) && Removes(step) is { } what) shortest.Keep(graph, step, what);
        }

        private string? Removes(in SettledStep e)
        {
            var active = CatalogMasks.ActiveStates(c, e.Before);
            while (active != 0)
            {
                var b = System.Numerics.BitOperations.TrailingZeroCount(active);
                active &= active - 1;
                if ((c.BlockDisableBits(CatalogMasks.Declarer(c, e.Before, b)) & (1UL << b)) != 0 && CatalogMasks.Declarer(c, e.After, b) < 0)
                    return $"{e.Op.Format(c)} removes block_disable state {c.StateIds[b]}";
            }
            return null;
        }

        public override CatalogFinding Finish(GraphFacts facts) =>
            disable.Found && (!load.Found || disable.Length < load.Length) ? disable.Finding : load.Finding;

        public override bool? Exercised(GraphFacts facts) => exercised;
    }
}
