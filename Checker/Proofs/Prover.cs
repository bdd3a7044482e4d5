using System.Diagnostics;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Proofs;

/// <summary>How hard a proof tries.</summary>
/// <param name="Solver">Which solvers answer.</param>
/// <param name="TimeoutMs">The limit of one query.</param>
/// <param name="MaxK">The largest k of k-induction tried.</param>
/// <param name="MaxDepth">How deep the search for a counterexample from the empty kernel goes when induction fails.</param>
/// <param name="Jobs">How many sessions answer the independent queries of one step (the lemma search, and induction at k = 1) at once; the verdicts do not depend on it.</param>
public sealed record ProverOptions(SolverChoice Solver = SolverChoice.Z3, int TimeoutMs = 120_000, int MaxK = 3, int MaxDepth = 6, int Jobs = 1);

/// <summary>Proves the safety properties of one reading within a scope: lemmas by Houdini, then k-induction relative to them, with bounded model checking from the empty kernel for the base cases and for counterexamples.</summary>
/// <remarks>
/// One prover serves every property of its reading: the strengthening lemmas are found once (the
/// largest subset of <see cref="Lemmas.Candidates"/> that holds initially and that every step
/// preserves), and the bounded search from the empty kernel is one unrolling that grows as deep as
/// some property needs. A counterexample is made concrete, minimized, and replayed through
/// <see cref="Kernel.Step"/> and the property's own check before it becomes a verdict.
/// </remarks>
public sealed class Prover : IDisposable
{
    private readonly Terms t = new();
    private readonly ProverOptions options;
    private readonly bool auto, param;
    private Unrolling? induction, bmc;
    private List<Lemma>? invariant;
    private List<string> droppedLemmas = [];
    private TimeSpan lemmaTime;
    private int lemmaQueries;

    /// <summary>The reading (with the proof's mode).</summary>
    public Reading Reading { get; }

    /// <summary>The bounds.</summary>
    public ProofScope Scope { get; }

    /// <summary>The symbolic catalog.</summary>
    public SymbolicCatalog Catalog { get; }

    /// <summary>The symbolic step.</summary>
    public SymbolicKernel Kernel { get; }

    /// <summary>The safety properties as terms.</summary>
    public SymbolicProperties Properties { get; }

    /// <summary>Sets up the encoding; no solver runs until a property is proved.</summary>
    public Prover(Reading reading, ProofScope scope, ProverOptions options)
    {
        if (Unsupported(reading, scope) is { } why) throw new ArgumentException(why, nameof(scope));
        Reading = reading;
        Scope = scope;
        this.options = options;
        Catalog = scope.Space == InputSpace.Plans ? SymbolicPlan.Build(t, scope, reading) : SymbolicCatalog.Raw(t, scope, reading);
        Kernel = new SymbolicKernel(Catalog);
        Properties = new SymbolicProperties(Kernel);
        auto = scope.Space == InputSpace.Plans && reading.HasSets && reading.Encoding == PlanEncoding.Dynamic;
        param = scope.Space == InputSpace.Raw && reading.HasSets && reading.AddSetsParameter;
    }

    /// <summary>Why the encoder cannot express a reading within a scope, or null when it can.</summary>
    public static string? Unsupported(Reading reading, ProofScope scope)
    {
        if (scope.Patches is < 1 or > ProofScope.MaxPatches) return $"--patches takes a whole number from 1 to {ProofScope.MaxPatches}, not {scope.Patches}";
        if (scope.Space == InputSpace.Raw)
        {
            if (scope.Functions is < 1 or > 64) return $"--functions takes a whole number from 1 to 64, not {scope.Functions}";
            if (scope.SetNumbers is < 1 or > 64) return $"--set-numbers takes a whole number from 1 to 64, not {scope.SetNumbers}";
            if (scope.StateIds is < 1 or > 32) return $"--state-ids takes a whole number from 1 to 32, not {scope.StateIds}";
            if (scope.VersionBits is < 1 or > 32) return $"--version-bits takes a whole number from 1 to 32, not {scope.VersionBits}";
        }
        return null;
    }

    /// <summary>The solver(s) of the options, as reports name them.</summary>
    public string SolverName => options.Solver switch { SolverChoice.Z3 => "z3", SolverChoice.Cvc5 => "cvc5", _ => "z3+cvc5" };

