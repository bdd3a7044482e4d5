using FsCheck;
using FsCheck.Fluent;
using Klp.Check.Model;
using Klp.Check.Proofs;

namespace Klp.Check.Tests.Proofs;

/// <summary>The symbolic step (the term DAG the solvers get) agrees with <see cref="Kernel.Step"/> on random concrete triples, evaluated in C#; and the solvers evaluate the DAG as C# does.</summary>
public class SymbolicStepAgreementProperties
{
    public static TheoryData<string> ReadingNames => [.. Readings.All.Select(r => r.Name)];

    internal static readonly ProofScope Raw = new(4, InputSpace.Raw, Functions: 3, SetNumbers: 4, StateIds: 2, VersionBits: 2);
    internal static readonly ProofScope Plans = new(5, InputSpace.Plans);

    // A reading's four encodings: raw catalogs and plans, atomic and two-phase.
    internal static SymbolicStepUnderTest[] Encodings(Reading reading) =>
        [.. from scope in new[] { Raw, Plans }
            from mode in new[] { Granularity.Atomic, Granularity.TwoPhase }
            select new SymbolicStepUnderTest(reading.WithGranularity(mode), scope)];

    private static string Describe(SymbolicStepUnderTest u, StepCase k, IEnumerable<string> problems) =>
        $"{u.Reading.DisplayName} {ReadingOptionText.ModeName(u.Reading.Options.Granularity)} on {(u.Catalog.Plan is null ? "raw catalogs" : "plans")}:\n"
        + k.Input.Describe() + string.Join("", k.Input.Catalog.AddSetsVariants.Skip(1).Select(v => $"add_sets {{{string.Join(",", v)}}}\n"))
        + "$ " + string.Join("; ", k.Run.Select(o => o.Format(k.Input.Catalog))) + "\nthen " + k.Op.Format(k.Input.Catalog) + "\n"
        + string.Join("\n", problems);

    [Theory]
    [MemberData(nameof(ReadingNames))]
    public void SymbolicStep_TenThousandRandomTriples_AgreesWithKernelStep(string name)
    {
        var encodings = Encodings(Readings.Find(name)!);
        var accepted = 0;
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new Random(seed);
            var u = encodings[random.Next(encodings.Length)];
            var k = SymbolicCases.Make(u, random);
            var problems = SymbolicCases.Disagreements(u, k);
            if (Kernel.Step(k.Input.Catalog, u.Reading, k.State, k.Op).Accepted) accepted++;
            return (problems.Count == 0).Label(Describe(u, k, problems));
        });

        property.Check(Config.QuickThrowOnFailure.WithMaxTest(10_000).WithQuietOnSuccess(true));

        // The triples exercise the step, not only its refusals.
        Assert.InRange(accepted, 1000, 9000);
    }

    public static TheoryData<string> Options => ["isolation=functions-only", "isolation=none", "states=versions", "states=block-disable",
        "function-identity=exact", "partial-overlap=replace"];

    [Theory]
    [MemberData(nameof(Options))]
    public void SymbolicStep_EveryReadingWithAnOption_AgreesWithKernelStep(string setting)
    {
        var encodings = Readings.All
            .Select(r =>
            {
                var o = r.Options;
                return ReadingOptionText.TryApply(ref o, setting, out _) && (setting != "partial-overlap=replace" || r.Replace == ReplaceRule.Subset) ? r.With(o) : null;
            })
            .OfType<Reading>()
            .SelectMany(r => Encodings(r))
            .ToArray();
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new Random(seed);
            var u = encodings[random.Next(encodings.Length)];
            var k = SymbolicCases.Make(u, random);
            var problems = SymbolicCases.Disagreements(u, k);
            return (problems.Count == 0).Label(Describe(u, k, problems));
        });

        property.Check(Config.QuickThrowOnFailure.WithMaxTest(3000).WithQuietOnSuccess(true));
    }

    // The solvers, given every variable's value, must compute what the C# evaluator computes: the
    // same DAG, read by three implementations of QF_BV.
    [SkippableTheory]
    [InlineData(SolverKind.Z3)]
    [InlineData(SolverKind.Cvc5)]
    public void Solver_PinnedTriples_ComputesWhatTheEvaluatorComputes(SolverKind kind)
    {
        Skip.If(SolverProcess.Find(kind) is null, $"{SolverProcess.Program(kind)} is not installed (apt-get install {SolverProcess.Program(kind)})");
        var random = new Random(25);
        foreach (var reading in Readings.All)
            foreach (var u in Encodings(reading))
            {
                using var session = new SmtSession(u.Terms, kind == SolverKind.Z3 ? SolverChoice.Z3 : SolverChoice.Cvc5, 60_000);
                for (var i = 0; i < 4; i++)
                {
                    var k = SymbolicCases.Make(u, random);
                    var assignment = new Dictionary<int, UInt128>(k.Values);
                    k.Input.Assign(u.State, k.State, assignment);
                    k.Input.Assign(u.Op, k.Op, assignment);
                    u.Evaluator.Evaluate(v => assignment[v.Id]);
                    var pins = u.Evaluator.Variables.Select(v => u.Terms.Eq(v, v.IsBool ? u.Terms.Bool(assignment[v.Id] == 1) : u.Terms.Bv(v.Width, assignment[v.Id]))).ToList();

                    var (answer, model) = session.Query(pins, u.Roots);

                    Assert.Equal(SatAnswer.Sat, answer);
                    foreach (var root in u.Roots)
                        Assert.True(model![root.Id] == u.Evaluator.Value(root), $"{reading.Name}: {SmtSession.Name(root)} is {model[root.Id]} for the solver, {u.Evaluator.Value(root)} for the evaluator");
                }
            }
    }
}
