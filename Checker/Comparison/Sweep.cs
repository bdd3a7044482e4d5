using System.Diagnostics;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Comparison;

/// <summary>The values one key takes in a sweep, from <paramref name="From"/> up to <paramref name="To"/>.</summary>
/// <param name="Key">A whole-number bound, e.g. <c>releases</c>.</param>
/// <param name="From">The first value.</param>
/// <param name="To">The last value, at least <paramref name="From"/>.</param>
public sealed record SweepRange(string Key, int From, int To)
{
    /// <summary>The default range of a key: from its smallest value to <see cref="BoundKey.SweepPast"/> past the base value (one; two for <c>releases</c>),
    /// or to its largest value when that is nearer.</summary>
    public static SweepRange Default(BoundKey key, BoundsSpace at) => new(key.Name, key.Min, Math.Min(key.Max, at.Value(key.Name) + key.SweepPast));

    /// <summary>Parses <c>KEY=A..B</c> (or <c>KEY=A</c>) settings separated by commas or spaces against the keys of <paramref name="at"/>; null with a one-line message on error.</summary>
    public static IReadOnlyList<SweepRange>? Parse(string text, BoundsSpace at, out string? error)
    {
        var ranges = new List<SweepRange>();
        error = null;
        var expected = $"expected KEY=FROM..TO with {string.Join(", ", at.Keys.Select(k => $"{k.Name}={k.Min}..{k.Max}"))}";
        if (BoundsText.Settings(text, out error) is not { } settings) return null;
        foreach (var (key, value) in settings)
        {
            var k = at.Keys.FirstOrDefault(x => x.Name == key);
            if (k is null)
            {
                var other = at.IsRaw ? PlanBounds.Keys : RawBounds.Keys;
                error = other.Any(x => x.Name == key)
                    ? $"'{key}' is a bound of {(at.IsRaw ? "release plans (drop --raw)" : "raw catalogs (add --raw)")}; {expected}"
                    : $"unknown key '{key}': {expected}";
                return null;
            }
            var dots = value.IndexOf("..", StringComparison.Ordinal);
            var from = BoundsText.Int(dots < 0 ? value : value[..dots], k.Min, k.Max);
            var to = dots < 0 ? from : BoundsText.Int(value[(dots + 2)..], k.Min, k.Max);
            if (from is null || to is null || to < from)
            {
                error = $"bad range '{key}={value}': {key} takes FROM..TO with {k.Min} <= FROM <= TO <= {k.Max}";
                return null;
            }
            ranges.Add(new SweepRange(key, from.Value, to.Value));
        }
        if (ranges.Count == 0) error = $"no range given: {expected}";
        return ranges.Count == 0 ? null : ranges;
    }
}

/// <summary>One point of a sweep: the bounds explored and how the report names them.</summary>
/// <param name="Label">The swept keys' values, e.g. <c>releases=3</c>.</param>
/// <param name="Bounds">Every bound, the swept keys at their values and the others at the base.</param>
public sealed record SweepPoint(string Label, BoundsSpace Bounds);

/// <summary>A sequence of growing bounds: one key moved while the others stay at the base, or every key moved together.</summary>
/// <param name="Name">The key, or <c>all</c>.</param>
/// <param name="Keys">The keys it moves.</param>
/// <param name="Points">The bounds in order, smallest first.</param>
public sealed record SweepDimension(string Name, IReadOnlyList<string> Keys, IReadOnlyList<SweepPoint> Points)
{
    /// <summary>One dimension per range, each moving its key with the other keys at the base; then, with several ranges, <c>all</c>,
    /// whose step i puts every key at its range's value i (the last value once its range is exhausted).</summary>
    public static IReadOnlyList<SweepDimension> Of(BoundsSpace at, IReadOnlyList<SweepRange> ranges)
    {
        var dimensions = new List<SweepDimension>();
        foreach (var r in ranges)
            dimensions.Add(new(r.Key, [r.Key], [.. Enumerable.Range(r.From, r.To - r.From + 1).Select(v => new SweepPoint($"{r.Key}={v}", at.With(r.Key, v)))]));
        if (ranges.Count > 1)
        {
            var points = new List<SweepPoint>();
            for (var i = 0; i < ranges.Max(r => r.To - r.From + 1); i++)
            {
                var b = at;
                foreach (var r in ranges) b = b.With(r.Key, Math.Min(r.From + i, r.To));
                points.Add(new(string.Join(",", ranges.Select(r => $"{r.Key}={b.Value(r.Key)}")), b));
            }
            dimensions.Add(new("all", [.. ranges.Select(r => r.Key)], points));
        }
        return dimensions;
    }
}