    /// <summary>The strengthening lemmas, found on first use: their names (kept), and the candidates dropped.</summary>
    public (IReadOnlyList<string> Kept, IReadOnlyList<string> Dropped, TimeSpan Time) LemmaSummary
    {
        get
        {
            Invariant();
            return ([.. invariant!.Select(l => l.Name)], droppedLemmas, lemmaTime);
        }
    }

    /// <summary>Proves one property (n/a for liveness, witnesses and properties that do not apply).</summary>
    /// <exception cref="ProofInternalError">A counterexample did not replay.</exception>
    /// <exception cref="SolverDisagreement">Z3 and cvc5 disagreed.</exception>
    public ProofVerdict Prove(Property property)
    {
        var clock = Stopwatch.StartNew();
        ProofVerdict NotApplicable(string why) => new(property, Reading, Scope, ProofOutcome.NotApplicable, why) { Solver = SolverName };
        if (property.Kind != PropertyKind.Safety)
            return NotApplicable(property.Kind == PropertyKind.Liveness
                ? "liveness: proved only within bounds (check); k-induction proves safety"
                : "witness: shown reachable within bounds (check); a proof covers safety only");
        if (property.NotApplicable(Reading) is { } why) return NotApplicable(why);
        if (!SymbolicProperties.Shapes.TryGetValue(property.Id, out var shape)) return NotApplicable("no symbolic encoding of this property");

        var lemmas = Invariant();
        var before = Spent();
        var tried = new List<string>();
        List<string>? cti = null;
        var depthSearched = -1;
        for (var k = 1; k <= options.MaxK; k++)
        {
            // The base case: no violation within the first k steps from the empty kernel.
            var found = SearchUpTo(property, shape, k - 1, ref depthSearched);
            if (found is not null) return Finish(found, clock, before);
            var (answer, model) = InductionStep(property, shape, k);
            if (answer == SatAnswer.Unsat)
                return Finish(new ProofVerdict(property, Reading, Scope, ProofOutcome.Proved,
                    $"{(k == 1 ? "inductive" : $"{k}-inductive")} relative to {lemmas.Count} lemmas proved inductive")
                {
                    Method = "k-induction",
                    K = k,
                    Lemmas = [.. lemmas.Select(l => l.Name)],
                }, clock, before);
            tried.Add(answer == SatAnswer.Sat ? $"k={k}: not inductive" : $"k={k}: solver gave up (timeout {options.TimeoutMs / 1000} s)");
            if (model is not null) cti = CounterexampleText.Induction(this, model);
        }
        var deeper = SearchUpTo(property, shape, options.MaxDepth - 1, ref depthSearched);
        if (deeper is not null) return Finish(deeper, clock, before);
        tried.Add($"no counterexample in {options.MaxDepth} operations from the empty kernel");
        return Finish(new ProofVerdict(property, Reading, Scope, ProofOutcome.Unknown, string.Join("; ", tried))
        {
            Method = "k-induction",
            K = options.MaxK,
            Depth = options.MaxDepth,
            Lemmas = [.. lemmas.Select(l => l.Name)],
            CounterexampleToInduction = cti,
        }, clock, before);
    }

    private (int Queries, TimeSpan Time, TimeSpan Cpu) Spent()
    {
        var (q1, t1, c1) = InductionSpent();
        var (q2, t2, c2) = bmc?.Session.Spent ?? (0, TimeSpan.Zero, TimeSpan.Zero);
        return (q1 + q2, t1 + t2, c1 + c2);
    }

    private (int Queries, TimeSpan Time, TimeSpan Cpu) InductionSpent()
    {
        var (q, time, cpu) = induction?.Session.Spent ?? (0, TimeSpan.Zero, TimeSpan.Zero);
        foreach (var (q2, t2, c2) in twins.Select(s => s.Spent)) (q, time, cpu) = (q + q2, time + t2, cpu + c2);
        return (q, time, cpu);
    }

    private ProofVerdict Finish(ProofVerdict v, Stopwatch clock, (int Queries, TimeSpan Time, TimeSpan Cpu) before)
    {
        var now = Spent();
        return v with { Solver = SolverName, Time = clock.Elapsed, Queries = now.Queries - before.Queries, SolverCpu = now.Cpu - before.Cpu };
    }

    // ---- lemmas

