using System.CommandLine;
using Klp.Check.Comparison;
using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Reports;
using Klp.Check.Shards;
using Klp.Check.Verdicts;

namespace Klp.Check.Commands;

/// <summary><c>klp-check sweep</c>: the verdict matrix over growing bounds, and where each verdict settles (docs/sweep.md).</summary>
public static class SweepCommand
{
    /// <summary>What a sweep explores, as parsed from its command line.</summary>
    /// <param name="Base">The bounds the dimensions move away from.</param>
    /// <param name="Ranges">The keys grown and their values.</param>
    /// <param name="Readings">The readings, with the mode applied.</param>
    /// <param name="Properties">The properties.</param>
    /// <param name="Limits">The caps.</param>
    /// <param name="Threads">Worker threads (0: all cores).</param>
    /// <param name="Symmetry">Over release plans, one exploration per class of plans that differ only in where the customer releases stand (<see cref="SymmetricComparer"/>); false with <c>--no-symmetry</c>. The results are the same.</param>
    public sealed record SweepRequest(BoundsSpace Base, IReadOnlyList<SweepRange> Ranges, IReadOnlyList<Reading> Readings, IReadOnlyList<Property> Properties,
        ExploreLimits Limits, int Threads, bool Symmetry = true)
    {
        /// <summary>The dimensions the ranges give.</summary>
        public IReadOnlyList<SweepDimension> Dimensions => SweepDimension.Of(Base, Ranges);

        /// <summary>What shards of this sweep must share: the base bounds, the ranges and what a compare shard shares (<see cref="PartialResult.IdentityOfInput"/>).</summary>
        public List<(string Field, string Value)> Identity =>
        [
            .. PartialResult.IdentityOfInput($"{(Base.IsRaw ? "raw catalogs" : "release plans")} {Base}", Readings, Properties, Limits, [], []),
            ("ranges", string.Join(",", Ranges.Select(r => $"{r.Key}={r.From}..{r.To}"))),
        ];
    }

    private sealed class Options
    {
        public readonly Option<string[]> Reading = Cli.ReadingOption();
        public readonly Option<string[]> Setting = Cli.SettingOption();
        public readonly Option<string?> Mode = Cli.ModeOption();
        public readonly Option<string> Format = Cli.FormatOption();
        public readonly Option<string?> Ranges = new("--bounds-range") { HelpName = "KEY=A..B,...", Description = "the keys to grow and their values, e.g. releases=1..6,hotfixes=0..3 (default: every whole-number bound from its smallest value to one past the base, releases to two past)" };
        public readonly Option<int?> MaxSeconds = Cli.NumberOption("--max-seconds", 0, int.MaxValue, "stop growing a dimension when its next step is estimated to pass this budget for the whole sweep (default: none; not with --shard, since it depends on the clock)");
        public readonly InputOptions Input = new() { PlanSymmetry = true };
        public readonly ShardOptions Shard = new();

        public Command Command()
        {
            var command = new Command("sweep", "The verdict matrix over growing bounds: each key of --bounds-range (default: each whole-number bound) from its first value to its last, the other bounds at the base (--bounds, or the defaults), then every key together. Per (reading, property): the verdict at each step and the step from which the last one holds; a cell whose verdict changed at the largest bound is not settled, and one whose verdict there or at the step before depends on what a cap (--max-states, --max-depth, the default state cap) left unexplored is not decided. Exit 0; 1 when a cell is not settled; 2 on bad input; 3 when none is unsettled but a cap cut an exploration; 130 when interrupted (the finished steps are printed). With --shard K/N --out FILE: check one share of the inputs of every step and write a partial result for klp-check merge (exit 0, 2 or 130); --max-seconds is refused there.")
            {
                Reading, Setting, Mode, Format, Ranges, MaxSeconds,
            };
            Input.AddTo(command, singleInputs: false);
            Shard.AddTo(command);
            return command;
        }