/// <summary>One finished step of a sweep.</summary>
/// <param name="Point">The bounds.</param>
/// <param name="Result">The verdict matrix at those bounds.</param>
/// <param name="Elapsed">Wall time of the step (of its first exploration when <paramref name="Reused"/>).</param>
/// <param name="Reused">True when an earlier dimension explored the same bounds and its matrix was taken.</param>
public sealed record SweepStep(SweepPoint Point, ComparisonResult Result, TimeSpan Elapsed, bool Reused);

/// <summary>Why a dimension stopped growing before its last point.</summary>
/// <param name="Before">The first point not explored.</param>
/// <param name="Estimate">The estimated seconds of that step.</param>
/// <param name="Used">Seconds of the sweep used when it stopped.</param>
/// <param name="Budget">The budget (<c>--max-seconds</c>).</param>
public sealed record SweepStop(SweepPoint Before, double Estimate, double Used, double Budget)
{
    /// <summary>Why the step's bounds cannot be enumerated (<see cref="BoundsSpace.TooMany"/>), when that and not the budget stopped the dimension; null for the budget.</summary>
    public string? TooMany { get; init; }

    /// <summary>What stopped the dimension, as the JSON report names it: <c>max-seconds</c> or <c>too-many-catalogs</c>.</summary>
    public string Reason => TooMany is null ? "max-seconds" : "too-many-catalogs";
}

/// <summary>The steps of one dimension that were explored.</summary>
/// <param name="Dimension">The dimension.</param>
/// <param name="Steps">The steps explored, in order: a prefix of the dimension's points.</param>
/// <param name="Stopped">Set when the budget stopped the dimension.</param>
public sealed record DimensionResult(SweepDimension Dimension, IReadOnlyList<SweepStep> Steps, SweepStop? Stopped);

/// <summary>A time budget for a sweep and the estimator that decides whether a next step fits it.</summary>
/// <param name="Seconds">The budget for the whole sweep (<c>--max-seconds</c>).</param>
/// <param name="Estimate">The estimated seconds of the next step; null when nothing is known yet (the step is then taken).</param>
public sealed record SweepBudget(double Seconds, Func<SweepEstimateInput, double?> Estimate)
{
    /// <summary>A budget with the default estimator <see cref="Extrapolate"/>.</summary>
    public SweepBudget(double seconds) : this(seconds, Extrapolate) { }

    /// <summary>The default estimator: the seconds per input of the latest step of the dimension (else of the sweep), times the growth of seconds per input between
    /// the dimension's last two steps (at least 1), times the next step's inputs.</summary>
    public static double? Extrapolate(SweepEstimateInput e)
    {
        static double PerInput(SweepStep s) => s.Elapsed.TotalSeconds / Math.Max(1, s.Result.Source.Count);
        var last = e.Dimension.Count > 0 ? e.Dimension[^1] : e.Latest;
        if (last is null) return null;
        var growth = e.Dimension.Count > 1 && PerInput(e.Dimension[^2]) > 0 ? Math.Max(1, PerInput(last) / PerInput(e.Dimension[^2])) : 1;
        return PerInput(last) * growth * e.NextInputs;
    }
}

/// <summary>What an estimator knows before a step: the steps of its dimension so far, the latest step of the sweep, and the inputs of the next step.</summary>
/// <param name="Dimension">The steps of the dimension explored so far.</param>
/// <param name="Latest">The latest step the sweep explored (any dimension), if any.</param>
/// <param name="Next">The bounds of the next step.</param>
/// <param name="NextInputs">How many inputs the next step explores per reading.</param>
public sealed record SweepEstimateInput(IReadOnlyList<SweepStep> Dimension, SweepStep? Latest, SweepPoint Next, int NextInputs);

