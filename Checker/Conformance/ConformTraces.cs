using Klp.Check.Engine;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Conformance;

/// <summary>The traces <c>conform</c> runs: scenario files made atomic, and traces generated over a catalog.</summary>
public static class ConformTraces
{
    /// <summary>The model's reading of the kernel: upstream, atomic.</summary>
    public static Reading Upstream { get; } = Readings.Upstream.With(Readings.Upstream.Options with { Granularity = Granularity.Atomic });

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
        why = null;
        var c = scenario.Catalog;
        var mode = scenario.Mode ?? Granularity.Atomic;
        var reading = Readings.Upstream.With(Readings.Upstream.Options with { Granularity = mode });
        var state = KernelState.Empty;
        var ops = new List<Operation>();
        var lines = new List<int>();
        var phases = new List<Phase>();
        var steps = scenario.Steps.Where(s => s.Operation is not null).ToList();
        var held = false;
        for (var k = 0; k < steps.Count; k++)
        {
            var step = steps[k];
            var op = step.Operation!.Value;
            var where = $"line {step.Line}: '{step.Text}'";
            var outcome = Kernel.Step(c, reading, state, op);
            var after = outcome.State;
            var unnamed = op.Kind is OpKind.Complete or OpKind.Reverse || op.Kind == OpKind.Force && op.Patch == Operation.NoPatch;
            if (op.Params != 0)
            {
                why = $"{where} passes an add_sets load parameter, which upstream livepatch does not have";
                return null;
            }
            if (!state.InTransition)
            {
                if (unnamed)
                {
                    why = $"{where} names no patch and no transition is open: no kernel action";
                    return null;
                }
                var opens = after.InTransition;
                if (opens && k + 1 < steps.Count && steps[k + 1].Operation!.Value.Kind == OpKind.Complete)
                {
                    // The kernel completes it at once: one settled step.
                    after = Kernel.Step(c, reading, after, Operation.Complete()).State;
                    k++;
                    phases.Add(new Phase(PhaseKind.Settled, -1, false));
                }
                else if (opens)
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
            lines.Add(step.Line);
            state = after;
        }
        if (ops.Count == 0)
        {
            why = "the scenario has no operation";
            return null;
        }
        return (ops, lines, held ? phases : null);
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
        var accepted = new List<Operation>();
        while (traces.Count < count)
        {
            var state = KernelState.Empty;
            var ops = new Operation[length];
            for (var k = 0; k < length; k++)
            {
                accepted.Clear();
                foreach (var op in alphabet)
                    if (Kernel.Step(catalog, Upstream, state, op).Accepted) accepted.Add(op);
                var pickAccepted = accepted.Count > 0 && Next(ref rng) % 5 != 0;
                ops[k] = pickAccepted ? accepted[(int)(Next(ref rng) % (ulong)accepted.Count)] : alphabet[(int)(Next(ref rng) % (ulong)alphabet.Length)];
                state = Kernel.Step(catalog, Upstream, state, ops[k]).State;
            }
            traces.Add(ops);
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
