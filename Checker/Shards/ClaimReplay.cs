using Klp.Check.Conformance;
using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Shards;

/// <summary>Replays what shards claim before merge counts it: every violation and witness trace through <see cref="Kernel.Step"/> and the property's own check, every distinguishing input through the lockstep.</summary>
/// <remarks>
/// A safety violation or a witness is shown by its trace alone: the property is checked on the states
/// and transitions the trace visits (<see cref="PropertyChecks.OnTrace"/>) and must find that trace and
/// message. A liveness violation says that nothing reachable from the trace's last state leads out,
/// which only the states reachable from there show: its input is explored again (once for every
/// liveness claim on it) and must give the same trace and message. A distinguishing input is run
/// in lockstep again for its pair of readings and must diverge after as many operations as claimed.
/// </remarks>
/// <param name="run">The run the shards belong to.</param>
public sealed class ClaimReplay(AuditedRun run)
{
    private sealed record TraceClaim(string File, string Where, InputSource Source, Reading Reading, Property Property, Candidate Best);

    private sealed record PairClaim(string File, string Where, InputSource Source, IReadOnlyList<Reading> Readings, int X, int Y, PairPartial Claim);

    private readonly List<TraceClaim> traces = [];
    private readonly List<PairClaim> pairs = [];

    /// <summary>What <see cref="Run"/> replayed, in words.</summary>
    public string Summary { get; private set; } = "";

    /// <summary>Adds the best trace a shard reports for a property.</summary>
    public void Add(string file, string where, InputSource source, Reading reading, Property invariant, Candidate best) =>
        traces.Add(new TraceClaim(file, where, source, reading, invariant, best));

    /// <summary>Adds the best distinguishing input a shard reports for readings <paramref name="x"/> and <paramref name="y"/>.</summary>
    public void Add(string file, string where, InputSource source, IReadOnlyList<Reading> readings, int x, int y, PairPartial claim) =>
        pairs.Add(new PairClaim(file, where, source, readings, x, y, claim));

    /// <summary>Replays every claim added; null when all replay, else one line <c>FILE: merge: where: what</c> for the first that does not (in the order added).</summary>
    public string? Run(int threads)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Threads.Workers(threads) };
        var traceErrors = new string?[traces.Count];
        Parallel.For(0, traces.Count, options, i =>
        {
            var t = traces[i];
            traceErrors[i] = Steps(t) ?? (t.Property.IsLiveness ? null : CheckedOnTrace(t));
        });
        var liveness = Enumerable.Range(0, traces.Count).Where(i => traceErrors[i] is null && traces[i].Property.IsLiveness);

        // The liveness claims, grouped by the input explored again.
        var inputs = liveness.GroupBy(i => (traces[i].Source, traces[i].Reading, traces[i].Best.Index)).Select(g => g.ToList()).ToList();
        Parallel.For(0, inputs.Count, options, g =>
        {
            var group = inputs[g];
            var first = traces[group[0]];
            var invariants = group.Select(i => traces[i].Property).Distinct().ToList();
            var again = Verifier.Check(first.Source, first.Reading, invariants, run.Limits, [first.Best.Index], threads: 1);
            foreach (var i in group)
                traceErrors[i] = Agrees(traces[i], again.Properties[invariants.IndexOf(traces[i].Property)]?.Best, "explored again");
        });

        var pairErrors = new string?[pairs.Count];
        using var lockstep = new ThreadLocal<Lockstep>(() => new Lockstep());
        Parallel.For(0, pairs.Count, options, i => pairErrors[i] = Diverges(pairs[i], lockstep.Value!));

        Summary = $"{Words.Count(traces.Count, "trace")} replayed ({Words.Count(inputs.Count, "input")} explored again for liveness), "
            + $"{Words.Count(pairs.Count, "distinguishing input")} run again in lockstep";
        if (traceErrors.Select((e, i) => (e, traces[i].File)).FirstOrDefault(x => x.e is not null) is ({ } traceError, var traceFile)) return $"{traceFile}: merge: {traceError}";
        if (pairErrors.Select((e, i) => (e, pairs[i].File)).FirstOrDefault(x => x.e is not null) is ({ } pairError, var pairFile)) return $"{pairFile}: merge: {pairError}";
        return null;
    }

    // Through Step: every operation but the last accepted.
    private static string? Steps(TraceClaim t)
    {
        try
        {
            new Trace(t.Source.CatalogFor(t.Best.Index, t.Reading), t.Reading, t.Best.Trace).End();
            return null;
        }
        catch (InvalidOperationException e)
        {
            return $"{t.Where}: the {Claim(t)} does not replay on input {t.Best.Index + 1}: {e.Message}";
        }
    }

    // The property checked on the states and transitions the trace visits.
    private static string? CheckedOnTrace(TraceClaim t)
    {
        var finding = PropertyChecks.OnTrace([t.Property], new Trace(t.Source.CatalogFor(t.Best.Index, t.Reading), t.Reading, t.Best.Trace))[0].Finding;
        return Agrees(t, finding.Found ? new Candidate(t.Best.Features, finding.Trace!.Count, t.Best.Index, finding.Trace, finding.Message!) : null, "replayed");
    }

    private static string? Agrees(TraceClaim t, Candidate? found, string how)
    {
        var b = t.Best;
        if (found is null)
            return $"{t.Where}: {how}, the trace on input {b.Index + 1} shows no {Claim(t)}";
        if (found.Index != b.Index || !found.Trace.SequenceEqual(b.Trace))
            return $"{t.Where}: {how}, input {b.Index + 1} gives another shortest trace for the {Claim(t)} ({found.Trace.Count} operations, the shard's {b.Trace.Count})";
        if (found.Message != b.Message)
            return $"{t.Where}: {how}, the trace shows '{found.Message}', and the shard says '{b.Message}'";
        return null;
    }

    private static string Claim(TraceClaim t) =>
        $"{(t.Property.IsWitness ? "witness" : "violation")} of {t.Property.Id} under {t.Reading.DisplayName}";

    private string? Diverges(PairClaim p, Lockstep lockstep)
    {
        var index = p.Claim.Index;
        var catalogs = Classifier.Catalogs(p.Source, index, p.Readings);
        var comparable = Classifier.Comparable(p.Source, p.Readings, Observed.All, out _);
        var res = lockstep.Run([catalogs[p.X], catalogs[p.Y]], [p.Readings[p.X], p.Readings[p.Y]], comparable, run.Limits);
        var (x, y) = (p.Readings[p.X].DisplayName, p.Readings[p.Y].DisplayName);
        if (res.Divergence is not { } d) return $"{p.Where}: run again in lockstep, {x} and {y} do not differ on input {index + 1}";
        return d.Length == p.Claim.Length ? null
            : $"{p.Where}: run again in lockstep, {x} and {y} first differ on input {index + 1} after {d.Length} operations, and the shard says {p.Claim.Length}";
    }
}