/// <summary>A sweep's outcome: per dimension, the verdict matrix at each bound explored.</summary>
/// <param name="Base">The bounds the dimensions move away from.</param>
/// <param name="Readings">The readings.</param>
/// <param name="Properties">The properties.</param>
/// <param name="Dimensions">The dimensions, each with the steps explored.</param>
/// <param name="Interrupted">When Ctrl-C stopped the sweep, the bounds whose step was lost; the finished steps are kept.</param>
public sealed record SweepResult(BoundsSpace Base, IReadOnlyList<Reading> Readings, IReadOnlyList<Property> Properties,
    IReadOnlyList<DimensionResult> Dimensions, SweepPoint? Interrupted)
{
    /// <summary>False when interrupted.</summary>
    public bool Complete => Interrupted is null;

    /// <summary>Every (reading, property) cell of a dimension, in matrix order (reading, then property).</summary>
    public static IReadOnlyList<SweepCell> Cells(DimensionResult d)
    {
        var cells = new List<SweepCell>();
        if (d.Steps.Count == 0) return cells;
        var results = d.Steps[0].Result.Results;
        for (var r = 0; r < results.Count; r++)
            for (var k = 0; k < results[r].Verdicts.Count; k++)
                cells.Add(new SweepCell(results[r].Reading, results[r].Verdicts[k].Property, [.. d.Steps.Select(s => s.Result.Results[r].Verdicts[k])]));
        return cells;
    }

    /// <summary>The cells, over every dimension, whose verdict changed at the dimension's largest bound (both verdicts established).</summary>
    public IEnumerable<(DimensionResult Dimension, SweepCell Cell)> NotSettled() =>
        Dimensions.SelectMany(d => Cells(d).Where(c => c.Changed).Select(c => (d, c)));

    /// <summary>The cells, over every dimension, whose verdict at the largest bound or the one before depends on what a cap left unexplored.</summary>
    public IEnumerable<(DimensionResult Dimension, SweepCell Cell)> Undecided() =>
        Dimensions.SelectMany(d => Cells(d).Where(c => c.Undecided).Select(c => (d, c)));

    /// <summary>The dimensions that explored fewer than two steps (stopped by the budget, or before a step too large, or given a range of one step):
    /// with no step to compare the last one with, whether their cells settled is not known.</summary>
    public IEnumerable<DimensionResult> Short() => Dimensions.Where(d => d.Steps.Count < 2);

    /// <summary>True when no cap cut an exploration at any step.</summary>
    public bool Exhaustive => Dimensions.All(d => d.Steps.All(s => s.Result.Exhaustive));
}

/// <summary>The verdicts of one (reading, property) cell along a dimension.</summary>
/// <param name="Reading">The reading.</param>
/// <param name="Property">The property.</param>
/// <param name="Verdicts">The verdict at each step, in order.</param>
public sealed record SweepCell(Reading Reading, Property Property, IReadOnlyList<Verdict> Verdicts)
{
    /// <summary>The step from which the last verdict holds at every later step: where it first appeared, when verdicts only grow with the bounds.</summary>
    public int Since
    {
        get
        {
            var i = Verdicts.Count - 1;
            while (i > 0 && Verdicts[i - 1].Word == Verdicts[^1].Word) i--;
            return i;
        }
    }

    /// <summary>True when the verdict is the same at every step.</summary>
    public bool Unchanged => Since == 0;

    /// <summary>True when the verdict at the largest bound, or at the one before it, depends on what a cap left unexplored: whether it settled is not known.</summary>
    public bool Undecided => !Verdicts[^1].Exhaustive || Verdicts.Count > 1 && !Verdicts[^2].Exhaustive;

    /// <summary>True when the verdict changed at the largest bound, both verdicts established: a larger bound might change it again.</summary>
    public bool Changed => !Undecided && Verdicts.Count > 1 && Since == Verdicts.Count - 1;

    /// <summary>True when there is a bound before the largest, the verdict did not change at the largest bound, and neither verdict there nor at the bound before
    /// depends on what a cap left unexplored. A cell of one step is never settled: there is nothing to compare its verdict with.</summary>
    public bool Settled => Verdicts.Count > 1 && !Undecided && !Changed;

    /// <summary>The verdict words as runs of equal steps: (word, first step, last step).</summary>
    public IReadOnlyList<(string Word, int First, int Last)> Runs()
    {
        var runs = new List<(string, int, int)>();
        for (var i = 0; i < Verdicts.Count;)
        {
            var j = i;
            while (j + 1 < Verdicts.Count && Verdicts[j + 1].Word == Verdicts[i].Word) j++;
            runs.Add((Verdicts[i].Word, i, j));
            i = j + 1;
        }
        return runs;
    }
}

