using System.Diagnostics;
using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Benchmarks;

/// <summary>Other divisions of one catalog's exploration between two threads, as bare searches that keep nothing in the sequential order, each against itself on one thread and beside the explorer, in alternated rounds.</summary>
/// <remarks>
/// <c>dotnet run -c Release --project Benchmarks -- bare-search [--runs N] [--reading R] [--states N] [--search NAME]... CATALOG</c>;
/// with <c>DOTNET_TieredCompilation=0</c> the code runs as klp-check runs it.
/// <para>
/// The explorer's split levels (<see cref="Explorer"/>) add every state and record every edge on
/// the search's thread, so that ids, parents, edges and the visitor's events are those of one
/// thread. The bare searches leave all of that out: they apply the operations as the explorer
/// does (<see cref="Kernel.EarlyScreen"/>, the loads' masks, <see cref="Kernel.ApplyScreened"/>)
/// and look each successor up in an open-addressing table of fingerprints and ids; the states are
/// stored unpacked in arrays made once for every run, the table never grows, no visitor is told
/// of anything, and each edge is one id written to the thread's own list. On two threads, the
/// shared table: the threads take chunks of a level's states in turn and both insert into one
/// table with a compare-and-swap, ids in the order they claim them; partitioned: the states are
/// divided by their fingerprints' top bit, each thread keeps its own half and sends the other's
/// successors in batches; snapshot: the threads look successors up in the table as the level
/// began, which neither writes during the level, keep the ones not there in tables of their own,
/// and one thread adds them after the level in the order one thread's search finds them, so that
/// the ids and edges are one thread's (checked once before the rounds); apart: two whole
/// one-thread searches at once, sharing nothing. Each is set against itself on one thread, and
/// prints its states and edges beside the explorer's.
/// </para>
/// <para>
/// <c>--search NAME</c>, given once or more, runs only the searches named (<c>shared table</c>,
/// <c>partitioned</c>, <c>snapshot</c>, <c>apart</c>, <c>explorer</c>, <c>explorer, states
/// unpacked</c>); the others are not made.
/// </para>
/// <para>
/// <c>--states</c> is the most states a bare search stores (4,194,304 by default; positional-13
/// needs 21000000); a catalog with more ends the report with exit code 1.
/// </para>
/// </remarks>
public static partial class BareSearchReport
{
    // The report's own option, for its usage line.
    private const string SearchOption = "[--search NAME]...";

