using System.Diagnostics;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Proofs;

/// <summary>The proofs of some properties of one reading within one scope, with the lemmas they share.</summary>
/// <param name="Reading">The reading, with the mode of the proofs.</param>
/// <param name="Scope">The bounds.</param>
/// <param name="Solver">The solver(s): <c>z3</c>, <c>cvc5</c> or <c>z3+cvc5</c>.</param>
/// <param name="Lemmas">The strengthening lemmas proved inductive.</param>
/// <param name="Dropped">The candidate lemmas that are not invariants (or that no solver could decide).</param>
/// <param name="Verdicts">One per property asked, in registry order.</param>
/// <param name="Elapsed">Wall-clock time for the reading.</param>
/// <param name="SolverCpu">The solvers' processor time for the reading.</param>
/// <param name="LemmaTime">Wall-clock time spent finding the lemmas (part of <paramref name="Elapsed"/>, shared by every proof).</param>
public sealed record ReadingProof(Reading Reading, ProofScope Scope, string Solver, IReadOnlyList<string> Lemmas, IReadOnlyList<string> Dropped,
    IReadOnlyList<ProofVerdict> Verdicts, TimeSpan Elapsed, TimeSpan SolverCpu, TimeSpan LemmaTime)
{
    /// <summary>Proves the properties of a reading (n/a for those that are not safety properties or do not apply).</summary>
    /// <exception cref="ProofInternalError">A counterexample did not replay.</exception>
    /// <exception cref="SolverDisagreement">Z3 and cvc5 disagreed.</exception>
    /// <exception cref="SolverException">A solver is missing or reported an error.</exception>
    public static ReadingProof Run(Reading reading, ProofScope scope, ProverOptions options, IReadOnlyList<Property> properties, Action<string>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        using var prover = new Prover(reading, scope, options);
        var verdicts = new List<ProofVerdict>();
        var needsSolver = properties.Any(p => p.Kind == PropertyKind.Safety && p.NotApplicable(reading) is null);
        var lemmas = needsSolver ? prover.LemmaSummary : ([], [], TimeSpan.Zero);
        var cpu = needsSolver ? prover.LemmaCost.Cpu : TimeSpan.Zero;
        foreach (var p in properties)
        {
            progress?.Invoke($"prove {reading.DisplayName}: {p.Id}");
            var v = prover.Prove(p);
            verdicts.Add(v);
            cpu += v.SolverCpu;
        }
        return new ReadingProof(reading, scope, prover.SolverName, lemmas.Kept, lemmas.Dropped, verdicts, clock.Elapsed, cpu, lemmas.Time);
    }

    /// <summary>The exit code of <c>prove</c>: 1 when a property is violated, 3 when one is unknown, else 0.</summary>
    public int ExitCode => Verdicts.Any(v => v.Outcome == ProofOutcome.Violated) ? 1
        : Verdicts.Any(v => v.Outcome == ProofOutcome.Unknown) ? 3 : 0;
}
