using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Verdicts;

/// <summary>One input whose exploration a cap cut.</summary>
/// <param name="Index">The input's index in the source (reports name it from 1: "input 3").</param>
/// <param name="Cap">The cap, e.g. "depth cap 1".</param>
/// <param name="Frontier">How many explored states have successors the cap left unexplored.</param>
public sealed record CutInput(int Index, string Cap, long Frontier)
{
    /// <summary>"input N: CAP", N counted from 1.</summary>
    public override string ToString() => $"input {Index + 1}: {Cap}";
}

/// <summary>Totals of one reading's run.</summary>
/// <param name="Catalogs">Catalogs explored.</param>
/// <param name="States">Distinct states, summed over catalogs.</param>
/// <param name="Transitions">Operations applied.</param>
/// <param name="MaxDepth">The deepest state.</param>
/// <param name="AcceptedByKind">How often each operation kind was accepted.</param>
/// <param name="RefusedByReason">How often each reason refused an operation.</param>
/// <param name="Cut">Inputs whose exploration a cap cut, with the cap and the frontier, by index.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="CollisionProbability">With fingerprints, the chance that two states were merged.</param>
public sealed record Coverage(
    int Catalogs, long States, long Transitions, int MaxDepth,
    IReadOnlyDictionary<OpKind, long> AcceptedByKind,
    IReadOnlyDictionary<Reason, long> RefusedByReason,
    IReadOnlyList<CutInput> Cut,
    TimeSpan Elapsed,
    double CollisionProbability);

/// <summary>Every verdict of one reading, with coverage.</summary>
/// <param name="Reading">The reading.</param>
/// <param name="Verdicts">One per property asked for, in registry order.</param>
/// <param name="Coverage">What was explored.</param>
/// <param name="Complete">False when the run was interrupted: the verdicts then cover only the inputs checked (<see cref="Finished"/> are final).</param>
public sealed record ReadingResult(Reading Reading, IReadOnlyList<Verdict> Verdicts, Coverage Coverage, bool Complete)
{
    /// <summary>True when no cap cut any exploration: every verdict is then established on every input.</summary>
    public bool Exhaustive => Coverage.Cut.Count == 0;

    /// <summary>The inputs whose exploration finished (all of them when complete).</summary>
    public int InputsChecked { get; init; }

    /// <summary>The verdicts a complete run would give as well: all of them when complete; when interrupted, those the inputs checked already settle (n/a for the reading, a violation on an input without features, a reached witness).</summary>
    public IReadOnlyList<Verdict> Finished => Complete ? Verdicts : [.. Verdicts.Where(v =>
        v.Kind == VerdictKind.NotApplicable && v.Property.NotApplicable(v.Reading) is not null
        || v.Kind == VerdictKind.Violated && v.Features == InputFeatures.None && !v.Property.IsWitness
        || v.Kind == VerdictKind.Holds && v.Property.IsWitness)];
}
