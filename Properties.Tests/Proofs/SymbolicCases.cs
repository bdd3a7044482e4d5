using Klp.Check.Engine;
using Klp.Check.Model;
using Klp.Check.Proofs;

namespace Klp.Check.Tests.Proofs;

/// <summary>One encoding under test: a reading in a mode over an input space, with the symbolic step of a generic state and operation and an evaluator over it.</summary>
internal sealed class SymbolicStepUnderTest
{
    public SymbolicStepUnderTest(Reading reading, ProofScope scope)
    {
        Reading = reading;
        Terms = new Terms();
        Catalog = scope.Space == InputSpace.Plans ? SymbolicPlan.Build(Terms, scope, reading) : SymbolicCatalog.Raw(Terms, scope, reading);
        Kernel = new SymbolicKernel(Catalog);
        var auto = scope.Space == InputSpace.Plans && reading.Encoding == PlanEncoding.Dynamic && reading.HasSets;
        State = SymbolicState.Fresh(Catalog, "s", auto, param: reading.HasSets && reading.AddSetsParameter);
        // Every operation, whatever the mode: Step is total, and so must the encoding be.
        Op = SymbolicOp.Fresh(Catalog, "o", param: true);
        Outcome = Kernel.Step(State, Op);
        Roots = [Outcome.Accepted, Outcome.Affected, .. Outcome.Next.Fields, Catalog.Constraints, .. State.Fields, .. Op.Fields];
        Evaluator = new TermEvaluator(Terms, [.. Roots, .. ConcreteInput.Attributes(Catalog)]);
    }

    public Reading Reading { get; }
    public Terms Terms { get; }
    public SymbolicCatalog Catalog { get; }
    public SymbolicKernel Kernel { get; }
    public SymbolicState State { get; }
    public SymbolicOp Op { get; }
    public SymbolicOutcome Outcome { get; }
    public List<Term> Roots { get; }
    public TermEvaluator Evaluator { get; }
}

/// <summary>A concrete (catalog, state, operation) triple for a symbolic catalog: values for its variables, the catalog they stand for, a state reached by a random run and an operation.</summary>
internal sealed record StepCase(Dictionary<int, UInt128> Values, ConcreteInput Input, KernelState State, Operation Op, IReadOnlyList<Operation> Run);

/// <summary>Builds random triples: catalog variables within the symbolic catalog's constraints (a raw catalog's attributes, or a release plan), then a random run from the empty kernel and one more operation.</summary>
internal static class SymbolicCases
{
    public static StepCase Make(SymbolicStepUnderTest u, Random random)
    {
        var c = u.Catalog;
        var values = new Dictionary<int, UInt128>();
        var masks = new List<UInt128>();
        if (c.Plan is { } plan) PlanValues(c, plan, random, values);
        else
        {
            RawValues(c, random, values);
            for (var i = random.Next(3); i > 0; i--) masks.Add(NonEmpty(random, c.U));
        }
        var input = ConcreteInput.Build(c, v => values[v.Id], masks.Distinct().ToList());
        var catalog = input.Catalog;
        var ops = Ops(catalog);
        var s = KernelState.Empty;
        var run = new List<Operation>();
        for (var i = random.Next(14); i > 0; i--)
        {
            var op = ops[random.Next(ops.Count)];
            // Mostly the operations the mode offers, so that runs go somewhere.
            if (u.Reading.Options.Granularity == Granularity.Atomic && op.Kind is OpKind.Complete or OpKind.Reverse or OpKind.Force && random.Next(4) > 0) continue;
            var o = Kernel.Step(catalog, u.Reading, s, op);
            run.Add(op);
            s = o.State;
        }
        return new StepCase(values, input, s, ops[random.Next(ops.Count)], run);
    }

    // Every operation on the catalog: loads with every add_sets value, disables, unloads, the
    // transition operations, and Force naming each patch.
    private static List<Operation> Ops(Catalog catalog)
    {
        var list = Alphabet.For(catalog, Granularity.TwoPhase).ToList();
        for (var p = 0; p < catalog.Count; p++) list.Add(Operation.Force(p));
        return list;
    }

    private static UInt128 NonEmpty(Random random, int width)
    {
        UInt128 m;
        do m = Bits(random, width);
        while (m == 0);
        return m;
    }

    private static UInt128 Bits(Random random, int width)
    {
        UInt128 m = 0;
        for (var i = 0; i < width; i++)
            if (random.Next(3) == 0) m |= UInt128.One << i;
        return m;
    }

    private static void RawValues(SymbolicCatalog c, Random random, Dictionary<int, UInt128> values)
    {
        foreach (var v in c.Variables)
        {
            var name = v.Name!;
            var field = name[(name.LastIndexOf('.') + 1)..];
            var patch = name.Split('.')[1];
            UInt128 Of(string f) => c.T.Variables.TryGetValue($"c.{patch}.{f}", out var w) && values.TryGetValue(w.Id, out var x) ? x : 0;
            UInt128 value = field switch
            {
                "vendor" or "cumulative" or "replace" => (uint)random.Next(2),
                "dup" => random.Next(10) == 0 ? 1u : 0u,
                "release" => (uint)random.Next(1 << v.Width),
                "funcs" or "funcs0" => NonEmpty(random, v.Width),
                "funcs1" => Bits(random, v.Width),
                "states" => Bits(random, v.Width),
                "block" => Bits(random, v.Width) & Of("states"),
                "sets" => NonEmpty(random, v.Width),
                "own" => Pick(random, Of("sets")),
                _ when field.StartsWith('v') => ((Of("states") >> int.Parse(field[1..], System.Globalization.CultureInfo.InvariantCulture)) & 1) == 0 ? 0u : (uint)random.Next(1 << v.Width),
                _ => throw new InvalidOperationException($"no generator for {v.Name}"),
            };
            values[v.Id] = value;
        }
    }

