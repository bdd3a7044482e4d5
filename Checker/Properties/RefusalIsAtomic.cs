using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary><c>refusal-is-atomic</c>: a refusal changes nothing; a reversed load restores the state.</summary>
public sealed class RefusalIsAtomic() : Property("refusal-is-atomic", PropertyKind.Safety, "a refusal changes nothing; a reversed load restores the state")
{
    /// <inheritdoc/>
    public override PropertyCheck Begin(Catalog catalog, Reading reading) => new Check(catalog, reading);

    // Every refusal the search meets is compared with its state; in two-phase mode every
    // accepted load is also reversed and completed. The least (state, operation) in search
    // order is the finding.
    private sealed class Check(Catalog c, Reading r) : PropertyCheck
    {
        private readonly bool twoPhase = r.Options.Granularity == Granularity.TwoPhase;
        private readonly Lock gate = new();
        private (int State, int Op)? changed, unrestored;

        public override CheckEvents Events => CheckEvents.ChangingRefusals | (twoPhase ? CheckEvents.Transitions : CheckEvents.None);

        // With parallel levels refusals arrive from several threads; a changed state is rare.
        public override void OnRefusal(StateGraph graph, int state, int op, in KernelState before, in KernelState after)
        {
            if (after.Same(before)) return;
            lock (gate)
                if (changed is not { } known || (state, op).CompareTo(known) < 0) changed = (state, op);
        }

        public override void OnTransition(StateGraph graph, in Edge edge, in KernelState before, in KernelState after)
        {
            if (!twoPhase || unrestored is not null || graph.Alphabet[edge.Op].Kind != OpKind.Load) return;
            // A load whose reversal is refused (a blocking patch under states=block-disable) is
            // never a reversed load.
            var reversal = Kernel.Step(c, r, after, Operation.Reverse());
            if (!reversal.Accepted) return;
            var done = Kernel.Step(c, r, reversal.State, Operation.Complete()).State;
            if (!SamePatches(before, done) || done.InTransition) unrestored = (edge.From, edge.Op);
        }

        private static bool SamePatches(in KernelState a, in KernelState b)
        {
            if (a.Count != b.Count) return false;
            for (var i = 0; i < a.Count; i++)
                if (a.PatchAt(i) != b.PatchAt(i) || a.ParamsAt(i) != b.ParamsAt(i) || a.AutoSetAt(i) != b.AutoSetAt(i)) return false;
            return a.Pinned == b.Pinned;
        }

        public override CatalogFinding Finish(GraphFacts facts)
        {
            var g = facts.Graph;
            var reversal = unrestored is { } u && (changed is not { } f || u.CompareTo(f) < 0);
            if ((reversal ? unrestored : changed) is not { } found) return CatalogFinding.Nothing;
            var op = g.Alphabet[found.Op];
            var t = g.PathTo(found.State);
            t.Add(op);
            if (!reversal) return new CatalogFinding(true, true, t, $"refused {op.Format(c)} changed the state");
            t.AddRange([Operation.Reverse(), Operation.Complete()]);
            return new CatalogFinding(true, true, t, $"reversing {op.Format(c)} does not restore Patches");
        }
    }
}
