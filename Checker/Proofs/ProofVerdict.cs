using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Proofs;

/// <summary>What a proof established: proved within its scope, violated with a replayed trace, unknown, or n/a.</summary>
public enum ProofOutcome
{
    /// <summary>Holds for every input of the scope and every sequence of operations.</summary>
    Proved,
    /// <summary>A concrete input and trace break it; the trace replays through <see cref="Kernel.Step"/> and the property's own check.</summary>
    Violated,
    /// <summary>Neither: not inductive at the largest k tried and no counterexample within the depth searched, or a solver gave up.</summary>
    Unknown,
    /// <summary>Does not apply (the property's own reason, or a liveness property or witness, which stay bounded).</summary>
    NotApplicable,
}

/// <summary>The verdict of one property for one reading within one scope, with the evidence behind it.</summary>
/// <param name="Property">The property.</param>
/// <param name="Reading">The reading, with the mode of the proof.</param>
/// <param name="Scope">The bounds.</param>
/// <param name="Outcome">Proved, violated, unknown or n/a.</param>
/// <param name="Detail">Why n/a, what the trace shows, how it was proved, or what was tried.</param>
public sealed record ProofVerdict(Property Property, Reading Reading, ProofScope Scope, ProofOutcome Outcome, string Detail)
{
    /// <summary>"proved", "violated", "unknown" or "n/a".</summary>
    public string Word => Outcome switch
    {
        ProofOutcome.Proved => "proved",
        ProofOutcome.Violated => "violated",
        ProofOutcome.Unknown => "unknown",
        _ => "n/a",
    };

    /// <summary>How it was proved: <c>k-induction</c>; with strengthening lemmas, their names.</summary>
    public string? Method { get; init; }

    /// <summary>The k of the induction that proved it (proved), the largest k tried (unknown), or the trace length (violated).</summary>
    public int K { get; init; }

    /// <summary>The deepest bounded search from the empty kernel that found nothing (unknown), or the depth of the violation.</summary>
    public int Depth { get; init; }

    /// <summary>True when the proof carries over to every number of patches: a 1-inductive proof on raw catalogs of at least <see cref="ProofScope.Cutoff"/> patches (docs/proofs.md, "The cutoff").</summary>
    public bool EveryN => Outcome == ProofOutcome.Proved && K == 1 && Scope.Space == InputSpace.Raw && Scope.Patches >= ProofScope.Cutoff;

    /// <summary>The lemmas the proof assumed, each proved inductive.</summary>
    public IReadOnlyList<string> Lemmas { get; init; } = [];

    /// <summary>The solver(s) that answered: <c>z3</c>, <c>cvc5</c> or <c>z3+cvc5</c>.</summary>
    public string Solver { get; init; } = "";

    /// <summary>Time spent on this property, lemmas shared with the other properties of the reading not included.</summary>
    public TimeSpan Time { get; init; }

    /// <summary>The solvers' processor time for this property (on a loaded machine a steadier measure than <see cref="Time"/>).</summary>
    public TimeSpan SolverCpu { get; init; }

    /// <summary>Solver queries made for this property.</summary>
    public int Queries { get; init; }

    /// <summary>For a violation: the catalog of the trace.</summary>
    public Catalog? Catalog { get; init; }

    /// <summary>For a violation: the shortest trace found, minimized, replayed.</summary>
    public IReadOnlyList<Operation>? Trace { get; init; }

    /// <summary>For a violation: the trace on one line, its operations separated by <c>; </c>; empty otherwise.</summary>
    public string TraceText => Trace is null || Catalog is null ? "" : string.Join("; ", Trace.Select(o => o.Format(Catalog)));

    /// <summary>For a violation: the input in words (a release plan, or the catalog's declarations).</summary>
    public string? Input { get; init; }

    /// <summary>For unknown: the counterexample to induction, as lines (the catalog, the state, the operation).</summary>
    public IReadOnlyList<string>? CounterexampleToInduction { get; init; }

    /// <summary>The verdict as <c>check</c> would write its trace (<see cref="Verdict"/>), for <c>--traces</c>.</summary>
    public Verdict AsCheckVerdict() => Outcome == ProofOutcome.Violated
        ? Verdict.Violated(Property, new Trace(Catalog!, Reading, Trace!), Detail, Input)
        : Verdict.Holds(Property, Reading, Detail);
}

/// <summary>A counterexample that does not replay through <see cref="Kernel.Step"/> and the property's check: an error in the encoding, never a verdict.</summary>
public sealed class ProofInternalError(string message) : Exception(message);
