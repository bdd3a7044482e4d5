using System.CommandLine;
using Klp.Check.Comparison;
using Klp.Check.Exploration;
using Klp.Check.Model;
using Klp.Check.Output;
using Klp.Check.Output.Html;
using Klp.Check.Proposals;
using Klp.Check.Scenarios;

namespace Klp.Check.Commands;

/// <summary><c>klp-check compare</c>: every reading against every invariant and witness, plus the scenario replays.</summary>
public static class CompareCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var reading = Cli.ReadingOption();
        var setting = Cli.SettingOption();
        var mode = Cli.ModeOption();
        var format = Cli.FormatOption("html");
        var expect = new Option<string?>("--expect") { HelpName = "FILE", Description = "a verdict baseline: exit 1 and print what changed when any verdict differs" };
        var save = new Option<string?>("--save-baseline") { HelpName = "FILE", Description = "write the verdicts as a baseline file" };
        var noScenarios = new Option<bool>("--no-scenarios") { Description = "skip the replay of the shipped scenarios" };
        var scenarioFolder = new Option<string?>("--scenarios") { HelpName = "DIR", Description = "replay the scenario files under this folder (default: scenarios/ of the repository holding the current directory or the tool)" };
        var proposals = new Option<string?>("--proposals") { HelpName = "DIR", Description = "add every *.proposal file of DIR as a reading (docs/proposals.md), after the others" };
        var input = new InputOptions();
        var command = new Command("compare", "The verdict matrix: every reading (or those given, and the proposals of --proposals DIR) against every invariant and witness, on every release plan within bounds, plus the shipped scenario replays. Exit 0; 1 when --expect differs or a replay fails; 2 on bad input; 3 when, without --expect, a cap left a verdict inconclusive; 130 when interrupted.")
        {
            reading, setting, mode, format, expect, save, noScenarios, scenarioFolder, proposals,
        };
        input.AddTo(command);
        command.SetAction(parse =>
        {
            IReadOnlyList<Reading>? extra = null;
            if (parse.GetValue(proposals) is { } directory)
            {
                try
                {
                    extra = ProposalFile.ReadDirectory(directory, out var error);
                    if (extra is null)
                    {
                        stderr.WriteLine($"klp-check: --proposals: {error}");
                        return ExitCodes.Usage;
                    }
                }
                catch (ScenarioException e)
                {
                    foreach (var d in e.Diagnostics) stderr.WriteLine(d);
                    return ExitCodes.Usage;
                }
            }
            var names = parse.GetValue(reading) is { Length: > 0 } given ? given : [.. Readings.All.Select(r => r.Name)];
            var readings = Cli.ParseReadings(names, parse.GetValue(setting), stderr, extra);
            var source = readings is null ? null : input.Source(parse, stderr);
            var invariants = source is null ? null : input.Invariants(parse, stderr);
            if (readings is null || source is null || invariants is null) return ExitCodes.Usage;
            readings = Cli.WithMode(readings, parse.GetValue(mode));

            Dictionary<(string, string), (string, int)>? baseline = null;
            var expectFile = parse.GetValue(expect);
            if (expectFile is not null)
            {
                var errors = new List<string>();
                try
                {
                    baseline = Baseline.Parse(ScenarioParser.ReadSource(expectFile), expectFile, errors);
                }
                catch (ScenarioException e)
                {
                    errors.AddRange(e.Diagnostics.Select(d => d.ToString()));
                }
                if (errors.Count > 0)
                {
                    foreach (var e in errors) stderr.WriteLine(e);
                    return ExitCodes.Usage;
                }
            }
            var saveFile = parse.GetValue(save);
            if (saveFile is not null && !OutputPath.CheckFile("--save-baseline", saveFile, stderr)) return ExitCodes.Usage;

            var scenarios = new List<Scenario>();
            if (!parse.GetValue(noScenarios))
            {
                var folder = parse.GetValue(scenarioFolder) ?? Comparer.ShippedScenarioFolder();
                if (parse.GetValue(scenarioFolder) is { } named && !Directory.Exists(named))
                {
                    stderr.WriteLine($"klp-check: --scenarios: '{named}' is not a directory");
                    return ExitCodes.Usage;
                }
                var files = folder is null ? [] : Comparer.ScenarioFiles(folder);
                if (files.Count == 0)
                    stderr.WriteLine(folder is null
                        ? "klp-check: warning: no scenarios/ folder found beside Klp.Check.sln above the current directory or the tool; no scenario is replayed (--scenarios DIR names one)"
                        : $"klp-check: warning: no scenario file (*.klp) under '{folder}'; no scenario is replayed");
                foreach (var file in files)
                {
                    try
                    {
                        scenarios.Add(ScenarioParser.ParseFile(file));
                    }
                    catch (ScenarioException e)
                    {
                        foreach (var d in e.Diagnostics) stderr.WriteLine(d);
                        return ExitCodes.Usage;
                    }
                }
            }

            using var cts = InputOptions.CancelOnCtrlC();
            var progress = InputOptions.Progress(stderr);
            var result = Comparer.Run(source, readings, invariants, input.Limits(parse), scenarios, input.Threads(parse), cts.Token, progress);
            var classes = result.Complete && readings.Count > 1
                ? Equivalence.Classes(source, readings, input.Limits(parse), input.Threads(parse), cts.Token, progress: progress)
                : null;
            InputOptions.EndProgress(stderr);
            // An interrupted equivalence phase keeps its classes when they were established.
            if (classes is not null) result = result with { Equivalence = classes, Complete = result.Complete && classes.Complete };
            stdout.Write(parse.GetValue(format) switch
            {
                "json" => ComparisonReport.Json(result),
                "markdown" => ComparisonReport.Markdown(result) + MermaidTrace.ForComparison(result),
                "html" => HtmlReport.Comparison(result),
                _ => ComparisonReport.Text(result),
            });
            var seconds = Math.Max(result.Elapsed.TotalSeconds, 1e-9);
            stderr.WriteLine($"klp-check: {result.States} states in {result.Elapsed.TotalSeconds:F2} s ({result.States / seconds:N0} states/s) on {(input.Threads(parse) > 0 ? input.Threads(parse) : Environment.ProcessorCount)} threads"
                + (classes is null ? "" : $"; equivalence classes: {classes.ProductStates} product states in {classes.Elapsed.TotalSeconds:F2} s"));
            if (!result.Complete)
            {
                stderr.WriteLine($"klp-check: interrupted: {result.Results.Count} of {Verification.Count(readings.Count, "reading")} verified in full");
                return ExitCodes.Interrupted;
            }
            if (saveFile is not null && !OutputPath.Write("--save-baseline", saveFile, Baseline.Write(result.Results), stderr)) return ExitCodes.Usage;
            var code = ExitCodes.Ok;
            foreach (var r in result.Replays)
                foreach (var f in r.Failures)
                {
                    stderr.WriteLine($"{r.Scenario.Path}:{f.Expectation.Line}:{f.Expectation.Column}: expectation failed under {f.Reading.DisplayName}: expected '{f.Expectation.Text}', got '{f.Actual}'");
                    code = ExitCodes.Failed;
                }
            if (baseline is not null)
            {
                var changes = Baseline.Diff(baseline, result.Results, expectFile!);
                foreach (var change in changes) stderr.WriteLine(change);
                if (changes.Count > 0)
                {
                    stderr.WriteLine($"klp-check: {changes.Count} verdict{(changes.Count == 1 ? " differs" : "s differ")} from {expectFile}");
                    code = ExitCodes.Failed;
                }
                else stderr.WriteLine($"klp-check: every verdict matches {expectFile}");
            }
            else if (code == ExitCodes.Ok && result.Results.Any(r => r.Verdicts.Any(v => v.Kind == VerdictKind.Inconclusive)))
            {
                stderr.WriteLine("klp-check: a cap cut the exploration: some verdicts are inconclusive (exit 3)");
                code = ExitCodes.Inconclusive;
            }
            return code;
        });
        return command;
    }
}
