using System.Collections.Immutable;
using Klp.Check.Engine;
using Klp.Check.Model;
using Klp.Check.Tests.Architecture.Violating.Engine;

namespace Klp.Check.Tests.Reference;

/// <summary>What the reference says about one property on one catalog.</summary>
/// <param name="Word">"n/a", "holds", "violated" or "inconclusive", as a verdict on that catalog alone would say.</param>
/// <param name="Length">The length of the shortest trace to the violation (a witness: to the case), or -1.</param>
public sealed record ReferenceVerdict(string Word, int Length);

/// <summary>
/// A slow, obviously correct evaluation of every property, written from the definitions in
/// docs/verdicts.md: a plain breadth-first search over <see cref="Kernel.Step"/> into immutable
/// collections, then each property as a direct search over the whole graph. It shares nothing
/// with the checker but <see cref="Kernel.Step"/>, the model's observables and the catalog.
/// </summary>
public static class ReferenceProperties
{
    private sealed record Edge(int From, int To, Operation Op, ulong Affected);

    private sealed record Graph(
        ImmutableList<KernelState> States, ImmutableList<int> Depth, ImmutableList<Edge> Edges,
        ImmutableList<(int State, Operation Op, KernelState After)> Refusals, ImmutableHashSet<int> Frontier);

    // The operations tried in every state, in the order the checker's search tries them (a cap
    // keeps the same states only if the order is the same): every load with every add_sets
    // variant, every disable, every unload; in two-phase mode Complete, Reverse, Force.
    // An entry of Patches: the patch, its add_sets variant and its allocated set, all a list position holds.
    private static (int Patch, int Params, int AutoSet) Entry(KernelState s, int position) => (s.PatchAt(position), s.ParamsAt(position), s.AutoSetAt(position));

    private static ImmutableList<Operation> Alphabet(Catalog c, Granularity granularity)
    {
        var ops = ImmutableList.CreateBuilder<Operation>();
        for (var p = 0; p < c.Count; p++)
            for (var v = 0; v < c.AddSetsVariants.Length; v++) ops.Add(Operation.Load(p, v));
        for (var p = 0; p < c.Count; p++) ops.Add(Operation.Disable(p));
        for (var p = 0; p < c.Count; p++) ops.Add(Operation.Unload(p));
        if (granularity == Granularity.TwoPhase) ops.AddRange([Operation.Complete(), Operation.Reverse(), Operation.Force()]);
        return ops.ToImmutable();
    }

    private static Graph Explore(Catalog c, Reading r, int maxStates, int maxDepth)
    {
        var alphabet = Alphabet(c, r.Options.Granularity);
        var states = ImmutableList.Create(KernelState.Empty);
        var depth = ImmutableList.Create(0);
        var ids = ImmutableDictionary<KernelState, int>.Empty.Add(KernelState.Empty, 0);
        var edges = ImmutableList<Edge>.Empty;
        var refusals = ImmutableList<(int, Operation, KernelState)>.Empty;
        var frontier = ImmutableHashSet<int>.Empty;
        for (var s = 0; s < states.Count; s++)
        {
            if (depth[s] >= maxDepth)
            {
                frontier = frontier.Add(s);
                continue;
            }
            foreach (var op in alphabet)
            {
                var o = Kernel.Step(c, r, states[s], op);
                if (!o.Accepted)
                {
                    refusals = refusals.Add((s, op, o.State));
                    continue;
                }
                if (!ids.TryGetValue(o.State, out var to))
                {
                    if (states.Count >= maxStates)
                    {
                        frontier = frontier.Add(s);
                        continue;
                    }
                    to = states.Count;
                    ids = ids.Add(o.State, to);
                    states = states.Add(o.State);
                    depth = depth.Add(depth[s] + 1);
                }
                edges = edges.Add(new Edge(s, to, op, o.Affected));
            }
        }
        return new Graph(states, depth, edges, refusals, frontier);
    }

