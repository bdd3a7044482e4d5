using Klp.Check.Model;

namespace Klp.Check.Exploration;

/// <summary>Totals of one reading's run.</summary>
/// <param name="Catalogs">Catalogs explored.</param>
/// <param name="States">Distinct states, summed over catalogs.</param>
/// <param name="Transitions">Operations applied.</param>
/// <param name="MaxDepth">The deepest state.</param>
/// <param name="AcceptedByKind">How often each operation kind was accepted.</param>
/// <param name="RefusedByReason">How often each reason refused an operation.</param>
/// <param name="Cut">Catalogs whose exploration a cap cut, with the cap.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="CollisionProbability">With fingerprints, the chance that two states were merged.</param>
public sealed record Coverage(
    int Catalogs, long States, long Transitions, int MaxDepth,
    IReadOnlyDictionary<OpKind, long> AcceptedByKind,
    IReadOnlyDictionary<Reason, long> RefusedByReason,
    IReadOnlyList<string> Cut,
    TimeSpan Elapsed,
    double CollisionProbability);

/// <summary>Every verdict of one reading, with coverage.</summary>
/// <param name="Reading">The reading.</param>
/// <param name="Verdicts">One per property asked for, in registry order.</param>
/// <param name="Coverage">What was explored.</param>
/// <param name="Complete">False when the run was interrupted.</param>
public sealed record ReadingResult(Reading Reading, IReadOnlyList<Verdict> Verdicts, Coverage Coverage, bool Complete);
