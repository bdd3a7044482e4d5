using System.CommandLine.Parsing;
using System.CommandLine;
using Klp.Check.Comparison;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Proposals;
using Klp.Check.Reports.Html;
using Klp.Check.Reports;
using Klp.Check.Scenarios;
using Klp.Check.Shards;
using Klp.Check.Verdicts;

namespace Klp.Check.Commands;

/// <summary><c>klp-check check --reading R</c>: every invariant and witness of one reading, exhaustively within bounds or on random runs.</summary>
public static class CheckCommand
{
    /// <summary>What an exhaustive check run explores, as parsed from its command line.</summary>
    /// <param name="Source">The inputs.</param>
    /// <param name="Reading">The reading, with the mode applied.</param>
    /// <param name="Properties">The properties.</param>
    /// <param name="Limits">The caps.</param>
    /// <param name="Files">Every input file the run read.</param>
    /// <param name="Threads">Worker threads (0: all cores).</param>
    public sealed record CheckRequest(InputSource Source, Reading Reading, IReadOnlyList<Property> Properties, ExploreLimits Limits, IReadOnlyList<string> Files, int Threads)
    {
        /// <summary>What shards of this run must share (<see cref="PartialResult.IdentityOf"/>).</summary>
        public List<(string Field, string Value)> Identity => PartialResult.IdentityOf(Source, [Reading], Properties, Limits, [], Files);
    }

    private sealed class Options
    {
        public readonly Option<string> Reading = new("--reading", "-r") { HelpName = "NAME", Description = "the reading to check, e.g. flat or set(states=versions)", Required = true };
        public readonly Option<string[]> Setting = Cli.SettingOption();
        public readonly Option<string?> Mode = Cli.ModeOption();
        public readonly Option<string> Format = Cli.FormatOption("html", "dot");
        public readonly Option<int> GraphLimit = Cli.GraphLimitOption();
        public readonly Option<string?> Traces = new("--traces") { HelpName = "DIR", Description = "write each violation (and witness) trace as a scenario file into this folder, for klp-check replay" };
        public readonly Option<int?> Random = Cli.NumberOption("--random", 1, int.MaxValue, "instead of exhaustive exploration, check the safety properties on this many random runs (FsCheck, with shrinking)");
        public readonly Option<ulong?> Seed = Cli.NumberOption("--seed", 0UL, ulong.MaxValue, "the seed of --random; the same seed gives the same runs and output");
        public readonly Option<int?> Length = Cli.NumberOption("--length", 1, 10_000, "the most operations per random run (default 30)");
        public readonly Option<int?> ExpectStates = Cli.NumberOption("--expect-states", 1, int.MaxValue, "with one input (--catalog or --plan): the number of states it is expected to have, e.g. from the last run; the search's table is given room for that many (at most --max-states), as SPIN's -w sizes its hash table: past 1 MB it grows straight to that room, and doubles again past it; changes no result");
        public readonly InputOptions Input = new();
        public readonly ShardOptions Shard = new();

        public Command Command()
        {
            Random.HelpName = "RUNS";
            var command = new Command("check", "Check every invariant and witness (or those given) for one reading: exhaustively on every release plan within bounds, a raw catalog, a plan file, or on random runs. A cap (--max-states, --max-depth, the default state cap) that cuts an input's exploration makes the run not exhaustive: a property with no violation there is inconclusive, never holds. Exit 0 when all hold, every exploration exhaustive; 1 when one is violated; 2 on bad input; 3 when none is violated but a cap cut an exploration; 130 when interrupted. With --shard K/N --out FILE (exhaustive only): check one share of the inputs and write a partial result for klp-check merge (exit 0, 2 or 130).")
            {
                Reading, Setting, Mode, Format, Traces, Random, Seed, Length, GraphLimit, ExpectStates,
            };
            Input.AddTo(command);
            Shard.AddTo(command);
            return command;
        }