    /// <summary>Every property's reference verdict on one catalog, by property id.</summary>
    public static IReadOnlyDictionary<string, ReferenceVerdict> Evaluate(Catalog c, Reading r, int maxStates = int.MaxValue, int maxDepth = int.MaxValue)
    {
        var g = Explore(c, r, maxStates, maxDepth);
        var twoPhase = r.Options.Granularity == Granularity.TwoPhase;
        bool Quiescent(int s) => !g.States[s].InTransition;
        ImmutableHashSet<int> Enabled(KernelState s) =>
            [.. Enumerable.Range(0, s.Count).Select(s.PatchAt).Where(p => Observables.IsEnabled(s, p))];
        bool Vendor(int p) => c[p].Origin == Origin.Vendor;
        bool Cumulative(int p) => Vendor(p) && c[p].Kind == PatchKind.Cumulative;
        bool Hotfix(int p) => Vendor(p) && c[p].Kind == PatchKind.Hotfix;
        var patches = Enumerable.Range(0, c.Count).ToImmutableList();
        var customers = patches.Where(p => c[p].Origin == Origin.Customer).Aggregate(0UL, (m, p) => m | 1UL << p);

        // An accepted load or disable seen from quiescent state to quiescent state.
        (KernelState After, int Length) Settle(Edge e)
        {
            var after = g.States[e.To];
            if (twoPhase && (e.Op.Kind == OpKind.Load || after.InTransition))
                return (Kernel.Step(c, r, after, Operation.Complete()).State, g.Depth[e.From] + 2);
            return (after, g.Depth[e.From] + 1);
        }

        var loads = g.Edges.Where(e => e.Op.Kind == OpKind.Load).Select(e => (Edge: e, Settled: Settle(e))).ToImmutableList();
        var disables = g.Edges.Where(e => e.Op.Kind == OpKind.Disable).Select(e => (Edge: e, Settled: Settle(e))).ToImmutableList();
        int MinState(Func<KernelState, bool> shows) =>
            Enumerable.Range(0, g.States.Count).Where(s => Quiescent(s) && shows(g.States[s])).Select(s => g.Depth[s]).DefaultIfEmpty(-1).Min();
        int MinStep(IEnumerable<(Edge Edge, (KernelState After, int Length) Settled)> steps, Func<Edge, KernelState, bool> shows) =>
            steps.Where(x => shows(x.Edge, x.Settled.After)).Select(x => x.Settled.Length).DefaultIfEmpty(-1).Min();
        // Where a cap cut the search, nothing found is no proof: the unexplored part may hold a violation, or the witness.
        ReferenceVerdict Safety(int length) => length >= 0 ? new("violated", length) : g.Frontier.IsEmpty ? new("holds", -1) : new("inconclusive", -1);
        ReferenceVerdict Witness(int length) => length >= 0 ? new("holds", length) : g.Frontier.IsEmpty ? new("violated", -1) : new("inconclusive", -1);
        var na = new ReferenceVerdict("n/a", -1);

        // Whether, over the given edges, a state satisfying the target is reachable from s.
        ImmutableHashSet<int> CanReach(Func<int, bool> target, Func<Edge, bool> usable)
        {
            var reached = Enumerable.Range(0, g.States.Count).Where(target).ToImmutableHashSet();
            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var e in g.Edges)
                    if (usable(e) && reached.Contains(e.To) && !reached.Contains(e.From))
                    {
                        reached = reached.Add(e.From);
                        changed = true;
                    }
            }
            return reached;
        }
        // A liveness property fails at a state: violated if nothing unexplored is reachable from
        // it, else it depends on what the cap left out; so does a search with no failing state
        // that a cap cut.
        ReferenceVerdict Liveness(Func<int, bool> fails, Func<Edge, bool> usable)
        {
            var open = CanReach(g.Frontier.Contains, usable);
            var failing = Enumerable.Range(0, g.States.Count).Where(fails).ToImmutableList();
            var definite = failing.Where(s => !open.Contains(s)).ToImmutableList();
            if (!definite.IsEmpty) return new("violated", definite.Min(s => g.Depth[s]));
            return failing.IsEmpty && g.Frontier.IsEmpty ? new("holds", -1) : new("inconclusive", -1);
        }
        bool Any(Edge e) => true;
        // The operations of an atomic install: loads that replace no customer, a Complete that patches, unloads.
        bool Install(Edge e) => e.Op.Kind switch
        {
            OpKind.Load => (e.Affected & customers) == 0,
            OpKind.Complete => g.States[e.From].TargetPatched,
            OpKind.Unload => true,
            _ => false,
        };

        var result = new Dictionary<string, ReferenceVerdict>();

        // one-per-set: no set is occupied by two enabled patches.
        result["one-per-set"] = !r.HasSets ? na : Safety(MinState(s =>
        {
            var occupied = Observables.OccupiedSets(c, r, s);
            return occupied.Any(a => occupied.Any(b => a.Patch != b.Patch && (a.Sets & b.Sets) != 0));
        }));

        // no-shared-function: no function is patched by two enabled patches.
        result["no-shared-function"] = Safety(MinState(s =>
        {
            var enabled = Enabled(s);
            return enabled.Any(a => enabled.Any(b => a != b && (c.FunctionBits(a) & c.FunctionBits(b)) != 0));
        }));

        // no-shared-state: no state id is declared by two enabled patches.
        result["no-shared-state"] = Safety(MinState(s =>
        {
            var enabled = Enabled(s);
            return enabled.Any(a => enabled.Any(b => a != b && c[a].States.Any(x => c[b].States.Any(y => x.Id == y.Id))));
        }));

        // state-monotonic: no load lowers the version of an active state (the version of the newest enabled declarer).
        result["state-monotonic"] = r.Options.States == StateRules.BlockDisable ? na : Safety(MinStep(loads, (e, after) =>
        {
            var before = Observables.ActiveStates(c, g.States[e.From]);
            var now = Observables.ActiveStates(c, after);
            return now.Any(kv => before.TryGetValue(kv.Key, out var old) && kv.Value.Version < old.Version);
        }));

        // block-disable-kept: no load or disable removes an active block_disable state.
        result["block-disable-kept"] = r.Options.States == StateRules.Versions ? na : Safety(MinStep(loads.AddRange(disables), (e, after) =>
        {
            var now = Observables.ActiveStates(c, after);
            return Observables.ActiveStates(c, g.States[e.From]).Any(kv => kv.Value.BlockDisable && !now.ContainsKey(kv.Key));
        }));

        // customer-untouched: no vendor load without add_sets replaces a customer patch.
        result["customer-untouched"] = customers == 0 ? na : Safety(MinStep(loads, (e, _) =>
            Vendor(e.Op.Patch) && e.Op.Params == 0 && (e.Affected & customers) != 0));

        // hotfixes-absorbed: a vendor cumulative leaves no older vendor hotfix enabled.
        result["hotfixes-absorbed"] = !patches.Any(p => Cumulative(p) && patches.Any(h => Hotfix(h) && c[h].Release < c[p].Release)) ? na
            : Safety(MinStep(loads, (e, after) =>
            {
                var p = e.Op.Patch;
                var enabled = Enabled(after);
                return Cumulative(p) && enabled.Contains(p) && enabled.Any(h => Hotfix(h) && c[h].Release < c[p].Release);
            }));

        // no-silent-revert: a vendor upgrade (it replaces only older vendor patches, at least one) keeps every patched function patched.
        result["no-silent-revert"] = Safety(MinStep(loads, (e, after) =>
        {
            var p = e.Op.Patch;
            var replaced = patches.Where(q => (e.Affected & (1UL << q)) != 0 && Vendor(q)).ToImmutableList();
            if (!Vendor(p) || replaced.IsEmpty || replaced.Any(q => c[q].Release >= c[p].Release) || !Enabled(after).Contains(p)) return false;
            return (Observables.PatchedFunctions(c, g.States[e.From]) & ~Observables.PatchedFunctions(c, after)) != 0;
        }));

        // refusal-is-atomic: a refusal changes nothing; a load reversed and completed restores Patches.
        var changedByRefusal = g.Refusals.Where(x => !x.After.Equals(g.States[x.State])).Select(x => g.Depth[x.State] + 1);
        // A load whose reversal is refused (block-disable) is never reversed.
        var unrestored = !twoPhase ? [] : loads.Select(x => x.Edge).Where(e =>
        {
            var reversal = Kernel.Step(c, r, g.States[e.To], Operation.Reverse());
            if (!reversal.Accepted) return false;
            var done = Kernel.Step(c, r, reversal.State, Operation.Complete()).State;
            var before = g.States[e.From];
            var same = done.Count == before.Count && Enumerable.Range(0, done.Count).All(i => Entry(done, i) == Entry(before, i)) && done.Pinned == before.Pinned;
            return !same || done.InTransition;
        }).Select(e => g.Depth[e.From] + 3);
        result["refusal-is-atomic"] = Safety(changedByRefusal.Concat(unrestored).DefaultIfEmpty(-1).Min());

        // no-lost-fix: during a transition, no task runs the original code of a function that an
        // enabled patch outside the replaced ones and the transition patch patches. The stack is
        // rebuilt from its definition: Patches newest first, plus the transition patch's nop for
        // each function of a replaced patch it does not patch; a task runs the head, or, when the
        // head is the transition patch's, possibly the entry below it.
        bool Patches(int p, int f) => (c.FunctionBits(p) >> f & 1) != 0;
        bool LosesFix(KernelState s)
        {
            if (!s.InTransition) return false;
            var t = s.TransitionPatch;
            var replaced = patches.Where(p => (s.Replacing >> p & 1) != 0).ToList();
            var kept = Enabled(s).Where(p => p != t && (s.Replacing >> p & 1) == 0).ToList();
            foreach (var f in Enumerable.Range(0, c.Functions.Length).Where(f => kept.Any(p => Patches(p, f))))
            {
                var stack = Enumerable.Range(0, s.Count).Reverse().Select(s.PatchAt)
                    .Where(p => Patches(p, f) || p == t && replaced.Any(q => Patches(q, f)))
                    .Select(p => (Patch: p, Original: !Patches(p, f))).ToList();
                var run = stack[0].Patch == t ? stack.Take(2).Select(e => e.Original).Append(stack.Count < 2) : [stack[0].Original];
                if (run.Any(original => original)) return true;
            }
            return false;
        }
        result["no-lost-fix"] = !twoPhase ? na
            : Safety(Enumerable.Range(0, g.States.Count).Where(s => LosesFix(g.States[s])).Select(s => g.Depth[s]).DefaultIfEmpty(-1).Min());

        // recoverable: from every state, a quiescent state with no enabled patch is reachable.
        var empty = CanReach(s => Quiescent(s) && Observables.EnabledMask(g.States[s]) == 0, Any);
        result["recoverable"] = Liveness(s => !empty.Contains(s), Any);

        // downgrade-installable: from every quiescent state, an older release of an enabled vendor line can be installed atomically.
        // A hotfix line: a hotfix and the versions that update it, named by its first version.
        // The update chain is followed at most once round the catalog, so a cycle ends.
        int Line(int p, int hops = 0) => hops < c.Count && c[p].Updates is { } up && patches.FirstOrDefault(q => c[q].Name == up, -1) is var q && q >= 0 ? Line(q, hops + 1) : p;
        bool OlderSameLine(int a, int b) => Vendor(a) && Vendor(b) && c[a].Release < c[b].Release
            && (Cumulative(a) && Cumulative(b) || Hotfix(a) && Hotfix(b) && Line(a) == Line(b));
        var installs = patches.ToImmutableDictionary(a => a, a => CanReach(s => Quiescent(s) && Enabled(g.States[s]).Contains(a), Install));
        result["downgrade-installable"] = !patches.Any(a => patches.Any(b => OlderSameLine(a, b))) ? na
            : Liveness(s => Quiescent(s) && Enabled(g.States[s]).Any(b => patches.Any(a => OlderSameLine(a, b) && !installs[a].Contains(s))), Install);

        // upgrade-installable: from every quiescent state, the newest vendor cumulative can be installed atomically.
        var newest = patches.Where(Cumulative).OrderByDescending(p => c[p].Release).ThenBy(p => p).DefaultIfEmpty(-1).First();
        result["upgrade-installable"] = newest < 0 ? na : Liveness(s => Quiescent(s) && !installs[newest].Contains(s), Install);

        // hotfix-coexists, customer-coexists: a vendor hotfix (a customer patch) enabled beside a vendor cumulative.
        ReferenceVerdict Coexists(Func<int, bool> kind) => !patches.Any(kind) || !patches.Any(Cumulative) ? na
            : Witness(MinState(s => Enabled(s).Any(kind) && Enabled(s).Any(Cumulative)));
        result["hotfix-coexists"] = Coexists(Hotfix);
        result["customer-coexists"] = Coexists(p => c[p].Origin == Origin.Customer);

        // downgrade-succeeds: an older vendor patch replaces a newer one and is enabled.
        result["downgrade-succeeds"] = patches.Count(Vendor) < 2 ? na : Witness(MinStep(loads, (e, after) =>
            Vendor(e.Op.Patch) && Enabled(after).Contains(e.Op.Patch)
            && patches.Any(q => Vendor(q) && (e.Affected & (1UL << q)) != 0 && c[q].Release > c[e.Op.Patch].Release)));
        return result;
    }
}
