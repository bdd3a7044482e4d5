using System.CommandLine;
using Klp.Check.Comparison;
using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Proofs;
using Klp.Check.Properties;
using Klp.Check.Proposals;
using Klp.Check.Reports.Html;
using Klp.Check.Reports;
using Klp.Check.Scenarios;
using Klp.Check.Shards;
using Klp.Check.Verdicts;

namespace Klp.Check.Commands;

/// <summary><c>klp-check compare</c>: every reading against every invariant and witness, plus the scenario replays.</summary>
public static class CompareCommand
{
    /// <summary>What a compare run checks, as parsed from its command line.</summary>
    /// <param name="Source">The inputs.</param>
    /// <param name="Readings">The readings, with the mode applied.</param>
    /// <param name="Properties">The properties.</param>
    /// <param name="Limits">The caps.</param>
    /// <param name="Scenarios">The scenarios replayed.</param>
    /// <param name="Files">Every file the run read (catalog, plan, scenarios, proposal files).</param>
    /// <param name="Threads">Worker threads (0: all cores).</param>
    public sealed record CompareRequest(InputSource Source, IReadOnlyList<Reading> Readings, IReadOnlyList<Property> Properties, ExploreLimits Limits,
        IReadOnlyList<Scenario> Scenarios, IReadOnlyList<string> Files, int Threads)
    {
        /// <summary>What shards of this run must share (<see cref="PartialResult.IdentityOf"/>).</summary>
        public List<(string Field, string Value)> Identity =>
            PartialResult.IdentityOf(Source, Readings, Properties, Limits, Scenarios.Select(s => s.Path), Files);
    }

    private sealed class Options
    {
        public readonly Option<string[]> Reading = Cli.ReadingOption();
        public readonly Option<string[]> Setting = Cli.SettingOption();
        public readonly Option<string?> Mode = Cli.ModeOption();
        public readonly Option<string> Format = Cli.FormatOption("html");
        public readonly Option<string?> Expect = new("--expect") { HelpName = "FILE", Description = "a verdict baseline: exit 1 and print what changed when any verdict differs" };
        public readonly Option<string?> Save = new("--save-baseline") { HelpName = "FILE", Description = "write the verdicts as a baseline file" };
        public readonly Option<bool> NoScenarios = new("--no-scenarios") { Description = "skip the replay of the shipped scenarios" };
        public readonly Option<string?> ScenarioFolder = new("--scenarios") { HelpName = "DIR", Description = "replay the scenario files under this folder (default: scenarios/ of the repository holding the current directory or the tool)" };
        public readonly Option<int?> Prove = Cli.NumberOption("--prove", 1, ProofScope.MaxPatches, "N: also prove every safety cell that holds for every release plan of at most N releases and every sequence of operations (klp-check prove with cvc5; docs/proofs.md); proved cells read P");
        public readonly Option<string?> Proposals = new("--proposals") { HelpName = "DIR", Description = "add every *.proposal file of DIR as a reading (docs/proposals.md), after the others" };
        public readonly InputOptions Input = new();
        public readonly ShardOptions Shard = new();

        public Command Command()
        {
            var command = new Command("compare", "The verdict matrix: every reading (or those given, and the proposals of --proposals DIR) against every invariant and witness, on every release plan within bounds, plus the shipped scenario replays. A cap (--max-states, --max-depth, the default state cap) that cuts an exploration makes the run not exhaustive: a safety property with no violation there reads ok? (no violation in the explored part), a liveness property or witness ? (inconclusive). Exit 0 when every exploration is exhaustive; 1 when --expect differs or a replay fails; 2 on bad input; 3 when nothing failed but a cap cut an exploration; 130 when interrupted. With --shard K/N --out FILE: check one share of the inputs and write a partial result for klp-check merge (exit 0, 2 or 130).")
            {
                Reading, Setting, Mode, Format, Expect, Save, NoScenarios, ScenarioFolder, Proposals, Prove,
            };
            Input.AddTo(command);
            Shard.AddTo(command);
            return command;
        }

