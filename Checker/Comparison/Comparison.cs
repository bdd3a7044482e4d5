using System.Diagnostics;
using Klp.Check.Engine;
using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Scenarios;
using Klp.Check.Verdicts;

namespace Klp.Check.Comparison;

/// <summary>The verdict matrix of several readings over one input source, with the scenario replays.</summary>
/// <param name="Source">What was explored.</param>
/// <param name="Properties">The properties checked.</param>
/// <param name="Results">One per reading, in order; fewer than asked when interrupted.</param>
/// <param name="Replays">The shipped scenarios replayed under the same readings.</param>
/// <param name="Complete">False when interrupted.</param>
/// <param name="Elapsed">Wall time of the exploration.</param>
public sealed record ComparisonResult(
    InputSource Source,
    IReadOnlyList<Property> Properties,
    IReadOnlyList<ReadingResult> Results,
    IReadOnlyList<ReplayResult> Replays,
    bool Complete,
    TimeSpan Elapsed)
{
    /// <summary>The classes of readings no trace tells apart, when computed.</summary>
    public EquivalenceResult? Equivalence { get; init; }

    /// <summary>When interrupted, the reading that was being verified, with the inputs checked; its <see cref="ReadingResult.Finished"/> cells are final.</summary>
    public ReadingResult? Interrupted { get; init; }

    /// <summary>What an interruption left unfinished, in words (empty when complete).</summary>
    public IReadOnlyList<string> Unfinished()
    {
        if (Complete) return [];
        var lines = new List<string>();
        var verified = Results.Count;
        lines.Add($"interrupted: {Words.Count(verified, "reading")} verified in full");
        if (Interrupted is { } r)
        {
            var finished = r.Finished;
            lines.Add($"{r.Reading.DisplayName}: {r.InputsChecked} of {Source.Count} inputs checked; "
                + (finished.Count == 0 ? "no cell settled yet" : $"settled: {string.Join(", ", finished.Select(v => $"{v.Property.Id} {v.Word}"))}"));
        }
        var notStarted = Readings.Skip(verified + (Interrupted is null ? 0 : 1)).Select(x => x.DisplayName).ToList();
        if (notStarted.Count > 0) lines.Add($"not started: {string.Join(", ", notStarted)}");
        if (Equivalence is { Complete: false } eq)
            lines.Add(eq.Classes.Count > 0 ? "equivalence: the classes are established; distinguishing traces not finished" : "equivalence: not finished, no class established");
        return lines;
    }

    /// <summary>With <c>--prove N</c>, the N: every safety cell carries what <c>prove</c> said of it for every release plan of at most N releases (<see cref="Verdict.Proof"/>); null when not asked.</summary>
    public int? ProvedUpTo { get; init; }

    /// <summary>The readings asked for, in order.</summary>
    public IReadOnlyList<Reading> Readings { get; init; } = [];

    /// <summary>Distinct states explored over every reading.</summary>
    public long States => Results.Sum(r => r.Coverage.States);

    /// <summary>True when no cap cut any exploration, of a reading or of the equivalence classes.</summary>
    public bool Exhaustive => Results.All(r => r.Exhaustive) && Equivalence is not { Cut.Count: > 0 };
}

/// <summary>Runs the verdict matrix.</summary>
public static class Comparer
{
    /// <summary>Checks every property for every reading; stops early (Complete = false) when cancelled.</summary>
    public static ComparisonResult Run(InputSource source, IReadOnlyList<Reading> readings, IReadOnlyList<Property> invariants,
        ExploreLimits limits, IReadOnlyList<Scenario> scenarios, int threads = 0, CancellationToken cancel = default,
        Action<string>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var results = new List<ReadingResult>();
        var complete = true;
        ReadingResult? interrupted = null;
        for (var i = 0; i < readings.Count; i++)
        {
            var reading = readings[i];
            var label = $"reading {i + 1}/{readings.Count} ({reading.DisplayName})";
            progress?.Invoke($"{label}: 0/{source.Count} inputs");
            var r = Verifier.Run(source, reading, invariants, limits, threads, cancel,
                n => { if (n % 64 == 0 || n == source.Count) progress?.Invoke($"{label}: {n}/{source.Count} inputs"); });
            if (!r.Complete)
            {
                complete = false;
                interrupted = r;
                break;
            }
            results.Add(r);
        }
        var replays = complete ? Replays(scenarios, readings) : [];
        return new ComparisonResult(source, invariants, results, replays, complete, clock.Elapsed) { Interrupted = interrupted, Readings = readings };
    }

    /// <summary>The matrix from one partial per reading over every input of <paramref name="source"/> (merged from shards): what <see cref="Run"/> gives over them.</summary>
    public static ComparisonResult Finish(InputSource source, IReadOnlyList<Reading> readings, IReadOnlyList<Property> invariants,
        IReadOnlyList<ReadingPartial> partials, IReadOnlyList<Scenario> scenarios)
    {
        var results = new List<ReadingResult>();
        for (var r = 0; r < partials.Count; r++) results.Add(partials[r].Finish(source, readings[r], invariants));
        return new ComparisonResult(source, invariants, results, Replays(scenarios, readings), partials.All(p => p.Complete), TimeSpan.FromTicks(partials.Sum(p => p.Elapsed.Ticks)))
        {
            Readings = readings,
        };
    }

    /// <summary>Replays scenarios under the readings.</summary>
    public static List<ReplayResult> Replays(IReadOnlyList<Scenario> scenarios, IReadOnlyList<Reading> readings) =>
        [.. scenarios.Select(s => Replayer.Run(s, Replayer.Columns(s, readings, null)))];
}