        // The reading and properties; null after one line on bad input.
        public (Reading Reading, IReadOnlyList<Property> Properties)? Readings(ParseResult parse, TextWriter stderr)
        {
            var readings = Cli.ParseReadings([parse.GetValue(Reading)!], parse.GetValue(Setting), stderr);
            var invariants = readings is null ? null : Input.Properties(parse, stderr);
            if (readings is null || invariants is null) return null;
            var granularity = Cli.ParseMode(parse.GetValue(Mode)) ?? readings[0].Options.Granularity;
            return (readings[0].WithGranularity(granularity), invariants);
        }

        // The exhaustive run; null after one line on bad input.
        public CheckRequest? Prepare(ParseResult parse, TextWriter stderr)
        {
            if (Readings(parse, stderr) is not { } ri) return null;
            var source = Input.Source(parse, stderr);
            if (source is null) return null;
            var expected = parse.GetValue(ExpectStates);
            if (expected is not null && source.Count != 1)
            {
                stderr.WriteLine($"klp-check: --expect-states sizes the table of one exploration; this input has {source.Count} catalogs (give it with --catalog or --plan)");
                return null;
            }
            return new CheckRequest(source, ri.Reading, ri.Properties, Input.Limits(parse) with { ExpectedStates = expected ?? 0 }, [.. Input.Files(parse)], Input.Threads(parse));
        }
    }

    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var o = new Options();
        var command = o.Command();
        command.SetAction(parse =>
        {
            if (o.Readings(parse, stderr) is not { } ri) return ExitCodes.Usage;
            var (r, invariants) = ri;
            var fmt = parse.GetValue(o.Format) ?? "text";
            var sharded = o.Shard.Given(parse);
            if (sharded && parse.GetValue(o.Random) is not null)
            {
                stderr.WriteLine("klp-check: --shard splits an exhaustive check; --random runs are not sharded");
                return ExitCodes.Usage;
            }
            if (sharded && (fmt == "dot" || parse.GetValue(o.Traces) is not null))
            {
                stderr.WriteLine($"klp-check: {(fmt == "dot" ? "--format dot" : "--traces")} is not written by a shard; run check without --shard");
                return ExitCodes.Usage;
            }
            var target = sharded ? o.Shard.Parse(parse, stderr) : null;
            if (sharded && target is null) return ExitCodes.Usage;
            if (parse.GetValue(o.Traces) is { } folder && !CheckTraces(folder, stderr)) return ExitCodes.Usage;

            if (parse.GetValue(o.Random) is { } runs)
            {
                if (fmt is "html" or "dot")
                {
                    stderr.WriteLine($"klp-check: --format {fmt} draws exhaustive results; --random writes text, markdown or json");
                    return ExitCodes.Usage;
                }
                if (parse.GetValue(o.ExpectStates) is not null) stderr.WriteLine("klp-check: warning: --expect-states is ignored with --random, which keeps no table");
                return RunRandom(parse, o.Input, r, invariants, runs, parse.GetValue(o.Seed), parse.GetValue(o.Length) ?? 30, fmt, parse.GetValue(o.Traces), stdout, stderr);
            }
            foreach (var ignored in new[] { "--seed", "--length" })
                if (parse.GetResult(ignored) is OptionResult { Implicit: false })
                    stderr.WriteLine($"klp-check: warning: {ignored} is ignored without --random");

            var run = o.Prepare(parse, stderr);
            if (run is null) return ExitCodes.Usage;
            var source = run.Source;
            StateGraph? graph = null;
            if (fmt == "dot")
            {
                graph = Graph(source, r, run.Limits, parse.GetValue(o.GraphLimit), stderr);
                if (graph is null) return ExitCodes.Usage;
            }
            using var cts = InputOptions.CancelOnCtrlC();
            var progress = InputOptions.Progress(stderr);
            if (target is { } t)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var inputs = t.Shard.Select(source, r);
                var p = Verifier.Check(source, r, invariants, run.Limits, inputs, run.Threads, cts.Token,
                    n => progress?.Invoke($"check {r.DisplayName}, shard {t.Shard}: {n}/{inputs.Count} inputs"));
                InputOptions.EndProgress(stderr);
                if (!p.Complete)
                {
                    stderr.WriteLine($"klp-check: interrupted: shard {t.Shard} not written");
                    return ExitCodes.Interrupted;
                }
                var partial = new PartialResult("check", PartialResult.ToolVersion, t.Shard, ShardOptions.Recorded(parse), run.Identity, [p], null);
                return ShardOptions.Write(partial, t.Out, inputs.Count, source.Count, p.States, clock.Elapsed, stderr) ? ExitCodes.Ok : ExitCodes.Usage;
            }
            var result = Verifier.Run(source, r, invariants, run.Limits, run.Threads, cts.Token,
                n => progress?.Invoke($"check {r.DisplayName}: {n}/{source.Count} inputs"));
            InputOptions.EndProgress(stderr);
            if (!result.Complete)
            {
                // Cells the inputs checked already settle are final; the others are not printed.
                var finished = result.Finished;
                stdout.Write(fmt switch
                {
                    "json" => CheckReport.Json(source, result with { Verdicts = finished }),
                    "markdown" => CheckReport.Markdown(source, result with { Verdicts = finished }),
                    _ => CheckReport.Text(source, result with { Verdicts = finished }),
                });
                var open = result.Verdicts.Where(v => !finished.Contains(v)).Select(v => v.Property.Id).ToList();
                stderr.WriteLine($"klp-check: interrupted: {result.InputsChecked} of {source.Count} inputs explored, {result.Coverage.States} states"
                    + (open.Count == 0 ? "" : $"; not finished: {string.Join(", ", open)}"));
                return ExitCodes.Interrupted;
            }
            if (fmt == "dot")
            {
                stdout.Write(DotGraph.Explored(graph!, result.Verdicts, $"klp-check check: {r.DisplayName} on {source.Kind}"));
                stderr.WriteLine(CheckReport.StatesLine(result));
            }
            var code = fmt == "dot" ? ExitCode(result) : Report(run, result, fmt, stdout, stderr);
            if (parse.GetValue(o.Traces) is { } dir && !WriteTraces(dir, result.Verdicts, stderr)) return ExitCodes.Usage;
            return code;
        });
        return command;
    }

    /// <summary>Parses the recorded arguments of a check shard again; null after one line on bad input.</summary>
    public static CheckRequest? Rebuild(IReadOnlyList<string> arguments, TextWriter stderr)
    {
        var o = new Options();
        return ShardOptions.Reparse(o.Command(), arguments, stderr) is { } parse ? o.Prepare(parse, stderr) : null;
    }

    /// <summary>Merges the partial results of every shard of one check run into its result, as one run over every input gives it.</summary>
    public static ReadingResult Merge(CheckRequest run, IReadOnlyList<PartialResult> shards)
    {
        return ReadingPartial.Sum(shards.Select(s => s.Readings))[0].Finish(run.Source, run.Reading, run.Properties);
    }

    /// <summary>Prints a complete exhaustive result in a format (text, markdown, json, html) with the state count on stderr; returns the exit code of check.</summary>
    public static int Report(CheckRequest run, ReadingResult result, string format, TextWriter stdout, TextWriter stderr)
    {
        var source = run.Source;
        stdout.Write(format switch
        {
            "json" => CheckReport.Json(source, result),
            "markdown" => CheckReport.Markdown(source, result) + MermaidTrace.ForVerdicts(result.Verdicts),
            "html" => HtmlReport.Comparison(new ComparisonResult(source, [.. result.Verdicts.Select(v => v.Property)], [result], [], true, result.Coverage.Elapsed), "check", CheckReport.CoverageLines(result.Coverage)),
            _ => CheckReport.Text(source, result),
        });
        stderr.WriteLine(CheckReport.StatesLine(result));
        return ExitCode(result);
    }

    // A run a cap cut never exits 0: what it left unexplored is not shown to hold.
    private static int ExitCode(ReadingResult result) =>
        result.Verdicts.Any(v => v.Kind == VerdictKind.Violated) ? ExitCodes.Failed
        : !result.Exhaustive ? ExitCodes.Inconclusive
        : ExitCodes.Ok;

    // The state graph of the one input, explored only as far as the limit: a larger graph is refused
    // before any other work, with what to narrow.
    private static StateGraph? Graph(InputSource source, Reading reading, ExploreLimits limits, int limit, TextWriter stderr)
    {
        if (source.Count != 1)
        {
            stderr.WriteLine($"klp-check: --format dot draws one state graph, and {source.Kind} are {source.Count} inputs: give --catalog FILE or --plan FILE");
            return null;
        }
        if (limit < 1)
        {
            stderr.WriteLine("klp-check: --graph-limit must be at least 1");
            return null;
        }
        var g = new Explorer().Explore(source.CatalogFor(0, reading), reading, limits with { MaxStates = Math.Min(limits.StateCap, limit + 1) });
        if (g.States.Count <= limit) return g;
        stderr.WriteLine($"klp-check: the state graph of {source.Kind} under {reading.DisplayName} has more than {limit} states, too many to draw: "
            + "narrow the input (fewer patches or add_sets values in the catalog, --max-depth N) or raise --graph-limit");
        return null;
    }

    // The folder of --traces and the files it may replace (traces, proposals beside them), before any exploration.
    private static bool CheckTraces(string dir, TextWriter stderr) =>
        OutputPath.CheckFolder("--traces", dir, stderr)
        && OutputPath.CheckFilesIn("--traces", dir, "*.klp", stderr)
        && OutputPath.CheckFilesIn("--traces", dir, "*" + ProposalFile.Extension, stderr);

    /// <summary>Writes the trace of every verdict that has one as <c>DIR/READING--PROPERTY.klp</c>; false (with one line on stderr) when a file cannot be written.</summary>
    public static bool WriteTraces(string dir, IEnumerable<Verdict> verdicts, TextWriter stderr)
    {
        if (!OutputPath.CreateFolder("--traces", dir, stderr)) return false;
        foreach (var v in verdicts)
        {
            if (v.Trace is null || v.Catalog is null) continue;
            var name = $"{v.Reading.DisplayName}--{v.Property.Id}.klp".Replace('(', '[').Replace(')', ']').Replace(',', '+').Replace('=', '-');
            var path = Path.Combine(dir, name);
            var title = $"{v.Property.Id} {(v.Kind == VerdictKind.Holds ? "witness" : "violation")} under {v.Reading.DisplayName}";
            var comment = v.Input is null ? "" : "# input:\n" + string.Join("\n", v.Input.TrimEnd().Split('\n').Select(l => "#   " + l)) + "\n";
            // A proposal's name resolves on replay only as a file beside the scenario.
            if (ProposalFile.Beside(v.Reading, dir) is { } proposal)
            {
                if (!OutputPath.Write("--traces", proposal.Path, proposal.Text, stderr)) return false;
                stderr.WriteLine($"klp-check: wrote {proposal.Path}");
            }
            var scenario = ScenarioWriter.Write(title, v.Catalog, v.Reading, v.Trace, v.Detail);
            if (!OutputPath.Write("--traces", path, comment + scenario, stderr)) return false;
            stderr.WriteLine($"klp-check: wrote {path}");
        }
        return true;
    }

    private static int RunRandom(System.CommandLine.ParseResult parse, InputOptions input, Reading reading, IReadOnlyList<Property> invariants,
        int runs, ulong? seed, int length, string format, string? traces, TextWriter stdout, TextWriter stderr)
    {
        FsCheck.Gen<Catalog>? catalogs = input.RandomCatalogs(parse, reading, stderr);
        if (catalogs is null) return ExitCodes.Usage;
        var s = seed ?? RandomExploration.FreshSeed();
        using var cts = InputOptions.CancelOnCtrlC();
        var result = RandomExploration.Run(catalogs, reading, invariants, runs, length, s, cts.Token);
        string? scenario = null;
        if (result.Counterexample is { } run)
        {
            var v = Verdict.Violated(result.Property!, run, result.Message!, CatalogText.Describe(run.Catalog));
            scenario = ScenarioWriter.Write($"{result.Property!.Id} violation under {reading.DisplayName} (seed {s})", run.Catalog, reading, run.Operations, result.Message);
            if (traces is not null && !WriteTraces(traces, [v], stderr)) return ExitCodes.Usage;
        }
        stdout.Write(CheckReport.Random(result, reading, length, scenario, format));
        if (result.Interrupted) return ExitCodes.Interrupted;
        return result.Counterexample is null ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
