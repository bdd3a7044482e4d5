using System.CommandLine;
using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Reports.Html;
using Klp.Check.Reports;
using Klp.Check.Scenarios;

namespace Klp.Check.Commands;

/// <summary><c>klp-check replay FILE...</c>: replays scenario files under one or more readings and checks their expectations.</summary>
public static class ReplayCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var files = new Argument<string[]>("FILE") { Description = "scenario files (docs/scenarios.md)", Arity = ArgumentArity.OneOrMore };
        var reading = Cli.ReadingOption();
        var mode = Cli.ModeOption();
        var format = Cli.FormatOption("html", "dot");
        var graphLimit = Cli.GraphLimitOption();
        var setting = Cli.SettingOption();
        var command = new Command("replay", "Replay scenario files step by step under every reading (or those given) and check their expectations. Exit 0: all hold; 1: one failed; 2: bad input.")
        {
            files, reading, mode, format, setting, graphLimit,
        };
        command.SetAction(parse => Run(
            parse.GetValue(files) ?? [],
            parse.GetValue(reading),
            parse.GetValue(setting),
            parse.GetValue(mode),
            parse.GetValue(format) ?? "text",
            stdout,
            stderr,
            parse.GetValue(graphLimit)));
        return command;
    }

    /// <summary>Runs a replay; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> files, string[]? readingNames, string[]? settings, string? mode, string format, TextWriter stdout, TextWriter stderr, int graphLimit = DotGraph.DefaultLimit)
    {
        var explicitReadings = readingNames is { Length: > 0 };
        var readings = Cli.ParseReadings(readingNames, settings, stderr);
        if (readings is null) return ExitCodes.Usage;
        var scenarios = new List<Scenario>();
        var bad = false;
        foreach (var file in files)
        {
            try
            {
                scenarios.Add(ScenarioParser.ParseFile(file));
            }
            catch (InputException e)
            {
                foreach (var d in e.Diagnostics) stderr.WriteLine(d);
                bad = true;
            }
        }
        if (bad) return ExitCodes.Usage;
        var granularity = Cli.ParseMode(mode);
        var results = new List<ReplayResult>();
        foreach (var s in scenarios)
        {
            var columns = explicitReadings || settings is { Length: > 0 }
                ? Replayer.Columns(s, readings, granularity)
                : Replayer.Columns(s, null, granularity);
            results.Add(Replayer.Run(s, columns));
        }
        if (format == "dot" && DotGraph.ReplayedStates(results) is var states && states > graphLimit)
        {
            stderr.WriteLine($"klp-check: the replayed runs have {states} states, more than --graph-limit {graphLimit}: replay fewer files or readings (--reading NAME), or raise --graph-limit");
            return ExitCodes.Usage;
        }
        var output = format switch
        {
            "json" => ReplayReport.Json(results),
            "markdown" => ReplayReport.Markdown(results) + MermaidTrace.ForReplays(results),
            "html" => HtmlReport.Replay(results),
            "dot" => DotGraph.Replayed(results),
            _ => ReplayReport.Text(results, StandardStream.TerminalOf(stdout)),
        };
        stdout.Write(output);
        var failures = results.Sum(r => r.Failures.Count);
        foreach (var r in results)
            foreach (var f in r.Failures)
                stderr.WriteLine($"{r.Scenario.Path}:{f.Expectation.Line}:{f.Expectation.Column}: expectation failed under {f.Reading.DisplayName}: expected '{f.Expectation.Text}', got '{f.Actual}'");
        return failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