/// <summary>Runs a sweep: each step is one <see cref="Comparer.Run"/> of the verdict matrix at one point.</summary>
public static class Sweeper
{
    /// <summary>The steps a sweep from <paramref name="at"/> over these dimensions explores, in its order, each with its inputs: every bounds once, each dimension
    /// up to the first step whose inputs are too many to enumerate, where <see cref="Run"/> stops it.</summary>
    /// <remarks>Without a budget, as a sharded sweep runs: <see cref="Run"/> itself, handing each step to a list instead of exploring it. Merge checks the
    /// shards against these steps; a step too large stops its dimension in every shard, whether its bounds are refused by their floor
    /// (<see cref="BoundsSpace.TooMany"/>) or only once enumerated.</remarks>
    public static IReadOnlyList<(SweepPoint Point, InputSource Source)> Steps(BoundsSpace at, IReadOnlyList<SweepDimension> dimensions)
    {
        var steps = new List<(SweepPoint, InputSource)>();
        Run(at, dimensions, [], [], new ExploreLimits(), explore: (point, source) =>
        {
            steps.Add((point, source));
            return new ComparisonResult(source, [], [], [], true, TimeSpan.Zero);
        });
        return steps;
    }

    /// <summary>Explores every dimension in order; bounds met twice are explored once. Stops a dimension when <paramref name="budget"/> says its next step
    /// would not fit, and the whole sweep on cancellation (the finished steps are kept).</summary>
    /// <remarks><paramref name="explore"/> gives the matrix at a point from its inputs (default: <see cref="Comparer.Run"/> over them all, or with
    /// <paramref name="symmetry"/> <see cref="SymmetricComparer"/>, which gives the same matrix with one exploration per class of release plans, none for a
    /// class an earlier step explored);
    /// a shard checks its share of them, and merge combines the shards' partials.</remarks>
    public static SweepResult Run(BoundsSpace at, IReadOnlyList<SweepDimension> dimensions, IReadOnlyList<Reading> readings, IReadOnlyList<Property> invariants,
        ExploreLimits limits, SweepBudget? budget = null, int threads = 0, CancellationToken cancel = default,
        Action<string>? progress = null, Action<SweepStep>? stepDone = null, Func<SweepPoint, InputSource, ComparisonResult>? explore = null, bool symmetry = false)
    {
        var classes = symmetry ? new SymmetricComparer(readings, invariants, limits, threads, cancel) : null;
        explore ??= (point, source) =>
        {
            var stepProgress = progress is null ? null : (Action<string>)(text => progress($"{point.Label}: {text}"));
            return classes is not null
                ? classes.Run(point.Bounds, source, stepProgress)
                : Comparer.Run(source, readings, invariants, limits, [], threads, cancel, stepProgress);
        };
        var clock = Stopwatch.StartNew();
        var explored = new Dictionary<string, SweepStep>(StringComparer.Ordinal);
        var results = new List<DimensionResult>();
        SweepStep? latest = null;
        foreach (var d in dimensions)
        {
            var steps = new List<SweepStep>();
            SweepStop? stop = null;
            foreach (var point in d.Points)
            {
                var key = point.Bounds.ToString();
                if (explored.TryGetValue(key, out var earlier))
                {
                    steps.Add(earlier with { Point = point, Reused = true });
                    continue;
                }
                // A step whose inputs cannot be enumerated stops its dimension, as the budget does:
                // the steps before it are the dimension's evidence.
                InputSource source;
                try
                {
                    source = point.Bounds.Source();
                }
                catch (TooManyCatalogsException e)
                {
                    stop = new SweepStop(point, 0, clock.Elapsed.TotalSeconds, budget?.Seconds ?? 0) { TooMany = e.Message };
                    break;
                }
                if (budget is not null && budget.Estimate(new SweepEstimateInput(steps, latest, point, source.Count)) is { } estimate
                    && clock.Elapsed.TotalSeconds + estimate > budget.Seconds)
                {
                    stop = new SweepStop(point, estimate, clock.Elapsed.TotalSeconds, budget.Seconds);
                    break;
                }
                var started = clock.Elapsed;
                var result = explore(point, source);
                if (!result.Complete)
                {
                    results.Add(new DimensionResult(d, steps, null));
                    return new SweepResult(at, readings, invariants, results, point);
                }
                var step = new SweepStep(point, result, clock.Elapsed - started, false);
                explored[key] = step;
                latest = step;
                steps.Add(step);
                stepDone?.Invoke(step);
            }
            results.Add(new DimensionResult(d, steps, stop));
        }
        return new SweepResult(at, readings, invariants, results, null);
    }

}
