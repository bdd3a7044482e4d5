using System.CommandLine;
using Klp.Check.Comparison;
using Klp.Check.Exploration;
using Klp.Check.Model;
using Klp.Check.Output;

namespace Klp.Check.Commands;

/// <summary><c>klp-check sweep</c>: the verdict matrix over growing bounds, and where each verdict settles (docs/sweep.md).</summary>
public static class SweepCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var reading = Cli.ReadingOption();
        var setting = Cli.SettingOption();
        var mode = Cli.ModeOption();
        var format = Cli.FormatOption();
        var ranges = new Option<string?>("--bounds-range") { HelpName = "KEY=A..B,...", Description = "the keys to grow and their values, e.g. releases=1..6,hotfixes=0..3 (default: every whole-number bound from its smallest value to one past the base)" };
        var maxSeconds = Cli.NumberOption("--max-seconds", 0, int.MaxValue, "stop growing a dimension when its next step is estimated to pass this budget for the whole sweep (default: none)");
        var input = new InputOptions();
        var command = new Command("sweep", "The verdict matrix over growing bounds: each key of --bounds-range (default: each whole-number bound) from its first value to its last, the other bounds at the base (--bounds, or the defaults), then every key together. Per (reading, property): the verdict at each step and the step from which the last one holds; a cell whose verdict changed at the largest bound is not settled. Exit 0; 1 when a cell is not settled; 2 on bad input; 3 when a cap left a verdict inconclusive; 130 when interrupted (the finished steps are printed).")
        {
            reading, setting, mode, format, ranges, maxSeconds,
        };
        input.AddTo(command, singleInputs: false);
        command.SetAction(parse =>
        {
            if (input.SingleInput(parse))
            {
                stderr.WriteLine("klp-check: sweep: --catalog and --plan give one input, which no bound grows; use --bounds (with --raw for raw catalogs)");
                return ExitCodes.Usage;
            }
            var readings = Cli.ParseReadings(parse.GetValue(reading), parse.GetValue(setting), stderr);
            var space = readings is null ? null : input.Space(parse, stderr);
            var invariants = space is null ? null : input.Invariants(parse, stderr);
            if (readings is null || space is null || invariants is null) return ExitCodes.Usage;
            IReadOnlyList<SweepRange>? chosen;
            if (parse.GetValue(ranges) is { } text)
            {
                chosen = SweepRange.Parse(text, space, out var error);
                if (chosen is null)
                {
                    stderr.WriteLine($"klp-check: --bounds-range: {error}");
                    return ExitCodes.Usage;
                }
            }
            else chosen = [.. space.Keys.Select(k => SweepRange.Default(k, space))];
            readings = Cli.WithMode(readings, parse.GetValue(mode));
            var budget = parse.GetValue(maxSeconds) is { } seconds ? new SweepBudget(seconds) : null;

            using var cts = InputOptions.CancelOnCtrlC();
            var progress = InputOptions.Progress(stderr);
            var result = Sweeper.Run(space, SweepDimension.Of(space, chosen), readings, invariants, input.Limits(parse), budget, input.Threads(parse), cts.Token, progress,
                step =>
                {
                    InputOptions.EndProgress(stderr);
                    stderr.WriteLine($"klp-check: {step.Point.Label}: {step.Result.Source.Count} inputs, {step.Result.States} states in {step.Elapsed.TotalSeconds:F2} s");
                });
            InputOptions.EndProgress(stderr);
            foreach (var d in result.Dimensions)
                if (d.Stopped is { } stop)
                    stderr.WriteLine($"klp-check: {d.Dimension.Name}: stopped before {stop.Before.Label}, estimated at {stop.Estimate:F2} s with {stop.Used:F2} s of the {stop.Budget} s budget used");
            stdout.Write(parse.GetValue(format) switch
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
            if (result.Dimensions.SelectMany(d => d.Steps).Any(s => s.Result.Results.Any(r => r.Verdicts.Any(v => v.Kind == VerdictKind.Inconclusive))))
            {
                stderr.WriteLine("klp-check: a cap cut the exploration: some verdicts are inconclusive (exit 3)");
                return ExitCodes.Inconclusive;
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
