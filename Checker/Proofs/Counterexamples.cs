using System.Collections.Immutable;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Proofs;

/// <summary>Turns a solver's counterexample into a verdict: a concrete catalog and trace, replayed through <see cref="Kernel.Step"/> and the property's own check, then minimized with the same replay as the judge.</summary>
internal static class Counterexamples
{
    /// <summary>The violation a model shows, or a <see cref="ProofInternalError"/> when it does not replay.</summary>
    public static ProofVerdict Make(Prover prover, Property property, Dictionary<int, UInt128> model, IReadOnlyList<SymbolicOp> ops)
    {
        var c = prover.Catalog;
        var reading = prover.Reading;
        UInt128 Value(Term v) => v.Kind == TermKind.Const ? v.Value
            : model.TryGetValue(v.Id, out var x) ? x : throw new ProofInternalError($"the model gives no value for {v}");
        var masks = new List<UInt128>();
        foreach (var op in ops)
            if (Value(op.HasParam) == 1 && !masks.Contains(Value(op.Param))) masks.Add(Value(op.Param));
        var input = ConcreteInput.Build(c, Value, masks);
        var trace = new List<Operation>();
        foreach (var op in ops)
        {
            var kind = (OpKind)(int)Value(op.Kind);
            var patch = (int)UInt128.TrailingZeroCount(Value(op.Patch));
            trace.Add(kind switch
            {
                OpKind.Load => Operation.Load(patch, Value(op.HasParam) == 1 ? masks.IndexOf(Value(op.Param)) + 1 : 0),
                OpKind.Disable => Operation.Disable(patch),
                OpKind.Unload => Operation.Unload(patch),
                OpKind.Complete => Operation.Complete(),
                OpKind.Reverse => Operation.Reverse(),
                _ => Value(op.Named) == 1 ? Operation.Force(patch) : Operation.Force(),
            });
        }
        if (Check(input.Catalog, reading, property, trace) is not { } found)
            throw new ProofInternalError($"{property.Id} under {reading.DisplayName}: the solver's counterexample does not replay through Kernel.Step and the property's check:\n"
                + input.Describe() + "$ " + string.Join("; ", trace.Select(o => o.Format(input.Catalog))));
        var (catalog, plan, minimal, message) = input.Plan is { } p
            ? MinimizePlan(p, reading, property, trace, found)
            : MinimizeRaw(input.Catalog, reading, property, trace, found);
        Settle(catalog, reading, property, minimal);
        message = Check(catalog, reading, property, minimal)
            ?? throw new ProofInternalError($"{property.Id} under {reading.DisplayName}: the minimized counterexample with its settling operations does not replay");
        return new ProofVerdict(property, reading, prover.Scope, ProofOutcome.Violated, message)
        {
            Method = "bounded model checking from the empty kernel",
            K = minimal.Count,
            Depth = ops.Count,
            Catalog = catalog,
            Trace = minimal,
            Input = plan?.ToString() ?? CatalogText.Describe(catalog),
        };
    }

    // A step property's check judges a load or disable once it settles: in two-phase mode the
    // trace shows the Complete (and for refusal-is-atomic the Reverse) that the check applies.
    private static void Settle(Catalog catalog, Reading reading, Property property, List<Operation> trace)
    {
        if (reading.Options.Granularity != Granularity.TwoPhase || trace.Count == 0) return;
        if (!SymbolicProperties.Shapes.TryGetValue(property.Id, out var shape) || shape != PropertyShape.Step) return;
        KernelState s;
        try
        {
            s = new Trace(catalog, reading, trace).End();
        }
        catch (InvalidOperationException)
        {
            return;
        }
        var last = trace[^1];
        if (!s.InTransition || last.Kind is not (OpKind.Load or OpKind.Disable)) return;
        if (property.Id == "refusal-is-atomic" && last.Kind == OpKind.Load) trace.Add(Operation.Reverse());
        trace.Add(Operation.Complete());
    }