    private List<Lemma> Invariant()
    {
        if (invariant is not null) return invariant;
        var clock = Stopwatch.StartNew();
        var u = Induction();
        var candidates = Lemmas.Candidates(Kernel, Properties, auto);
        var s0 = u.States[0];
        var empty = SymbolicState.Empty(Catalog);
        var active = candidates.ToList();

        // Drop what the empty kernel breaks, then what some step from a state satisfying all the
        // rest breaks, one operation at a time, until a whole round drops nothing.
        while (active.Count > 0)
        {
            var at = active.Select(l => l.Holds(empty)).ToList();
            var (answer, model) = u.Session.Query([t.Not(t.And(at))], at);
            if (answer != SatAnswer.Sat)
            {
                if (answer == SatAnswer.Unknown) active.Clear();
                break;
            }
            active = [.. active.Where((l, i) => model![at[i].Id] == 1)];
        }
        var steps = steps0 ??= Steps(s0);
        for (var dropped = true; dropped && active.Count > 0;)
        {
            dropped = false;
            // All the lemmas in one query per operation; the first counterexample, in the order of
            // the operations, drops every lemma it breaks.
            var now = t.And(active.Select(l => l.Holds(s0)));
            var next = steps.Select(s => active.Select(l => l.Holds(s.Outcome.Next)).ToList()).ToList();
            var queries = steps.Select((s, i) => new PendingQuery([now, s.Op.InAlphabet(t, TwoPhase), s.Outcome.Accepted, t.Not(t.And(next[i]))], next[i], $"lemmas after {Describe(s.Op)}")).ToList();
            var answers = AnswerInOrder(queries, a => a != SatAnswer.Unsat);
            var first = Array.FindIndex(answers, a => a is { Answer: not SatAnswer.Unsat });
            if (first < 0) continue;
            var (answer, model) = answers[first]!.Value;
            // No answer, no lemma: the proofs go on without strengthening.
            active = answer == SatAnswer.Sat ? [.. active.Where((l, i) => model![next[first][i].Id] == 1)] : [];
            dropped = true;
        }
        // A sanity check against a vacuous encoding: some load is accepted in some state the lemmas allow.
        var (load, outcome0) = steps[0];
        if (u.Session.Query([t.And(active.Select(l => l.Holds(s0))), load.InAlphabet(t, TwoPhase), outcome0.Accepted], [], "a load is possible").Answer == SatAnswer.Unsat)
            throw new ProofInternalError($"{Reading.DisplayName}: no load is accepted in any state the lemmas allow; every proof would hold vacuously");
        invariant = active;
        droppedLemmas = [.. candidates.Where(l => !active.Contains(l)).Select(l => l.Name)];
        foreach (var l in active) u.Session.Assert(l.Holds(s0));
        lemmaTime = clock.Elapsed;
        (lemmaQueries, _, lemmaCpu) = InductionSpent();
        return active;
    }

    private bool TwoPhase => Reading.Options.Granularity == Granularity.TwoPhase;

    // Every operation from a state with its kind and patch fixed (the add_sets value stays free):
    // one small query each instead of one large one. On raw catalogs the patches are symmetric
    // (every attribute of each is free, and lemmas and properties treat all alike), so an
    // operation on patch 0 stands for an operation on any patch.
    private List<(SymbolicOp Op, SymbolicOutcome Outcome)> Steps(SymbolicState s)
    {
        var list = new List<(SymbolicOp, SymbolicOutcome)>();
        var hasParam = param ? t.BoolVar("i.p.hasParam") : t.False;
        var value = param ? t.Var("i.p.param", Catalog.U) : t.Zero(Catalog.U);
        var patches = Scope.Space == InputSpace.Raw ? 1 : Catalog.N;
        var kinds = new List<OpKind> { OpKind.Load, OpKind.Disable, OpKind.Unload };
        if (TwoPhase) kinds.AddRange([OpKind.Complete, OpKind.Reverse, OpKind.Force]);
        foreach (var kind in kinds)
            for (var p = 0; p < (kind is OpKind.Load or OpKind.Disable or OpKind.Unload ? patches : 1); p++)
            {
                var op = new SymbolicOp(t.Bv(3, (ulong)kind), t.BitConst(Catalog.N, p),
                    kind == OpKind.Load ? hasParam : t.False, kind == OpKind.Load ? value : t.Zero(Catalog.U), t.False);
                list.Add((op, Kernel.Step(s, op)));
            }
        return list;
    }

