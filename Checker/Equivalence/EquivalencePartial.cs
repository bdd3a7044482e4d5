using System.Diagnostics;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Equivalence;

/// <summary>What the inputs checked say about one pair of readings: on how many some trace tells them apart, the best such input, and the product states spent.</summary>
public sealed class PairPartial
{
    /// <summary>Inputs on which some trace tells the readings apart.</summary>
    public int Count { get; set; }

    /// <summary>The best distinguishing input (fewest features, then shortest trace, then lowest index), or -1.</summary>
    public int Index { get; set; } = -1;

    /// <summary>The features of <see cref="Index"/>.</summary>
    public InputFeatures Features { get; set; }

    /// <summary>The length of the shortest distinguishing trace on <see cref="Index"/>.</summary>
    public int Length { get; set; }

    /// <summary>Product states explored for this pair.</summary>
    public long States { get; set; }

    /// <summary>Product transitions applied for this pair.</summary>
    public long Transitions { get; set; }

    /// <summary>Adds one input's lockstep result or another partial of the same pair.</summary>
    public void Add(PairPartial o)
    {
        Count += o.Count;
        States += o.States;
        Transitions += o.Transitions;
        if (o.Index >= 0 && (Index < 0 || InputOrder.Before(o.Features, o.Length, o.Index, Features, Length, Index)))
            (Index, Features, Length) = (o.Index, o.Features, o.Length);
    }
}

/// <summary>Equivalence of readings checked over some inputs: which pairs some input separates, and per pair of readings the distinguishing evidence; partials of disjoint inputs merge into the result of one run.</summary>
/// <remarks>
/// Phase 1 partitions the readings on each input. Phase 2 needs the classes over every input, which one
/// part of the inputs does not know: a partial that is not the only one runs the lockstep for every pair of
/// readings in different blocks, and merging keeps the pairs of class representatives. A partial over every
/// input (one run) runs only the pairs of its own class representatives, which are then the classes'.
/// </remarks>
public sealed class EquivalencePartial
{
    /// <summary>The number of readings.</summary>
    public int Readings { get; init; }

    /// <summary>Per pair of readings (x * Readings + y, x &lt; y): true when some input puts them in different blocks.</summary>
    public bool[] Apart { get; init; } = [];

    /// <summary>Per reading: the product states that showed it equal to an earlier block's first reading, summed over inputs.</summary>
    public long[] Joined { get; init; } = [];

    /// <summary>Product states of phase 1.</summary>
    public long PhaseStates { get; set; }

    /// <summary>Product transitions of phase 1.</summary>
    public long PhaseTransitions { get; set; }

    /// <summary>The inputs a cap cut in phase 1, with the cap, by index.</summary>
    public List<(int Index, string Cap)> Cut { get; init; } = [];

    /// <summary>Per pair of readings (x * Readings + y, x &lt; y) whose lockstep ran on some input, the evidence; null where none ran.</summary>
    public PairPartial?[] Pairs { get; init; } = [];

    /// <summary>False when phase 1 was interrupted: no class is established.</summary>
    public bool Partitioned { get; set; } = true;

    /// <summary>False when interrupted.</summary>
    public bool Complete { get; set; } = true;

