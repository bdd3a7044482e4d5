using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>one-per-set</c>: no set is occupied by two enabled patches.</summary>
public sealed class OnePerSet() : Property("one-per-set", PropertyKind.Safety, "no set is occupied by two enabled patches")
{
    /// <inheritdoc/>
    public override string? NotApplicable(Reading reading) => reading.HasSets ? null : "upstream has no sets";

    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading) => new Check(catalog, reading);

    // Its case: a load that replaces something.
    private sealed class Check(Catalog c, Reading r) : StateCheck
    {
        private bool exercised;

        public override CheckEvents Events => CheckEvents.States | CheckEvents.Loads;

        protected override string? Shows(in KernelState s)
        {
            ulong seen = 0;
            for (var i = 0; i < s.Count; i++)
            {
                if (!Observables.IsEnabled(s, s.PatchAt(i))) continue;
                var sets = Kernel.Occupied(c, r, s, i);
                if ((seen & sets) != 0) return $"two enabled patches occupy set {string.Join(",", c.SetsOf(seen & sets))}";
                seen |= sets;
            }
            return null;
        }

        // Loads are handed to it only until its case happens.
        public override StepScreen Screen(Operation op) => StepScreen.None;

        public override void OnSettled(StateGraph graph, in SettledStep step)
        {
            if (!exercised && step.Affected != 0)
            {
                exercised = true;
                SeesEveryStep = false;
            }
        }

        public override bool? Exercised(GraphFacts facts) => exercised;
    }
}