    private static UInt128 Pick(Random random, UInt128 mask)
    {
        var bits = Enumerable.Range(0, 128).Where(b => (mask >> b & 1) != 0).ToList();
        return UInt128.One << bits[random.Next(bits.Count)];
    }

    // A random plan of the kind compare enumerates, with the counts lifted.
    private static void PlanValues(SymbolicCatalog c, PlanTerms plan, Random random, Dictionary<int, UInt128> values)
    {
        var n = c.N;
        var intents = new int[n];
        var line = new int[n];
        var latest = new Dictionary<int, int>();
        var declared = false;
        UInt128 version = 0;
        var block = false;
        var versionTop = c.VW >= 64 ? ulong.MaxValue : (1UL << c.VW) - 1;
        void Set(Term v, UInt128 x)
        {
            if (v.Kind == TermKind.Var) values[v.Id] = x;
        }
        for (var i = 0; i < n; i++)
        {
            var choices = new List<int> { SymbolicPlan.Cumulative, SymbolicPlan.Hotfix, SymbolicPlan.Customer };
            if (latest.Count > 0) choices.Add(SymbolicPlan.Update);
            var intent = choices[random.Next(choices.Count)];
            intents[i] = intent;
            UInt128 updates = 0, shares = 0;
            line[i] = -1;
            if (intent == SymbolicPlan.Hotfix)
            {
                line[i] = i;
                latest[i] = i;
            }
            if (intent == SymbolicPlan.Update)
            {
                var l = latest.Keys.ElementAt(random.Next(latest.Count));
                updates = UInt128.One << latest[l];
                line[i] = l;
                latest[l] = i;
            }
            Set(plan.Intent[i], (uint)intent);
            Set(plan.Updates[i], updates);
            var isDeclared = false;
            if (intent == SymbolicPlan.Cumulative)
            {
                declared |= random.Next(3) == 0;
                isDeclared = declared;
                if (isDeclared && random.Next(3) == 0 && version < versionTop) version++;
                block |= isDeclared && random.Next(4) == 0;
            }
            Set(plan.Declares[i], isDeclared ? 1u : 0u);
            Set(plan.Version[i], isDeclared ? version : 0);
            Set(plan.Block[i], isDeclared && block ? 1u : 0u);
            Set(plan.Shares[i], shares);
        }
        // Sharing may name a later vendor release: decided once every intent is known.
        for (var i = 0; i < n; i++)
        {
            if (intents[i] != SymbolicPlan.Customer || random.Next(2) == 0) continue;
            var vendors = Enumerable.Range(0, n).Where(j => intents[j] is SymbolicPlan.Cumulative or SymbolicPlan.Hotfix).ToList();
            if (vendors.Count > 0) Set(plan.Shares[i], UInt128.One << vendors[random.Next(vendors.Count)]);
        }
    }

    /// <summary>Where the symbolic step and <see cref="Kernel.Step"/> disagree on a triple: one line each, none when they agree.</summary>
    public static List<string> Disagreements(SymbolicStepUnderTest u, StepCase k)
    {
        var assignment = new Dictionary<int, UInt128>(k.Values);
        k.Input.Assign(u.State, k.State, assignment);
        k.Input.Assign(u.Op, k.Op, assignment);
        u.Evaluator.Evaluate(v => assignment.TryGetValue(v.Id, out var x) ? x : throw new KeyNotFoundException($"no value for {v.Name}"));
        var e = u.Evaluator;
        var problems = k.Input.Mismatches(e);
        var outcome = Kernel.Step(k.Input.Catalog, u.Reading, k.State, k.Op);
        void Same(string what, UInt128 symbolic, UInt128 concrete)
        {
            if (symbolic != concrete) problems.Add($"{what}: symbolic {symbolic}, Kernel.Step {concrete}");
        }
        Same("accepted", e.Value(u.Outcome.Accepted), outcome.Accepted ? 1u : 0u);
        Same("affected", e.Value(u.Outcome.Affected), outcome.Affected);
        var n = u.Outcome.Next;
        var s = outcome.State;
        Same("list", e.Value(n.InList), s.InPatches);
        Same("loaded", e.Value(n.Loaded), s.Loaded);
        Same("pinned", e.Value(n.Pinned), s.Pinned);
        Same("transition", e.Value(n.Trans), s.InTransition ? UInt128.One << s.TransitionPatch : 0);
        Same("target", e.Value(n.Target), s.TargetPatched ? 1u : 0u);
        Same("replacing", e.Value(n.Replacing), s.Replacing);
        var (older, param, auto) = k.Input.Project(s);
        for (var p = 0; p < u.Catalog.N; p++)
        {
            Same($"older {p}", e.Value(n.Older[p]), older[p]);
            Same($"add_sets {p}", e.Value(n.Param[p]), param[p]);
            Same($"allocated {p}", e.Value(n.Auto[p]), auto[p]);
        }
        return problems;
    }
}