    /// <summary>Wall time.</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>Runs both phases on the given inputs (all when null); <paramref name="alone"/> says that no other partial will be merged with this one.</summary>
    public static EquivalencePartial Check(InputSource source, IReadOnlyList<Reading> readings, ExploreLimits limits, IReadOnlyList<int>? inputs, bool alone,
        int threads = 0, CancellationToken cancel = default, Observed observed = Observed.All, Action<string>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var comparable = Classifier.Comparable(source, readings, observed, out _);
        var n = readings.Count;
        var count = inputs?.Count ?? source.Count;
        using var engine = new ThreadLocal<Lockstep>(() => new Lockstep());
        var options = new ParallelOptions { MaxDegreeOfParallelism = Threads.Workers(threads), CancellationToken = cancel };
        var result = new EquivalencePartial { Readings = n, Apart = new bool[n * n], Joined = new long[n], Pairs = new PairPartial?[n * n] };

        // Phase 1, per input: the partition of the readings, each compared with the first reading of
        // every block until one agrees. Each input's blocks are kept, a reading's block as the
        // number of its first reading, for phase 2; the rest is summed per worker as each input is
        // done, in sums, flags and lists that merge in any order.
        if (n > ushort.MaxValue) throw new ArgumentException($"at most {ushort.MaxValue} readings are compared at once, not {n}", nameof(readings));
        var block = new ushort[(long)count * n];
        var firstPhase = new List<PhaseOne>();
        var done = 0;
        try
        {
            Parallel.For(0, count, options, () =>
            {
                var worker = new PhaseOne(n);
                lock (firstPhase) firstPhase.Add(worker);
                return worker;
            }, (j, _, w) =>
            {
                var i = inputs?[j] ?? j;
                var catalogs = Classifier.Catalogs(source, i, readings);
                var own = w.Own;
                var reps = w.Representatives;
                reps.Clear();
                string? cut = null;
                for (var r = 0; r < n; r++)
                {
                    own[r] = r;
                    foreach (var rep in reps)
                    {
                        var res = engine.Value!.Run([catalogs[rep], catalogs[r]], [readings[rep], readings[r]], comparable, limits);
                        w.States += res.ProductStates;
                        w.Transitions += res.Transitions;
                        cut ??= res.CutBy;
                        if (res.Divergence is null)
                        {
                            own[r] = rep;
                            w.Joined[r] += res.ProductStates;
                            break;
                        }
                    }
                    if (own[r] == r) reps.Add(r);
                    block[(long)j * n + r] = (ushort)own[r];
                    for (var x = 0; x < r; x++)
                        if (own[x] != own[r]) w.Apart[x * n + r] = true;
                }
                if (cut is not null) w.Cut.Add((i, cut));
                var m = Interlocked.Increment(ref done);
                if (m % 64 == 0 || m == count) progress?.Invoke($"classes: {m}/{count} inputs");
                return w;
            }, _ => { });
        }
        catch (OperationCanceledException)
        {
            result.Partitioned = result.Complete = false;
        }
        // Every worker is done here, whether the loop ended or was interrupted.
        foreach (var w in firstPhase)
        {
            result.PhaseStates += w.States;
            result.PhaseTransitions += w.Transitions;
        }
        if (!result.Partitioned)
        {
            result.Elapsed = clock.Elapsed;
            return result;
        }
        foreach (var w in firstPhase)
        {
            result.Cut.AddRange(w.Cut);
            for (var r = 0; r < n; r++) result.Joined[r] += w.Joined[r];
            for (var s = 0; s < w.Apart.Length; s++) result.Apart[s] |= w.Apart[s];
        }
        result.Cut.Sort((a, b) => a.Index.CompareTo(b.Index));

        // Phase 2: the pairs that may be pairs of class representatives, on the inputs where they differ.
        var candidates = new List<int>();
        for (var r = 0; r < n; r++)
            if (!alone || candidates.TrueForAll(x => result.Apart[x * n + r])) candidates.Add(r);
        var pairs = new List<(int X, int Y)>();
        foreach (var x in candidates)
            foreach (var y in candidates)
                if (x < y && result.Apart[x * n + y]) pairs.Add((x, y));
        // Per worker, per pair, the evidence of the inputs the worker took.
        var secondPhase = new List<PairPartial?[]>();
        done = 0;
        try
        {
            Parallel.For(0, count, options, () =>
            {
                var row = new PairPartial?[pairs.Count];
                lock (secondPhase) secondPhase.Add(row);
                return row;
            }, (j, _, row) =>
            {
                var i = inputs?[j] ?? j;
                Catalog[]? catalogs = null;
                for (var k = 0; k < pairs.Count; k++)
                {
                    var (x, y) = pairs[k];
                    if (block[(long)j * n + x] == block[(long)j * n + y]) continue;
                    catalogs ??= Classifier.Catalogs(source, i, readings);
                    var res = engine.Value!.Run([catalogs[x], catalogs[y]], [readings[x], readings[y]], comparable, limits);
                    var length = res.Divergence?.Length ?? 0;
                    (row[k] ??= new PairPartial()).Add(new PairPartial
                    {
                        Count = length > 0 ? 1 : 0, States = res.ProductStates, Transitions = res.Transitions,
                        Index = length > 0 ? i : -1, Features = length > 0 ? source.Features(i) : InputFeatures.None, Length = length,
                    });
                }
                var m = Interlocked.Increment(ref done);
                if (pairs.Count > 0 && (m % 64 == 0 || m == count)) progress?.Invoke($"distinguishing traces: {m}/{count} inputs");
                return row;
            }, _ => { });
        }
        catch (OperationCanceledException)
        {
            result.Complete = false;
        }
        foreach (var row in secondPhase)
            for (var k = 0; k < pairs.Count; k++)
                if (row[k] is { } p)
                {
                    var slot = pairs[k].X * n + pairs[k].Y;
                    (result.Pairs[slot] ??= new PairPartial()).Add(p);
                }
        result.Elapsed = clock.Elapsed;
        return result;
    }

