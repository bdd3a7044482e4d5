using Klp.Check.Engine;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Conformance;

/// <summary>The traces <c>conform</c> runs: scenario files made atomic, and traces generated over a catalog.</summary>
public static class ConformTraces
{
    /// <summary>The model's reading of the kernel: upstream, atomic.</summary>
    public static Reading Upstream { get; } = Readings.Upstream.WithGranularity(Granularity.Atomic);

    /// <summary>The operations of a scenario as a trace, with their lines and, for a trace that holds transitions open, how each is realised; null with the reason when the kernel cannot run it.</summary>
    /// <remarks>
    /// A transition completed by the next operation is one step: the kernel completes it on its
    /// own in an idle guest, so the load or disable and its <c>complete</c> are one settled
    /// step. When every transition is completed that way the trace is atomic (no phases).
    /// Otherwise the trace is two-phase: a transition that stays open is held open by the busy
    /// module's threads (<see cref="Realisation.BusyModuleSource"/>), operations inside it run
    /// without waiting, <c>complete</c> releases the threads, <c>reverse</c> writes the opposite
    /// value to the transition patch's <c>enabled</c>, and <c>force</c> writes its <c>force</c>.
    /// </remarks>
    public static (List<Operation> Ops, List<int> Lines, List<Phase>? Phases)? FromScenario(Scenario scenario, out string? why)
    {
        var steps = scenario.Steps.Where(s => s.Operation is not null).ToList();
        var realised = Realise(scenario.Catalog, scenario.Mode ?? Granularity.Atomic, [.. steps.Select(s => s.Operation!.Value)],
            k => $"line {steps[k].Line}: '{steps[k].Text}'", out why);
        if (realised is not { } r) return null;
        if (r.Ops.Count == 0)
        {
            why = "the scenario has no operation";
            return null;
        }
        return (r.Ops, [.. r.Source.Select(k => steps[k].Line)], r.Phases);
    }

    /// <summary>Operations as the harness runs them: a transition that the next operation completes is one settled step with it; one that stays open is held (<see cref="PhaseKind.Open"/>, then the phases inside it); null with the reason when an operation has no kernel action.</summary>
    /// <param name="c">The catalog.</param>
    /// <param name="mode">The mode the operations are written in.</param>
    /// <param name="given">The operations.</param>
    /// <param name="where">Names operation k in a reason.</param>
    /// <param name="why">Why the operations cannot run, or null.</param>
    /// <returns>The operations run, per operation the index of the given one it is, and the phases (null when no transition is held open: an atomic trace).</returns>
    public static (List<Operation> Ops, List<int> Source, List<Phase>? Phases)? Realise(Catalog c, Granularity mode, IReadOnlyList<Operation> given, Func<int, string> where, out string? why)
    {
        why = null;
        var reading = Readings.Upstream.WithGranularity(mode);
        // The model's run of the operations as given; a settled step's state is the one after the complete that follows it.
        var outcomes = new Trace(c, reading, given).Replay();
        var state = KernelState.Empty;
        var ops = new List<Operation>();
        var source = new List<int>();
        var phases = new List<Phase>();
        var held = false;
        for (var k = 0; k < given.Count; k++)
        {
            var op = given[k];
            var after = outcomes[k].State;
            var unnamed = op.Kind is OpKind.Complete or OpKind.Reverse || op.Kind == OpKind.Force && op.Patch == Operation.NoPatch;
            if (op.Params != 0)
            {
                why = $"{where(k)} passes an add_sets load parameter, which upstream livepatch does not have";
                return null;
            }
            if (!state.InTransition)
            {
                if (unnamed)
                {
                    why = $"{where(k)} names no patch and no transition is open: no kernel action";
                    return null;
                }
                var opens = after.InTransition;
                if (opens && k + 1 < given.Count && given[k + 1].Kind == OpKind.Complete)
                {
                    // The kernel completes it at once: one settled step.
                    after = outcomes[k + 1].State;
                    phases.Add(new Phase(PhaseKind.Settled, -1, false));
                    ops.Add(op);
                    source.Add(k);
                    state = after;
                    k++;
                    continue;
                }
                if (opens)
                {
                    phases.Add(new Phase(PhaseKind.Open, after.TransitionPatch, after.TargetPatched));
                    held = true;
                }
                else phases.Add(new Phase(PhaseKind.Settled, -1, false));
            }
            else
            {
                var kind = op.Kind == OpKind.Complete ? PhaseKind.Release : after.InTransition ? PhaseKind.Inside : PhaseKind.Close;
                phases.Add(new Phase(kind, state.TransitionPatch, state.TargetPatched));
            }
            ops.Add(op);
            source.Add(k);
            state = after;
        }
        return (ops, source, held ? phases : null);
    }

