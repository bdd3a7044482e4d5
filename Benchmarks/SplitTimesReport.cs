using System.Diagnostics;
using System.Globalization;
using Klp.Check.Engine;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Benchmarks;

/// <summary>The full check of one catalog on one thread and on two, in alternated rounds, with where the two threads' time went (<see cref="SplitTimes"/>) and the costs per state it gives.</summary>
/// <remarks>
/// <c>dotnet run -c Release --project Benchmarks -- split-times [--runs N] [--reading R] CATALOG</c>,
/// R a reading as <c>check --reading</c> takes it (positional by default).
/// Each round runs the full check as <c>klp-check check --catalog CATALOG --max-states 200000000</c>
/// does (every property that applies, the exploration then the checks after it), once with
/// <c>--threads 1</c> and once with <c>--threads 2</c>, the order swapped from round to round. A
/// two-thread line divides each thread's time in the split levels by the states of its share,
/// and compares what a state the producer expanded cost both threads with what one the search's
/// thread expanded itself cost it: the two threads measure in the same run, so that ratio holds
/// whatever a shared machine's speed is at the time, where the one-thread and two-thread times
/// move with it.
/// </remarks>
public static class SplitTimesReport
{
    /// <summary>Runs the rounds and prints a line per run; 2 on bad arguments.</summary>
    public static int Run(string[] args)
    {
        if (ReportArguments.Parse(args, "split-times") is not { } parsed) return 2;
        var (catalog, reading) = (parsed.Catalog, parsed.Reading);
        var properties = PropertyRegistry.ApplicableTo(reading).ToList();
        for (var round = 1; round <= parsed.Runs; round++)
            foreach (var threads in round % 2 == 1 ? new[] { 1, 2 } : [2, 1])
                Console.WriteLine($"round {round}, " + Check(catalog, reading, properties, threads));
        return 0;
    }

    // One full check; its line.
    private static string Check(Catalog catalog, Reading reading, List<Property> properties, int threads)
    {
        var explorer = new Explorer();
        var checks = PropertyChecks.Begin(properties, catalog, reading);
        var clock = Stopwatch.StartNew();
        var g = explorer.Explore(catalog, reading, new ExploreLimits(MaxStates: 200_000_000), threads, checks.Silent ? null : checks);
        var explored = clock.Elapsed;
        checks.Finish(g, exercised: true, threads);
        var total = clock.Elapsed;
        var states = g.States.Count;
        var head = $"{ReportWords.Threads(threads)}: {states:N0} states, exploration {explored.TotalSeconds:F2} s ({Micro(explored, states)} µs a state), full check {total.TotalSeconds:F2} s";
        return threads == 1 ? head : head + "; " + Describe(explorer.SplitTimes);
    }

    /// <summary>A two-thread run's split levels, per thread and per state.</summary>
    public static string Describe(SplitTimes t)
    {
        if (t.Levels == 0) return "no level was split";
        var own = t.Own.TotalMicroseconds / Math.Max(1, t.OwnStates);
        var produced = (t.Producing.TotalMicroseconds + t.Recording.TotalMicroseconds) / Math.Max(1, t.ProducedStates);
        return $"{t.Levels} split levels: the search's thread {t.OwnStates:N0} states in {t.Own.TotalSeconds:F2} s ({Micro(t.Own, t.OwnStates)} µs a state), "
            + $"waiting {t.Waiting.TotalSeconds:F2} s, recording the producer's {t.Recording.TotalSeconds:F2} s ({Micro(t.Recording, t.ProducedStates)} µs a state); "
            + $"the producer {t.ProducedStates:N0} states in {t.Producing.TotalSeconds:F2} s ({Micro(t.Producing, t.ProducedStates)} µs a state), waiting {t.ProducerWaiting.TotalSeconds:F2} s; "
            + (t.OwnStates == 0 || t.ProducedStates == 0 ? "no share to compare" : $"a producer's state costs {produced / own:F2}x one of the search's thread");
    }

    private static string Micro(TimeSpan time, long states) => states == 0 ? "-" : (time.TotalMicroseconds / states).ToString("F2", CultureInfo.InvariantCulture);
}
