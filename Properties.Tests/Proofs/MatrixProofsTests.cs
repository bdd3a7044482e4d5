using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Proofs;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Tests.Proofs;

/// <summary>How compare --prove puts a proof into a cell: never more than both the check and the proof say, and a contradiction between them is an error.</summary>
public class MatrixProofsTests
{
    private static readonly Reading Flat = Readings.Find("flat")!;
    private static readonly Property OnePerSet = PropertyRegistry.Find("one-per-set")!;
    private static readonly Property Recoverable = PropertyRegistry.Find("recoverable")!;
    private static readonly InputSource Source = InputSource.Plans(new PlanBounds(Releases: 2));

    // A catalog of `patches` hotfixes, each with a function of its own.
    private static Catalog Hotfixes(int patches) => new(Enumerable.Range(0, patches).Select(i =>
        new Patch($"p{i}", Origin.Vendor, PatchKind.Hotfix, 0, [new FunctionId(FunctionId.Vmlinux, $"f{i}", 0)], [], false, [1u])));

    private static ReadingProof Proof(ProofOutcome outcome, int patches = 8, Catalog? catalog = null, string? input = null) => new(Flat, MatrixProofs.Scope(patches), "cvc5", [], [],
        [new ProofVerdict(OnePerSet, Flat, MatrixProofs.Scope(patches), outcome, "how") { Catalog = catalog, Trace = catalog is null ? null : [Operation.Load(0)], Input = input }],
        TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    [Fact]
    public void Mark_HoldsAndProved_ReadsProved()
    {
        var v = Assert.Single(MatrixProofs.Mark([Verdict.Holds(OnePerSet, Flat, "d")], Proof(ProofOutcome.Proved), Source));

        Assert.True(v.Proved);
        Assert.Equal(new CellProof("proved", 8, "how"), v.Proof);
    }

    [Fact]
    public void Mark_HoldsAndUnknown_StaysHoldsWithinTheBounds()
    {
        var v = Assert.Single(MatrixProofs.Mark([Verdict.Holds(OnePerSet, Flat, "d")], Proof(ProofOutcome.Unknown), Source));

        Assert.False(v.Proved);
        Assert.Equal(VerdictKind.Holds, v.Kind);
        Assert.Equal("unknown", v.Proof!.Verdict);
    }

    [Fact]
    public void Mark_InconclusiveAndProved_IsNotUpgraded()
    {
        var v = Assert.Single(MatrixProofs.Mark([Verdict.Inconclusive(OnePerSet, Flat, "cap")], Proof(ProofOutcome.Proved), Source));

        Assert.Equal(VerdictKind.Inconclusive, v.Kind);
        Assert.False(v.Proved);
    }

    [Fact]
    public void Mark_LivenessCell_GetsNoProof() =>
        Assert.Null(Assert.Single(MatrixProofs.Mark([Verdict.Holds(Recoverable, Flat, "d")], Proof(ProofOutcome.Proved), Source)).Proof);

    [Fact]
    public void Mark_ProvedWhereCheckFoundAViolationTheProofCovers_IsAnInternalError()
    {
        var violated = Verdict.Violated(OnePerSet, new Trace(Hotfixes(2), Flat, [Operation.Load(0)]), "d", null);

        var e = Assert.Throws<ProofInternalError>(() => MatrixProofs.Mark([violated], Proof(ProofOutcome.Proved), Source));
        Assert.Contains("prove proved it for every release plan of at most 8 releases, but check found a violation", e.Message);
    }

    [Fact]
    public void Mark_ProvedAtFewerReleasesThanCheckNeededForItsViolation_KeepsTheViolation()
    {
        var violated = Verdict.Violated(OnePerSet, new Trace(Hotfixes(4), Flat, [Operation.Load(0)]), "d", null);

        var v = Assert.Single(MatrixProofs.Mark([violated], Proof(ProofOutcome.Proved, patches: 3), Source));

        Assert.Equal(VerdictKind.Violated, v.Kind);
        Assert.False(v.Proved);
    }

    [Fact]
    public void Mark_ViolatedOnAnInputCheckExplored_IsAnInternalError()
    {
        var proof = Proof(ProofOutcome.Violated, catalog: Source.CatalogFor(0, Flat), input: Source.Describe(0));

        var e = Assert.Throws<ProofInternalError>(() => MatrixProofs.Mark([Verdict.Holds(OnePerSet, Flat, "d")], proof, Source));
        Assert.Contains("check explored every state of an input without a violation, but prove found one there", e.Message);
    }

    [Fact]
    public void Mark_ViolatedOnALargerPlan_IsAViolationBeyondTheBounds()
    {
        var v = Assert.Single(MatrixProofs.Mark([Verdict.Holds(OnePerSet, Flat, "d")], Proof(ProofOutcome.Violated, catalog: Hotfixes(5), input: "p0: hotfix\n..."), Source));

        Assert.Equal(VerdictKind.Holds, v.Kind);
        Assert.True(v.ViolatedBeyond);
        Assert.False(v.Proved);
        Assert.Contains("on 5 patches, beyond the bounds: p0: hotfix; ...; $ load p0", v.Proof!.Detail);
    }
}
