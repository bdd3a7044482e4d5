using Klp.Check.Inputs;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Proofs;

/// <summary>Proofs in the verdict matrix (<c>compare --prove N</c>): a reading's safety cells with what <c>prove</c> says of them, which must agree with what <c>check</c> found.</summary>
public static class MatrixProofs
{
    /// <summary>
    /// The verdicts of one reading over <paramref name="source"/>, each safety cell with its proof (<see cref="Verdict.Proof"/>).
    /// A proof never upgrades a cell by itself: only a cell that holds within the bounds and is proved reads as proved, and an
    /// unknown proof leaves the cell as check found it. A violation prove found on an input that is not among check's (a plan of
    /// more releases, or other than a catalog file) is a violation beyond the bounds (<see cref="Verdict.ViolatedBeyond"/>).
    /// </summary>
    /// <exception cref="ProofInternalError">The proof contradicts check: proved where check found a violation on a release plan
    /// the proof covers, or violated on an input that check explored without finding it. Both cannot be right, so it is an error of
    /// the tool, never a verdict.</exception>
    public static IReadOnlyList<Verdict> Mark(IReadOnlyList<Verdict> verdicts, ReadingProof proof, InputSource source)
    {
        var byId = proof.Verdicts.ToDictionary(v => v.Property.Id);
        var plans = source.Kind.StartsWith("release plan", StringComparison.Ordinal);
        HashSet<string>? inputs = null;
        var marked = new List<Verdict>(verdicts.Count);
        foreach (var v in verdicts)
        {
            if (!v.Property.IsSafety || !byId.TryGetValue(v.Property.Id, out var p))
            {
                marked.Add(v);
                continue;
            }
            // A violation on a plan of more releases than the proof covers, or on a catalog that is no plan, is no contradiction.
            if (p.Outcome == ProofOutcome.Proved && v.Kind == VerdictKind.Violated && v.Trace is not null && plans && v.Catalog!.Patches.Length <= proof.Scope.Patches)
                throw new ProofInternalError($"{v.Property.Id} under {v.Reading.DisplayName}: prove proved it for every release plan of at most {proof.Scope.Patches} releases, "
                    + $"but check found a violation on one: {Words(v.Input)}{string.Join("; ", v.Trace.Select(o => o.Format(v.Catalog!)))}");
            var detail = p.Detail;
            if (p.Outcome == ProofOutcome.Violated && v.Kind == VerdictKind.Holds)
            {
                inputs ??= [.. Enumerable.Range(0, source.Count).Select(source.Describe)];
                var trace = p.TraceText;
                if (v.Exhaustive && p.Input is not null && inputs.Contains(p.Input))
                    throw new ProofInternalError($"{v.Property.Id} under {v.Reading.DisplayName}: check explored every state of an input without a violation, "
                        + $"but prove found one there: {Words(p.Input)}{trace}");
                detail = $"{p.Detail}, on {p.Catalog!.Patches.Length} patches, beyond the bounds: {Words(p.Input)}{trace}";
            }
            marked.Add(v with { Proof = new CellProof(p.Word, proof.Scope.Patches, detail) });
        }
        return marked;
    }

    private static string Words(string? input) => input is null ? "" : input.Trim().Replace("\n", "; ") + "; $ ";

    /// <summary>Proves the safety properties of every reading of a matrix at N releases and marks its cells (<see cref="Mark"/>), one reading after another.</summary>
    /// <exception cref="ProofInternalError">A proof contradicts check, or a counterexample did not replay.</exception>
    /// <exception cref="SolverDisagreement">Z3 and cvc5 disagreed.</exception>
    /// <exception cref="SolverException">A solver is missing or reported an error.</exception>
    public static IReadOnlyList<ReadingResult> Prove(InputSource source, IReadOnlyList<ReadingResult> results, IReadOnlyList<Property> properties, int patches,
        ProverOptions options, Action<string>? progress = null)
    {
        var safety = properties.Where(p => p.IsSafety).ToList();
        return [.. results.Select(r => r with { Verdicts = Mark(r.Verdicts, ReadingProof.Run(r.Reading, Scope(patches), options, safety, progress), source) })];
    }

    /// <summary>The scope of the proofs of <c>compare --prove N</c>: release plans of at most N releases, as <c>compare</c> checks plans.</summary>
    public static ProofScope Scope(int patches) => new(patches, InputSpace.Plans);
}
