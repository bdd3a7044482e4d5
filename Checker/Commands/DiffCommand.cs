using System.CommandLine.Parsing;
using System.CommandLine;
using Klp.Check.Equivalence;
using Klp.Check.Reports.Html;
using Klp.Check.Reports;

namespace Klp.Check.Commands;

/// <summary><c>klp-check diff A B [C...]</c>: which readings differ, on which shortest trace, and which are the same.</summary>
public static class DiffCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var names = new Argument<string[]>("READING") { Description = "two or more readings, e.g. positional flat or set(states=versions) (none: every reading)", Arity = ArgumentArity.ZeroOrMore };
        var reading = Cli.ReadingOption();
        var setting = Cli.SettingOption();
        var mode = Cli.ModeOption();
        var format = Cli.FormatOption("html");
        var observe = new Option<string?>("--observe") { Description = $"observables to compare, comma-separated: all or {string.Join(",", ObservedText.Names)} (default all)" };
        var input = new InputOptions();
        var command = new Command("diff", "Explore readings in lockstep under one alphabet of operations and group those that no trace tells apart; for each pair of groups print the shortest trace on which an observable differs. Input: release plans within bounds (default), --raw catalogs, --catalog or --plan. A cap (--max-states, --max-depth, the default state cap) that cuts a lockstep exploration makes the run not exhaustive: readings of one group then differ in no trace of the explored part, which does not show them equivalent. Exit 0: one group, every exploration exhaustive; 1: the readings differ; 2: bad input; 3: one group, but a cap cut an exploration; 130: interrupted.")
        {
            names, reading, setting, mode, format, observe,
        };
        input.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetResult("--invariant") is OptionResult { Implicit: false })
            {
                stderr.WriteLine("klp-check: diff: --invariant does not apply; diff compares observables (see --observe)");
                return ExitCodes.Usage;
            }
            var given = (parse.GetValue(names) ?? []).Concat(parse.GetValue(reading) ?? []).ToList();
            var readings = Cli.ParseReadings(given, parse.GetValue(setting), stderr);
            if (readings is null) return ExitCodes.Usage;
            if (given.Count == 1)
            {
                stderr.WriteLine("klp-check: diff: give two or more readings (or none for every reading)");
                return ExitCodes.Usage;
            }
            var observed = Observed.All;
            if (parse.GetValue(observe) is { } text)
            {
                if (ObservedText.Parse(text, out var error) is not { } o)
                {
                    stderr.WriteLine($"klp-check: --observe: {error}");
                    return ExitCodes.Usage;
                }
                observed = o;
            }
            var source = input.Source(parse, stderr);
            if (source is null) return ExitCodes.Usage;
            readings = Cli.WithMode(readings, parse.GetValue(mode));

            using var cts = InputOptions.CancelOnCtrlC();
            var progress = InputOptions.Progress(stderr);
            var result = Classifier.Classes(source, readings, input.Limits(parse), input.Threads(parse), cts.Token, observed, progress);
            InputOptions.EndProgress(stderr);
            stdout.Write(parse.GetValue(format) switch
            {
                "json" => EquivalenceReport.Json(result),
                "markdown" => EquivalenceReport.Markdown(result) + MermaidTrace.ForEquivalence(result),
                "html" => HtmlReport.Equivalence(result),
                _ => EquivalenceReport.Text(result),
            });
            var seconds = Math.Max(result.Elapsed.TotalSeconds, 1e-9);
            stderr.WriteLine($"klp-check: {result.ProductStates} product states in {result.Elapsed.TotalSeconds:F2} s ({result.ProductStates / seconds:N0} states/s)");
            if (!result.Complete) return ExitCodes.Interrupted;
            if (!result.AllEquivalent) return ExitCodes.Failed;
            if (result.Exhaustive) return ExitCodes.Ok;
            stderr.WriteLine("klp-check: a cap cut the exploration: no trace in the explored part tells the readings apart, which does not show them equivalent (exit 3)");
            return ExitCodes.Inconclusive;
        });
        return command;
    }
}
