using System.Numerics;
using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>no-lost-fix</c>: no task runs the original code of a function that an enabled patch the transition neither replaces nor disables patches.</summary>
/// <remarks>
/// Only a nop can break it (<see cref="FunctionStack"/>): a replacing load's nop for a function
/// of a replaced patch lands on top of an unreplaced patch's entry of the same function, and a
/// switched task runs the original code until the transition completes.
/// </remarks>
public sealed class NoLostFix() : Property("no-lost-fix", PropertyKind.Safety, "no task runs the original code of a function an unreplaced enabled patch patches")
{
    /// <inheritdoc/>
    public override string? NotApplicable(Reading reading) =>
        reading.Options.Granularity == Granularity.Atomic ? "atomic transitions: every task runs the same code" : null;

    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading)
    {
        // Two patches that share a function are its case; without one, it holds vacuously.
        for (var p = 0; p < catalog.Count; p++)
            for (var q = p + 1; q < catalog.Count; q++)
                if ((catalog.FunctionBits(p) & catalog.FunctionBits(q)) != 0) return new Check(catalog);
        return PropertyCheck.Vacuous;
    }

    // Its case: a transition during which a patch it neither replaces nor disables, sharing a
    // function with the transition patch or a patch it replaces, stays enabled. The first
    // (so shallowest) transition state that loses a fix is the finding.
    private sealed class Check(Catalog c) : PropertyCheck
    {
        private int found = -1;
        private string? message;
        private bool exercised;

        public override CheckEvents Events => CheckEvents.States;

        public override void OnState(StateGraph graph, int state, in KernelState value)
        {
            if (found >= 0) return;
            ref readonly var s = ref value;
            if (!s.InTransition) return;
            var t = s.TransitionPatch;
            var others = Observables.EnabledMask(s) & ~s.Replacing & ~(1UL << t);
            ulong kept = 0;
            while (others != 0)
            {
                kept |= c.FunctionBits(BitOperations.TrailingZeroCount(others));
                others &= others - 1;
            }
            var nops = FunctionStack.Nops(c, s);
            var touched = kept & (c.FunctionBits(t) | nops);
            if (touched == 0) return;
            exercised = true;
            while (touched != 0)
            {
                var f = BitOperations.TrailingZeroCount(touched);
                touched &= touched - 1;
                foreach (var switched in (ReadOnlySpan<bool>)[true, false])
                    if (FunctionStack.Runs(c, s, f, switched) == FunctionStack.Original)
                    {
                        found = state;
                        message = $"{(switched ? "switched" : "unswitched")} tasks run the original {c.Functions[f]} during {c[t].Name}'s transition";
                        return;
                    }
            }
        }

        public override CatalogFinding Finish(GraphFacts facts) =>
            found < 0 ? CatalogFinding.Nothing : new CatalogFinding(true, true, facts.Graph.PathTo(found), message);

        public override bool? Exercised(GraphFacts facts) => exercised;
    }
}