    /// <summary>Runs the rounds and prints a line per run; 2 on bad arguments.</summary>
    public static int Run(string[] args)
    {
        // --search NAME, as often as wanted, runs only the searches named; the others are not made.
        string[] names = ["shared table", "partitioned", "snapshot", "apart", "explorer", "explorer, states unpacked"];
        var chosen = new List<string>();
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] != "--search") rest.Add(args[i]);
            else if (i + 1 == args.Length || !names.Contains(args[i + 1]))
            {
                Console.Error.WriteLine($"bare-search: --search: {(i + 1 == args.Length ? "a value is needed" : $"'{args[i + 1]}' is not a search")}; one of {string.Join(", ", names.Select(n => $"'{n}'"))}");
                Console.Error.WriteLine(ReportArguments.Usage("bare-search", takesStates: true, more: SearchOption));
                return 2;
            }
            else chosen.Add(args[++i]);
        }
        if (ReportArguments.Parse([.. rest], "bare-search", takesStates: true, more: SearchOption) is not { } parsed) return 2;
        if (chosen.Count == 0) chosen.AddRange(names);
        // Each search's arrays are made before the rounds (when it is chosen) and used again by each run.
        var shared = new Lazy<SharedSearch>(() => new SharedSearch(parsed.Catalog, parsed.Reading, parsed.States));
        var partitioned = new Lazy<PartitionedSearch>(() =>
        {
            var made = new PartitionedSearch(parsed.Catalog, parsed.Reading, parsed.States);
            made.Prepare();
            return made;
        });
        var snapshot = new Lazy<SnapshotSearch>(() => new SnapshotSearch(parsed.Catalog, parsed.Reading, parsed.States));
        // A second bare search, for two at once that share nothing.
        var other = new Lazy<SharedSearch>(() => new SharedSearch(parsed.Catalog, parsed.Reading, parsed.States));
        string Apart(int threads)
        {
            if (threads == 1) return Found(shared.Value.Run(1));
            var second = Task.Factory.StartNew(() => other.Value.Run(1), TaskCreationOptions.LongRunning);
            var first = shared.Value.Run(1);
            return $"{Found(first)} and {Found(second.Result)}";
        }
        string Explore(Explorer explorer, int threads)
        {
            var g = explorer.Explore(parsed.Catalog, parsed.Reading, new ExploreLimits(MaxStates: 200_000_000), threads);
            return $"{g.States.Count:N0} states, {g.Transitions:N0} transitions tried";
        }
        var searches = new (string Name, Func<int, string> Run)[]
        {
            (names[0], threads => Found(shared.Value.Run(threads))),
            (names[1], threads => Found(partitioned.Value.Run(threads)) + (threads == 1 ? "" : $", waits at the levels' ends {string.Join(" and ", partitioned.Value.Waits.Select(w => $"{w.TotalSeconds:F2} s"))}")),
            (names[2], threads => Found(snapshot.Value.Run(threads))),
            (names[3], Apart),
            (names[4], threads => Explore(new Explorer(), threads)),
            (names[5], threads => Explore(new Explorer { PackFrom = int.MaxValue }, threads)),
        }.Where(x => chosen.Contains(x.Name)).ToArray();
        // Made now, so that no run's time includes making them.
        if (chosen.Contains(names[0]) || chosen.Contains(names[2]) || chosen.Contains(names[3])) _ = shared.Value;
        if (chosen.Contains(names[1])) _ = partitioned.Value;
        if (chosen.Contains(names[2])) _ = snapshot.Value;
        if (chosen.Contains(names[3])) _ = other.Value;
        // The snapshot search's ids and edges must be those of one thread's search, as the shared
        // table on one thread gives them; checked once, before the rounds, on two threads.
        if (chosen.Contains(names[2]))
        {
            if (snapshot.Value.Run(2).States < 0 || shared.Value.Run(1).States < 0)
            {
                Console.Error.WriteLine($"bare-search: snapshot: more than --states {parsed.States} states; give it more");
                return 1;
            }
            if (snapshot.Value.Digest() != shared.Value.Digest())
            {
                Console.Error.WriteLine("bare-search: the snapshot search's ids or edges on two threads are not those of one thread's search");
                return 1;
            }
        }
        var times = searches.Select(_ => (One: new List<double>(), Two: new List<double>())).ToArray();
        for (var round = 1; round <= parsed.Runs; round++)
            for (var v = 0; v < searches.Length; v++)
                foreach (var threads in round % 2 == 1 ? new[] { 1, 2 } : [2, 1])
                {
                    // The last run's garbage collected before the clock starts, not during this run.
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    var clock = Stopwatch.StartNew();
                    string found;
                    try
                    {
                        found = searches[v].Run(threads);
                    }
                    catch (StoreFull)
                    {
                        Console.Error.WriteLine($"bare-search: {searches[v].Name}: more than --states {parsed.States} states; give it more");
                        return 1;
                    }
                    var seconds = clock.Elapsed.TotalSeconds;
                    (threads == 1 ? times[v].One : times[v].Two).Add(seconds);
                    Console.WriteLine($"round {round}, {searches[v].Name}, {ReportWords.Threads(threads)}: {found}, {seconds:F2} s");
                }
        Console.WriteLine($"over {parsed.Runs} round{(parsed.Runs == 1 ? "" : "s")}, medians:");
        for (var v = 0; v < searches.Length; v++)
        {
            var (one, two) = times[v];
            var ratios = one.Zip(two, (o, t) => o / t).ToList();
            if (searches[v].Name == "apart")
            {
                var slower = ratios.Select(r => 1 / r).ToList();
                Console.WriteLine($"  apart: one search {Median(one):F2} s, two at once {Median(two):F2} s, two at once over one in each round {Median(slower):F2}x ({slower.Min():F2}-{slower.Max():F2}x): the two threads did {2 * Median(ratios):F2}x one's work");
            }
            else Console.WriteLine($"  {searches[v].Name}: one thread {Median(one):F2} s, two threads {Median(two):F2} s, each round's speed-up {Median(ratios):F2}x ({ratios.Min():F2}-{ratios.Max():F2}x)");
        }
        return 0;
    }

    private static string Found((long States, long Edges) r) =>
        r.States < 0 ? throw new StoreFull() : $"{r.States:N0} states, {r.Edges:N0} edges";

    // A search that had more states than --states lets it store.
    private sealed class StoreFull : Exception;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