    /// <summary>What the property's own check says of a trace that replays (every operation but the last accepted), or null.</summary>
    public static string? Check(Catalog catalog, Reading reading, Property property, IReadOnlyList<Operation> trace)
    {
        var run = new Trace(catalog, reading, trace);
        try
        {
            run.End();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        var finding = PropertyChecks.OnTrace([property], run)[0].Finding;
        return finding.Found ? finding.Message ?? property.Id : null;
    }

    private static (Catalog, ReleasePlan?, List<Operation>, string) MinimizeRaw(Catalog start, Reading reading, Property property, List<Operation> startTrace, string startMessage)
    {
        var patches = start.Patches.ToList();
        var variants = start.AddSetsVariants.Skip(1).ToList();
        var trace = startTrace;
        var message = startMessage;
        bool Try(List<Patch> ps, List<ImmutableArray<uint>> vs, List<Operation> ops)
        {
            Catalog cat;
            try
            {
                cat = new Catalog(ps, vs);
            }
            catch (CatalogException)
            {
                return false;
            }
            if (Check(cat, reading, property, ops) is not { } m) return false;
            (patches, variants, trace, message) = (ps, vs, ops, m);
            return true;
        }
        var changed = true;
        while (changed)
        {
            changed = false;
            for (var i = trace.Count - 1; i >= 0 && !changed; i--)
                changed = Try(patches, variants, [.. trace.Where((_, k) => k != i)]);
            for (var j = patches.Count - 1; j >= 0 && !changed; j--)
            {
                if (trace.Any(o => o.Patch == j)) continue;
                var jj = j;
                changed = Try([.. patches.Where((_, k) => k != jj)], variants,
                    WithoutPatch(trace, jj));
            }
            for (var v = variants.Count; v >= 1 && !changed; v--)
            {
                if (trace.Any(o => o.Kind == OpKind.Load && o.Params == v)) continue;
                var vv = v;
                changed = Try(patches, [.. variants.Where((_, k) => k != vv - 1)],
                    [.. trace.Select(o => o.Kind == OpKind.Load && o.Params > vv ? o with { Params = (byte)(o.Params - 1) } : o)]);
            }
            for (var j = 0; j < patches.Count && !changed; j++)
                foreach (var simpler in Simpler(patches[j]))
                {
                    var copy = patches.ToList();
                    copy[j] = simpler;
                    if (changed = Try(copy, variants, trace)) break;
                }
        }
        return (new Catalog(patches, variants), null, trace, message);
    }

    // The trace on the catalog without patch j (which it does not name): the later patches move down one.
    private static List<Operation> WithoutPatch(List<Operation> trace, int j) =>
        [.. trace.Select(o => o.Patch != Operation.NoPatch && o.Patch > j ? o with { Patch = (byte)(o.Patch - 1) } : o)];

    // Each patch with one attribute fewer: a function, a state, a set after the first, the replace flag, a block flag, a version.
    private static IEnumerable<Patch> Simpler(Patch p)
    {
        for (var i = 0; i < p.Funcs.Length && p.Funcs.Length > 1; i++) yield return p with { Funcs = p.Funcs.RemoveAt(i) };
        for (var i = 0; i < p.States.Length; i++) yield return p with { States = p.States.RemoveAt(i) };
        for (var i = 0; i < p.States.Length; i++)
        {
            if (p.States[i].BlockDisable) yield return p with { States = p.States.SetItem(i, p.States[i] with { BlockDisable = false }) };
            if (p.States[i].Version > 0) yield return p with { States = p.States.SetItem(i, p.States[i] with { Version = p.States[i].Version - 1 }) };
        }
        for (var i = 1; i < p.Sets.Length; i++) yield return p with { Sets = p.Sets.RemoveAt(i) };
        if (p.Replace) yield return p with { Replace = false };
    }

    private static (Catalog, ReleasePlan?, List<Operation>, string) MinimizePlan(ReleasePlan start, Reading reading, Property property, List<Operation> startTrace, string startMessage)
    {
        var releases = start.Releases.ToList();
        var trace = startTrace;
        var message = startMessage;
        bool Try(List<Release> rs, List<Operation> ops)
        {
            var plan = new ReleasePlan([.. rs]);
            if (Check(plan.Encode(reading), reading, property, ops) is not { } m) return false;
            (releases, trace, message) = (rs, ops, m);
            return true;
        }
        var changed = true;
        while (changed)
        {
            changed = false;
            for (var i = trace.Count - 1; i >= 0 && !changed; i--)
                changed = Try(releases, [.. trace.Where((_, k) => k != i)]);
            for (var j = releases.Count - 1; j >= 0 && !changed; j--)
            {
                if (trace.Any(o => o.Patch == j) || releases.Any(r => r.Updates == j || r.SharesWith == j)) continue;
                var jj = j;
                int Shift(int x) => x > jj ? x - 1 : x;
                changed = Try([.. releases.Where((_, k) => k != jj).Select(r => r with { Updates = Shift(r.Updates), SharesWith = Shift(r.SharesWith) })],
                    WithoutPatch(trace, jj));
            }
            // An update between two versions goes: the next version updates the one before it.
            for (var j = releases.Count - 1; j >= 0 && !changed; j--)
            {
                if (releases[j].Intent != Intent.Update || trace.Any(o => o.Patch == j) || releases.Any(r => r.SharesWith == j)) continue;
                var jj = j;
                var target = releases[j].Updates;
                int Shift(int x) => x > jj ? x - 1 : x;
                changed = Try([.. releases.Where((_, k) => k != jj)
                        .Select(r => r with { Updates = Shift(r.Updates == jj ? target : r.Updates), SharesWith = Shift(r.SharesWith) })],
                    WithoutPatch(trace, jj));
            }
            for (var j = 0; j < releases.Count && !changed; j++)
                if (releases[j].SharesWith >= 0)
                {
                    var copy = releases.ToList();
                    copy[j] = copy[j] with { SharesWith = -1 };
                    changed = Try(copy, trace);
                }
            // The first cumulative that declares the state stops declaring it: the rest stay monotone.
            var first = releases.FindIndex(r => r.State is not null);
            if (!changed && first >= 0)
            {
                var copy = releases.ToList();
                copy[first] = copy[first] with { State = null };
                changed = Try(copy, trace);
            }
        }
        var final = new ReleasePlan([.. releases]);
        return (final.Encode(reading), final, trace, message);
    }
}