    private List<(SymbolicOp Op, SymbolicOutcome Outcome)>? steps0;

    private static string Describe(SymbolicOp op) =>
        $"{(OpKind)(int)op.Kind.Value} p{(op.Patch.IsConst ? UInt128.TrailingZeroCount(op.Patch.Value).ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")}";

    /// <summary>Queries the lemma search made, and the solvers' processor time for them.</summary>
    public (int Queries, TimeSpan Cpu) LemmaCost => (lemmaQueries, lemmaCpu);

    private TimeSpan lemmaCpu;

    private Unrolling Induction() =>
        induction ??= new Unrolling(new SmtSession(t, options.Solver, options.TimeoutMs), Kernel, fromEmpty: false, auto, param, "i");

    private Unrolling Bmc() =>
        bmc ??= new Unrolling(new SmtSession(t, options.Solver, options.TimeoutMs), Kernel, fromEmpty: true, auto, param, "b");

    // ---- induction

    // The induction step at k: k states (state properties) or k steps (step properties) where the
    // property holds, all satisfying the lemmas, and one more where it fails. At k = 1 one query
    // per operation; the answer is the first counterexample, else unsat (or unknown if some query
    // gave up). The model holds the values of every variable; a state of the window is given as
    // terms to evaluate.
    private (SatAnswer Answer, Cti? Model) InductionStep(Property property, PropertyShape shape, int k)
    {
        var u = Induction();
        if (k == 1)
        {
            var s0 = u.States[0];
            // A state property the lemmas imply holds after every step, since every step from a
            // state the lemmas allow leads to one they allow (the lemma search proved it): one
            // query on one state then stands for the step's queries, which all have no solution.
            if (shape == PropertyShape.State
                && u.Session.Query([t.Not(Properties.StateHolds(property.Id, s0))], [], $"{property.Id} implied by the lemmas").Answer == SatAnswer.Unsat)
                return (SatAnswer.Unsat, null);
            steps0 ??= Steps(s0);
            var queries = new List<PendingQuery>();
            var windows = new List<(SymbolicOp Op, SymbolicOutcome Outcome)>();
            foreach (var (op, outcome) in steps0)
            {
                var cases = shape == PropertyShape.State
                    ? [t.And(Properties.StateHolds(property.Id, s0), outcome.Accepted, t.Not(Properties.StateHolds(property.Id, outcome.Next)))]
                    : Properties.StepViolations(property.Id, s0, op, outcome);
                foreach (var bad in cases.Where(b => !b.IsFalse))
                {
                    var wanted = Catalog.Variables.Concat(s0.Fields).Concat(op.Fields).ToList();
                    queries.Add(new([op.InAlphabet(t, TwoPhase), bad], wanted, $"{property.Id} k=1 {Describe(op)}"));
                    windows.Add((op, outcome));
                }
            }
            // The first counterexample in the order of the queries, as if they were asked one by one.
            var answers = AnswerInOrder(queries, a => a == SatAnswer.Sat);
            var first = Array.FindIndex(answers, a => a is { Answer: SatAnswer.Sat });
            if (first >= 0) return (SatAnswer.Sat, new Cti(answers[first]!.Value.Model!, [s0, windows[first].Outcome.Next], [windows[first].Op]));
            return (answers.Any(a => a is { Answer: SatAnswer.Unknown }) ? SatAnswer.Unknown : SatAnswer.Unsat, null);
        }
        var states = shape == PropertyShape.State ? k + 1 : k;
        while (u.States.Count < states) u.AddState(s => t.And(invariant!.Select(l => l.Holds(s))));
        var window = new List<Term>();
        if (shape == PropertyShape.State)
        {
            for (var i = 0; i < k; i++) window.Add(Properties.StateHolds(property.Id, u.States[i]));
            window.Add(t.Not(Properties.StateHolds(property.Id, u.States[k])));
        }
        else
        {
            u.AddOp();
            for (var i = 0; i < k - 1; i++) window.Add(Properties.StepHolds(property.Id, u.States[i], u.Ops[i], u.Outcomes[i]));
            window.Add(t.Not(Properties.StepHolds(property.Id, u.States[k - 1], u.Ops[k - 1], u.Outcomes[k - 1])));
        }
        // A longer window is a path without repeated states: a loop shows nothing a shorter window does not.
        for (var i = 0; i < states; i++)
            for (var j = i + 1; j < states; j++)
                window.Add(t.Not(u.States[i].SameAs(t, u.States[j])));
        var all = Catalog.Variables
            .Concat(Enumerable.Range(0, states).SelectMany(i => u.States[i].Fields))
            .Concat(Enumerable.Range(0, k).SelectMany(i => u.Ops[i].Fields))
            .ToList();
        var (a, m) = u.Session.Query(window, all);
        return (a, m is null ? null : new Cti(m, [.. u.States.Take(states)], [.. u.Ops.Take(k)]));
    }

    private sealed record PendingQuery(IReadOnlyList<Term> Assumptions, IReadOnlyList<Term> Wanted, string Label);

    private readonly List<SmtSession> twins = [];

    // Answers independent queries over the induction session's assertions, on that session and up
    // to Jobs - 1 twins at once, each taking the next query in order. Once a query's answer is
    // final (stop), no later query is started; every earlier one is answered, so the answers up to
    // the first final one are those the queries asked one by one would give (an entry is null
    // only after it).
    private (SatAnswer Answer, Dictionary<int, UInt128>? Model)?[] AnswerInOrder(List<PendingQuery> queries, Func<SatAnswer, bool> stop)
    {
        var answers = new (SatAnswer Answer, Dictionary<int, UInt128>? Model)?[queries.Count];
        var primary = Induction().Session;
        var width = Math.Min(options.Jobs, queries.Count);
        if (width <= 1)
        {
            for (var i = 0; i < queries.Count; i++)
            {
                answers[i] = primary.Query(queries[i].Assumptions, queries[i].Wanted, queries[i].Label);
                if (stop(answers[i]!.Value.Answer)) break;
            }
            return answers;
        }
        while (twins.Count < width - 1) twins.Add(primary.Twin());
        var sessions = new List<SmtSession> { primary };
        foreach (var twin in twins.Take(width - 1))
        {
            twin.CatchUp();
            sessions.Add(twin);
        }
        var taken = -1;
        var final = int.MaxValue;
        var workers = sessions.Select(session => Task.Run(() =>
        {
            for (var i = Interlocked.Increment(ref taken); i < queries.Count && i < Volatile.Read(ref final); i = Interlocked.Increment(ref taken))
            {
                var answer = session.Query(queries[i].Assumptions, queries[i].Wanted, queries[i].Label);
                answers[i] = answer;
                if (!stop(answer.Answer)) continue;
                for (var seen = Volatile.Read(ref final); i < seen; seen = Volatile.Read(ref final))
                    if (Interlocked.CompareExchange(ref final, i, seen) == seen) break;
            }
        })).ToArray();
        try
        {
            Task.WaitAll(workers);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return answers;
    }

    // ---- bounded search from the empty kernel

    // Looks for a violation at depths up to maxDepth (a state after d operations, or the operation
    // from it); depthSearched says how far this property was already searched.
    private ProofVerdict? SearchUpTo(Property property, PropertyShape shape, int maxDepth, ref int depthSearched)
    {
        var u = Bmc();
        for (var d = depthSearched + 1; d <= maxDepth; d++)
        {
            while (u.States.Count <= d) u.AddState();
            Term bad;
            if (shape == PropertyShape.State) bad = t.Not(Properties.StateHolds(property.Id, u.States[d]));
            else
            {
                u.AddOp();
                bad = t.Not(Properties.StepHolds(property.Id, u.States[d], u.Ops[d], u.Outcomes[d]));
            }
            var ops = shape == PropertyShape.State ? d : d + 1;
            var wanted = Catalog.Variables.Concat(u.Ops.Take(ops).SelectMany(o => o.Fields)).ToList();
            var (answer, model) = u.Session.Query([bad], wanted);
            depthSearched = d;
            if (answer == SatAnswer.Sat) return Counterexamples.Make(this, property, model!, u.Ops.Take(ops).ToList());
        }
        return null;
    }

    /// <summary>A counterexample to induction: the values the solver gave, and the window's states and operations as terms.</summary>
    internal sealed record Cti(Dictionary<int, UInt128> Values, IReadOnlyList<SymbolicState> States, IReadOnlyList<SymbolicOp> Ops);

    /// <inheritdoc/>
    public void Dispose()
    {
        induction?.Session.Dispose();
        foreach (var twin in twins) twin.Dispose();
        bmc?.Session.Dispose();
    }
}