    // What one worker of phase 1 sums over the inputs it takes, and the arrays it reuses for each.
    private sealed class PhaseOne(int readings)
    {
        public readonly int[] Own = new int[readings];
        public readonly List<int> Representatives = [];
        public readonly long[] Joined = new long[readings];
        public readonly bool[] Apart = new bool[readings * readings];
        public readonly List<(int Index, string Cap)> Cut = [];
        public long States, Transitions;
    }

    /// <summary>Adds the partial of the same readings over other inputs.</summary>
    public void Add(EquivalencePartial o)
    {
        for (var s = 0; s < Apart.Length; s++)
        {
            Apart[s] |= o.Apart[s];
            if (o.Pairs[s] is { } p) (Pairs[s] ??= new PairPartial()).Add(p);
        }
        for (var r = 0; r < Joined.Length; r++) Joined[r] += o.Joined[r];
        PhaseStates += o.PhaseStates;
        PhaseTransitions += o.PhaseTransitions;
        Cut.AddRange(o.Cut);
        Partitioned &= o.Partitioned;
        Complete &= o.Complete;
        Elapsed += o.Elapsed;
    }

    /// <summary>The classes and the distinguishing traces: the same whether this partial covers every input in one run or merges shards of them.</summary>
    public EquivalenceResult Finish(InputSource source, IReadOnlyList<Reading> readings, ExploreLimits limits, Observed observed = Observed.All)
    {
        var clock = Stopwatch.StartNew();
        var comparable = Classifier.Comparable(source, readings, observed, out var note);
        var n = readings.Count;
        long pairStates = 0, pairTransitions = 0;
        if (!Partitioned)
            return new EquivalenceResult(source, readings, comparable, note, [], [], PhaseStates, PhaseTransitions, [], false, Elapsed + clock.Elapsed);

        // Readings are equivalent when they share a block on every input.
        var members = new List<List<int>>();
        for (var r = 0; r < n; r++)
        {
            var c = members.FindIndex(m => !Apart[m[0] * n + r]);
            if (c < 0) members.Add([r]);
            else members[c].Add(r);
        }
        var classes = new List<EquivalenceClass>();
        foreach (var m in members)
            classes.Add(new EquivalenceClass([.. m.Select(r => readings[r])], source.Count, m.Count > 1 ? m.Sum(r => Joined[r]) : 0));

        // For each pair of classes, the shortest trace between the representatives, on the inputs where they differ.
        var differences = new List<ClassDifference>();
        var replay = new Lockstep();
        for (var a = 0; a < members.Count; a++)
            for (var b = a + 1; b < members.Count; b++)
            {
                var x = members[a][0];
                var y = members[b][0];
                if (Pairs[x * n + y] is not { } p) continue;
                pairStates += p.States;
                pairTransitions += p.Transitions;
                // Different classes differ on some input; a cap can hide it, in which case no trace is reported.
                if (!Complete || p.Index < 0) continue;
                var catalogs = Classifier.Catalogs(source, p.Index, readings);
                var res = replay.Run([catalogs[x], catalogs[y]], [readings[x], readings[y]], comparable, limits);
                differences.Add(new ClassDifference(a, b, p.Index, source.Describe(p.Index), res.Divergence!, p.Count));
            }
        var cut = Cut.OrderBy(c => c.Index).Select(c => $"input {c.Index + 1}: {c.Cap}").ToList();
        return new EquivalenceResult(source, readings, comparable, note, classes, differences,
            PhaseStates + pairStates, PhaseTransitions + pairTransitions, cut, Complete, Elapsed + clock.Elapsed);
    }
}