    /// <summary>The operations generated traces choose from: the atomic exploration alphabet (load, disable, unload of every patch) and force of every patch.</summary>
    public static Operation[] Alphabet(Catalog catalog) =>
        [.. Engine.Alphabet.For(catalog, Granularity.Atomic), .. Enumerable.Range(0, catalog.Count).Select(p => Operation.Force(p))];

    /// <summary>The depth up to which every trace is run: the largest of 2 and 3 whose traces are at most half of <paramref name="count"/>, else 0.</summary>
    public static int ExhaustiveDepth(int alphabet, int count)
    {
        var depth = 0;
        long n = alphabet;
        for (var d = 1; d <= 3; d++, n *= alphabet)
            if (d >= 2 && n <= count / 2) depth = d;
        return depth;
    }

    /// <summary><paramref name="count"/> traces over a catalog: every trace of <see cref="ExhaustiveDepth"/>, then seeded random walks of <paramref name="length"/> operations that pick an operation the model accepts four times in five.</summary>
    public static List<Operation[]> Generate(Catalog catalog, int count, ulong seed, int length)
    {
        var alphabet = Alphabet(catalog);
        var traces = new List<Operation[]>();
        var depth = ExhaustiveDepth(alphabet.Length, count);
        if (depth > 0)
        {
            var total = (int)Math.Pow(alphabet.Length, depth);
            for (var i = 0; i < total; i++)
            {
                var ops = new Operation[depth];
                var x = i;
                for (var k = depth - 1; k >= 0; k--, x /= alphabet.Length) ops[k] = alphabet[x % alphabet.Length];
                traces.Add(ops);
            }
        }
        var rng = seed;
        while (traces.Count < count) traces.Add(Walk(catalog, Upstream, length, ref rng, _ => alphabet));
        return traces;
    }

    // A seeded random walk of the model under a reading: at each step, among the candidates of
    // the state, an operation the model accepts four times in five, else any candidate.
    private static Operation[] Walk(Catalog catalog, Reading reading, int length, ref ulong rng, Func<KernelState, IReadOnlyList<Operation>> candidatesOf)
    {
        var state = KernelState.Empty;
        var ops = new Operation[length];
        var accepted = new List<Operation>();
        for (var k = 0; k < length; k++)
        {
            var candidates = candidatesOf(state);
            accepted.Clear();
            foreach (var op in candidates)
                if (Kernel.Step(catalog, reading, state, op).Accepted) accepted.Add(op);
            var pickAccepted = accepted.Count > 0 && Next(ref rng) % 5 != 0;
            ops[k] = pickAccepted ? accepted[(int)(Next(ref rng) % (ulong)accepted.Count)] : candidates[(int)(Next(ref rng) % (ulong)candidates.Count)];
            state = Kernel.Step(catalog, reading, state, ops[k]).State;
        }
        return ops;
    }

    /// <summary>The model's reading for traces that hold transitions open: upstream, two-phase.</summary>
    public static Reading UpstreamTwoPhase { get; } = Readings.Upstream.WithGranularity(Granularity.TwoPhase);

    /// <summary>
    /// <paramref name="count"/> two-phase traces over a catalog: seeded random walks of
    /// <paramref name="length"/> operations in two-phase mode, each realised with its transitions
    /// held open (<see cref="Realise"/>). The walk picks from the load, disable, unload and force
    /// of every patch and, while a transition runs, <c>complete</c> and <c>reverse</c>; four times
    /// in five an operation the model accepts, else any (a refusal inside a transition, for
    /// example a load refused with EBUSY).
    /// </summary>
    public static List<(IReadOnlyList<Operation> Ops, IReadOnlyList<Phase>? Phases)> GenerateTwoPhase(Catalog catalog, int count, ulong seed, int length)
    {
        var named = Alphabet(catalog);
        Operation[] inTransition = [.. named, Operation.Complete(), Operation.Reverse()];
        var traces = new List<(IReadOnlyList<Operation>, IReadOnlyList<Phase>?)>();
        var rng = seed;
        while (traces.Count < count)
        {
            var ops = Walk(catalog, UpstreamTwoPhase, length, ref rng, s => s.InTransition ? inTransition : named);
            // Every operation has a kernel action (complete and reverse only inside a transition).
            var r = Realise(catalog, Granularity.TwoPhase, ops, k => $"operation {k + 1}", out var why)
                ?? throw new InvalidOperationException(why);
            traces.Add((r.Ops, r.Phases));
        }
        return traces;
    }

    // splitmix64: the same numbers on every platform and runtime.
    private static ulong Next(ref ulong s)
    {
        var z = s += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