        // Parses what the run checks; null after one line on bad input.
        public CompareRequest? Prepare(ParseResult parse, TextWriter stderr)
        {
            IReadOnlyList<Reading>? extra = null;
            var files = new List<string>();
            if (parse.GetValue(Proposals) is { } directory)
            {
                try
                {
                    extra = ProposalFile.ReadDirectory(directory, out var error);
                    if (extra is null)
                    {
                        stderr.WriteLine($"klp-check: --proposals: {error}");
                        return null;
                    }
                }
                catch (InputException e)
                {
                    foreach (var d in e.Diagnostics) stderr.WriteLine(d);
                    return null;
                }
            }
            var names = parse.GetValue(Reading) is { Length: > 0 } given ? given : [.. Readings.All.Select(r => r.Name)];
            var readings = Cli.ParseReadings(names, parse.GetValue(Setting), stderr, extra);
            var source = readings is null ? null : Input.Source(parse, stderr);
            var invariants = source is null ? null : Input.Properties(parse, stderr);
            if (readings is null || source is null || invariants is null) return null;
            readings = Cli.WithMode(readings, parse.GetValue(Mode));
            files.AddRange(Input.Files(parse));

            var scenarios = new List<Scenario>();
            if (!parse.GetValue(NoScenarios))
            {
                var folder = parse.GetValue(ScenarioFolder) ?? Scenarios.ScenarioFolder.Shipped();
                if (parse.GetValue(ScenarioFolder) is { } named && !Directory.Exists(named))
                {
                    stderr.WriteLine($"klp-check: --scenarios: '{named}' is not a directory");
                    return null;
                }
                var scenarioFiles = folder is null ? [] : Scenarios.ScenarioFolder.Files(folder);
                if (scenarioFiles.Count == 0)
                    stderr.WriteLine(folder is null
                        ? "klp-check: warning: no scenarios/ folder found beside Klp.Check.sln above the current directory or the tool; no scenario is replayed (--scenarios DIR names one)"
                        : $"klp-check: warning: no scenario file (*.klp) under '{folder}'; no scenario is replayed");
                foreach (var file in scenarioFiles)
                {
                    try
                    {
                        scenarios.Add(ScenarioParser.ParseFile(file));
                    }
                    catch (InputException e)
                    {
                        foreach (var d in e.Diagnostics) stderr.WriteLine(d);
                        return null;
                    }
                }
                files.AddRange(scenarioFiles);
            }
            return new CompareRequest(source, readings, invariants, Input.Limits(parse), scenarios, files, Input.Threads(parse));
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
            var prove = parse.GetValue(o.Prove);
            if (sharded && prove is not null)
            {
                stderr.WriteLine("klp-check: --prove does not go with --shard: a proof covers every input at once (run compare --prove N, or prove per reading)");
                return ExitCodes.Usage;
            }
            var target = sharded ? o.Shard.Parse(parse, stderr) : null;
            if (sharded && target is null) return ExitCodes.Usage;
            var run = o.Prepare(parse, stderr);
            if (run is null) return ExitCodes.Usage;
            var expectFile = parse.GetValue(o.Expect);
            var baseline = expectFile is null ? null : ReadBaseline(expectFile, stderr);
            if (expectFile is not null && baseline is null) return ExitCodes.Usage;
            var saveFile = parse.GetValue(o.Save);
            if (saveFile is not null && !OutputPath.CheckFile("--save-baseline", saveFile, stderr)) return ExitCodes.Usage;
            if (prove is not null && SolverProcess.Find(SolverKind.Cvc5) is null)
            {
                stderr.WriteLine("klp-check: --prove: cvc5 not found on PATH; install with: apt-get install cvc5");
                return ExitCodes.Unavailable;
            }

            using var cts = InputOptions.CancelOnCtrlC();
            var progress = InputOptions.Progress(stderr);
            if (target is { } t) return RunShard(run, t.Shard, t.Out, ShardOptions.Recorded(parse), stderr, cts.Token, progress);
            var result = Comparer.Run(run.Source, run.Readings, run.Properties, run.Limits, run.Scenarios, run.Threads, cts.Token, progress);
            var classes = result.Complete && run.Readings.Count > 1
                ? Classifier.Classes(run.Source, run.Readings, run.Limits, run.Threads, cts.Token, progress: progress)
                : null;
            InputOptions.EndProgress(stderr);
            // An interrupted equivalence phase keeps its classes when they were established.
            if (classes is not null) result = result with { Equivalence = classes, Complete = result.Complete && classes.Complete };
            if (prove is { } n && result.Complete)
            {
                try
                {
                    result = result with { Results = MatrixProofs.Prove(result.Source, result.Results, result.Properties, n, new ProverOptions(SolverChoice.Cvc5, Jobs: Environment.ProcessorCount), progress), ProvedUpTo = n };
                }
                catch (Exception e) when (e is ProofInternalError or SolverDisagreement or SolverException)
                {
                    InputOptions.EndProgress(stderr);
                    stderr.WriteLine($"klp-check: internal error: {e.Message}");
                    return ExitCodes.InternalError;
                }
                InputOptions.EndProgress(stderr);
            }
            return Report(result, parse.GetValue(o.Format) ?? "text", baseline, expectFile, saveFile, run.Threads, stdout, stderr);
        });
        return command;
    }

    /// <summary>Parses the recorded arguments of a compare shard again; null after one line on bad input.</summary>
    public static CompareRequest? Rebuild(IReadOnlyList<string> arguments, TextWriter stderr)
    {
        var o = new Options();
        return ShardOptions.Reparse(o.Command(), arguments, stderr) is { } parse ? o.Prepare(parse, stderr) : null;
    }

    /// <summary>Reads a verdict baseline; null after the errors on bad input.</summary>
    public static Baseline? ReadBaseline(string file, TextWriter stderr)
    {
        var errors = new List<string>();
        Baseline? baseline = null;
        try
        {
            baseline = Baseline.Parse(Inputs.InputFile.Read(file), file, errors);
        }
        catch (InputException e)
        {
            errors.AddRange(e.Diagnostics.Select(d => d.ToString()));
        }
        foreach (var e in errors) stderr.WriteLine(e);
        return errors.Count > 0 ? null : baseline;
    }

    // One shard: its inputs under every reading, then the equivalence evidence, written as a partial result.
    private static int RunShard(CompareRequest run, Shard shard, string file, List<string> arguments,
        TextWriter stderr, CancellationToken cancel, Action<string>? progress)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var inputs = shard.Select(run.Source, run.Readings[0]);
        var partials = Verifier.CheckAll(run.Source, run.Readings, run.Properties, run.Limits, inputs, run.Threads, cancel,
            (reading, n) => progress?.Invoke($"shard {shard}, {reading.DisplayName}: {n}/{inputs.Count} inputs"));
        if (partials.Any(p => !p.Complete))
        {
            InputOptions.EndProgress(stderr);
            stderr.WriteLine($"klp-check: interrupted: shard {shard} not written");
            return ExitCodes.Interrupted;
        }
        var equivalence = run.Readings.Count > 1
            ? EquivalencePartial.Check(run.Source, run.Readings, run.Limits, inputs, alone: shard.N == 1, run.Threads, cancel, progress: progress)
            : null;
        InputOptions.EndProgress(stderr);
        if (equivalence is { Complete: false })
        {
            stderr.WriteLine($"klp-check: interrupted: shard {shard} not written");
            return ExitCodes.Interrupted;
        }
        var partial = new PartialResult("compare", PartialResult.ToolVersion, shard, arguments, run.Identity, partials, equivalence);
        return ShardOptions.Write(partial, file, inputs.Count, run.Source.Count, partials.Sum(p => p.States), clock.Elapsed, stderr) ? ExitCodes.Ok : ExitCodes.Usage;
    }

    /// <summary>Merges the partial results of every shard of one compare run into its result, as one run over every input gives it.</summary>
    public static ComparisonResult Merge(CompareRequest run, IReadOnlyList<PartialResult> shards)
    {
        var readings = ReadingPartial.Sum(shards.Select(s => s.Readings));
        var equivalence = shards[0].Equivalence;
        if (equivalence is not null)
            foreach (var s in shards.Skip(1)) equivalence.Add(s.Equivalence!);
        return Comparer.Finish(run.Source, run.Readings, run.Properties, readings, run.Scenarios) with
        {
            Equivalence = equivalence?.Finish(run.Source, run.Readings, run.Limits),
        };
    }

    /// <summary>Prints a comparison in a format, checks it against a baseline and saves one; returns the exit code of compare.</summary>
    public static int Report(ComparisonResult result, string format, Baseline? baseline, string? expectFile, string? saveFile,
        int threads, TextWriter stdout, TextWriter stderr)
    {
        var classes = result.Equivalence;
        stdout.Write(format switch
        {
            "json" => ComparisonReport.Json(result),
            "markdown" => ComparisonReport.Markdown(result) + MermaidTrace.ForComparison(result),
            "html" => HtmlReport.Comparison(result),
            _ => ComparisonReport.Text(result),
        });
        var seconds = Math.Max(result.Elapsed.TotalSeconds, 1e-9);
        stderr.WriteLine($"klp-check: {result.States} states in {result.Elapsed.TotalSeconds:F2} s ({result.States / seconds:N0} states/s) on {Threads.Workers(threads)} threads"
            + (classes is null ? "" : $"; equivalence classes: {classes.ProductStates} product states in {classes.Elapsed.TotalSeconds:F2} s"));
        if (!result.Complete)
        {
            stderr.WriteLine($"klp-check: interrupted: {result.Results.Count} of {Words.Count(result.Readings.Count, "reading")} verified in full");
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
            var changes = baseline.Diff(result.Results, expectFile!);
            foreach (var change in changes) stderr.WriteLine(change);
            if (changes.Count > 0)
            {
                stderr.WriteLine($"klp-check: {changes.Count} verdict{(changes.Count == 1 ? " differs" : "s differ")} from {expectFile}");
                code = ExitCodes.Failed;
            }
            else stderr.WriteLine($"klp-check: every verdict matches {expectFile}");
        }
        // A run a cap cut never exits 0, not even when it matches a baseline.
        if (code == ExitCodes.Ok && !result.Exhaustive)
        {
            var open = result.Results.Sum(r => r.Verdicts.Count(v => !v.Exhaustive));
            stderr.WriteLine($"klp-check: a cap cut the exploration: not exhaustive, {Words.Count(open, "verdict")} not established (exit 3)");
            code = ExitCodes.Inconclusive;
        }
        return code;
    }
}