        // Parses what the sweep explores; null after one line on bad input.
        public SweepRequest? Prepare(ParseResult parse, TextWriter stderr)
        {
            if (Input.SingleInput(parse))
            {
                stderr.WriteLine("klp-check: sweep: --catalog and --plan give one input, which no bound grows; use --bounds (with --raw for raw catalogs)");
                return null;
            }
            var readings = Cli.ParseReadings(parse.GetValue(Reading), parse.GetValue(Setting), stderr);
            var space = readings is null ? null : Input.Space(parse, stderr);
            var invariants = space is null ? null : Input.Properties(parse, stderr);
            if (readings is null || space is null || invariants is null) return null;
            IReadOnlyList<SweepRange>? chosen;
            if (parse.GetValue(Ranges) is { } text)
            {
                chosen = SweepRange.Parse(text, space, out var error);
                if (chosen is null)
                {
                    stderr.WriteLine($"klp-check: --bounds-range: {error}");
                    return null;
                }
                // A range asked for whose step is too large to enumerate is refused now; the
                // default ranges stop a dimension before such a step instead (Sweeper.Run).
                var tooLarge = SweepDimension.Of(space, chosen).SelectMany(d => d.Points).Select(p => (p.Label, Reason: p.Bounds.TooMany())).FirstOrDefault(p => p.Reason is not null);
                if (tooLarge.Reason is not null)
                {
                    stderr.WriteLine($"klp-check: --bounds-range: the step {tooLarge.Label}: {tooLarge.Reason}");
                    return null;
                }
            }
            else chosen = [.. space.Keys.Select(k => SweepRange.Default(k, space))];
            return new SweepRequest(space, chosen, Cli.WithMode(readings, parse.GetValue(Mode)), invariants, Input.Limits(parse), Input.Threads(parse),
                !Input.NoSymmetry(parse));
        }
    }

    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var o = new Options();
        var command = o.Command();
        command.SetAction(parse =>
        {
            var sharded = o.Shard.Given(parse);
            if (sharded && parse.GetValue(o.MaxSeconds) is not null)
            {
                stderr.WriteLine("klp-check: sweep: --max-seconds stops where the clock says, which differs between machines; it cannot be used with --shard or --out");
                return ExitCodes.Usage;
            }
            var target = sharded ? o.Shard.Parse(parse, stderr) : null;
            if (sharded && target is null) return ExitCodes.Usage;
            var run = o.Prepare(parse, stderr);
            if (run is null) return ExitCodes.Usage;
            var budget = parse.GetValue(o.MaxSeconds) is { } seconds ? new SweepBudget(seconds) : null;

            using var cts = InputOptions.CancelOnCtrlC();
            var progress = InputOptions.Progress(stderr);
            if (target is { } t) return RunShard(run, t.Shard, t.Out, ShardOptions.Recorded(parse), stderr, cts.Token, progress);
            var result = Sweeper.Run(run.Base, run.Dimensions, run.Readings, run.Properties, run.Limits, budget, run.Threads, cts.Token, progress,
                step =>
                {
                    InputOptions.EndProgress(stderr);
                    stderr.WriteLine($"klp-check: {step.Point.Label}: {step.Result.Source.Count} inputs, {step.Result.States} states in {step.Elapsed.TotalSeconds:F2} s");
                }, symmetry: run.Symmetry);
            InputOptions.EndProgress(stderr);
            foreach (var d in result.Dimensions)
                if (d.Stopped is { } stop)
                    stderr.WriteLine(stop.TooMany is not null
                        ? $"klp-check: {d.Dimension.Name}: stopped before {stop.Before.Label}, whose inputs are too many to enumerate"
                        : $"klp-check: {d.Dimension.Name}: stopped before {stop.Before.Label}, estimated at {stop.Estimate:F2} s with {stop.Used:F2} s of the {stop.Budget} s budget used");
            return Report(result, parse.GetValue(o.Format) ?? "text", stdout, stderr);
        });
        return command;
    }

    /// <summary>Parses the recorded arguments of a sweep shard again; null after one line on bad input.</summary>
    public static SweepRequest? Rebuild(IReadOnlyList<string> arguments, TextWriter stderr)
    {
        var o = new Options();
        return ShardOptions.Reparse(o.Command(), arguments, stderr) is { } parse ? o.Prepare(parse, stderr) : null;
    }

    // One shard: at every step, its share of the step's inputs under every reading, written as one partial result.
    private static int RunShard(SweepRequest run, Shard shard, string file, List<string> arguments,
        TextWriter stderr, CancellationToken cancel, Action<string>? progress)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var steps = new List<StepPartial>();
        var (inputs, total) = (0, 0);
        var result = Sweeper.Run(run.Base, run.Dimensions, run.Readings, run.Properties, run.Limits, null, run.Threads, cancel, progress, null, (point, source) =>
        {
            var mine = shard.Select(source, run.Readings[0]);
            var partials = Verifier.CheckAll(source, run.Readings, run.Properties, run.Limits, mine, run.Threads, cancel,
                (reading, n) => progress?.Invoke($"shard {shard}, {point.Label}, {reading.DisplayName}: {n}/{mine.Count} inputs"));
            steps.Add(new StepPartial(point.Bounds.ToString(), partials));
            (inputs, total) = (inputs + mine.Count, total + source.Count);
            return Comparer.Finish(source, run.Readings, run.Properties, partials, []);
        });
        InputOptions.EndProgress(stderr);
        if (!result.Complete)
        {
            stderr.WriteLine($"klp-check: interrupted: shard {shard} not written");
            return ExitCodes.Interrupted;
        }
        var partial = new PartialResult("sweep", PartialResult.ToolVersion, shard, arguments, run.Identity, [], null) { Steps = steps };
        return ShardOptions.Write(partial, file, inputs, total, steps.Sum(s => s.Readings.Sum(p => p.States)), clock.Elapsed, stderr) ? ExitCodes.Ok : ExitCodes.Usage;
    }

    /// <summary>Merges the partial results of every shard of one sweep into its result, as one sweep over every input gives it; null after one line when a step is missing from the shards.</summary>
    public static SweepResult? Merge(SweepRequest run, IReadOnlyList<PartialResult> shards, TextWriter stderr)
    {
        var steps = new Dictionary<string, IReadOnlyList<ReadingPartial>>(StringComparer.Ordinal);
        foreach (var bounds in shards[0].Steps.Select(s => s.Bounds))
        {
            var each = shards.Select(s => s.Steps.FirstOrDefault(x => x.Bounds == bounds)?.Readings).ToList();
            if (each.Any(r => r is null || r.Count != run.Readings.Count))
            {
                stderr.WriteLine($"klp-check: merge: the step at {bounds} is not in every shard, or not with every reading");
                return null;
            }
            steps[bounds] = ReadingPartial.Sum(each!);
        }
        // The sweep again, each step's matrix from the shards. A step too large to enumerate stops
        // its dimension here as in every shard (the sweep does not ask for it), however it was found.
        try
        {
            return Sweeper.Run(run.Base, run.Dimensions, run.Readings, run.Properties, run.Limits, explore: (point, source) =>
                steps.TryGetValue(point.Bounds.ToString(), out var partials)
                    ? Comparer.Finish(source, run.Readings, run.Properties, partials, [])
                    : throw new StepMissing(point));
        }
        catch (StepMissing e)
        {
            stderr.WriteLine($"klp-check: merge: no shard has the step at {e.Point.Label}");
            return null;
        }
    }

    // A step the sweep explores that no shard has.
    private sealed class StepMissing(SweepPoint point) : Exception($"no shard has the step at {point.Label}")
    {
        public SweepPoint Point { get; } = point;
    }

    /// <summary>Prints a sweep in a format (text, markdown, json); returns the exit code of sweep.</summary>
    public static int Report(SweepResult result, string format, TextWriter stdout, TextWriter stderr)
    {
        stdout.Write(format switch
        {
            "json" => SweepReport.Json(result),
            "markdown" => SweepReport.Markdown(result),
            _ => SweepReport.Text(result),
        });
        if (!result.Complete)
        {
            stderr.WriteLine($"klp-check: interrupted during {result.Interrupted!.Label}; the finished steps are printed");
            return ExitCodes.Interrupted;
        }
        if (result.NotSettled().Any())
        {
            stderr.WriteLine("klp-check: some verdict changed at the largest bound of its dimension: not settled (exit 1)");
            return ExitCodes.Failed;
        }
        if (!result.Exhaustive)
        {
            var undecided = result.Undecided().Count();
            stderr.WriteLine($"klp-check: a cap cut the exploration: not exhaustive, {Words.Count(undecided, "cell")} not decided (exit 3)");
            return ExitCodes.Inconclusive;
        }
        if (result.Short().Any())
        {
            stderr.WriteLine($"klp-check: {string.Join(", ", result.Short().Select(d => d.Dimension.Name))}: fewer than two steps explored, so whether the verdicts settled is not known (exit 3)");
            return ExitCodes.Inconclusive;
        }
        return ExitCodes.Ok;
    }
}
