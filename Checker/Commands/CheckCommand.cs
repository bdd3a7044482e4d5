using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using System.Text.Json;
using Klp.Check.Exploration;
using Klp.Check.Model;
using Klp.Check.Comparison;
using Klp.Check.Output;
using Klp.Check.Output.Html;
using Klp.Check.Proposals;
using Klp.Check.Shards;

namespace Klp.Check.Commands;

/// <summary><c>klp-check check --reading R</c>: every invariant and witness of one reading, exhaustively within bounds or on random runs.</summary>
public static class CheckCommand
{
    /// <summary>What an exhaustive check run explores, as parsed from its command line.</summary>
    /// <param name="Source">The inputs.</param>
    /// <param name="Reading">The reading, with the mode applied.</param>
    /// <param name="Invariants">The properties.</param>
    /// <param name="Limits">The caps.</param>
    /// <param name="Files">Every input file the run read.</param>
    /// <param name="Threads">Worker threads (0: all cores).</param>
    public sealed record Run(InputSource Source, Reading Reading, IReadOnlyList<Invariant> Invariants, ExploreLimits Limits, IReadOnlyList<string> Files, int Threads)
    {
        /// <summary>What shards of this run must share (<see cref="PartialResult.IdentityOf"/>).</summary>
        public List<(string Field, string Value)> Identity => PartialResult.IdentityOf(Source, [Reading], Invariants, Limits, [], Files);
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
        public readonly InputOptions Input = new();
        public readonly ShardOptions Shard = new();

        public Command Command()
        {
            Random.HelpName = "RUNS";
            var command = new Command("check", "Check every invariant and witness (or those given) for one reading: exhaustively on every release plan within bounds, a raw catalog, a plan file, or on random runs. Exit 0 when all hold; 1 when one is violated; 2 on bad input; 3 when none is violated but a cap left one inconclusive; 130 when interrupted. With --shard K/N --out FILE (exhaustive only): check one share of the inputs and write a partial result for klp-check merge (exit 0, 2 or 130).")
            {
                Reading, Setting, Mode, Format, Traces, Random, Seed, Length, GraphLimit,
            };
            Input.AddTo(command);
            Shard.AddTo(command);
            return command;
        }

        // The reading and properties; null after one line on bad input.
        public (Reading Reading, IReadOnlyList<Invariant> Invariants)? Readings(ParseResult parse, TextWriter stderr)
        {
            var readings = Cli.ParseReadings([parse.GetValue(Reading)!], parse.GetValue(Setting), stderr);
            var invariants = readings is null ? null : Input.Invariants(parse, stderr);
            if (readings is null || invariants is null) return null;
            var granularity = Cli.ParseMode(parse.GetValue(Mode)) ?? readings[0].Options.Granularity;
            return (readings[0].With(readings[0].Options with { Granularity = granularity }), invariants);
        }

        // The exhaustive run; null after one line on bad input.
        public Run? Prepare(ParseResult parse, TextWriter stderr)
        {
            if (Readings(parse, stderr) is not { } ri) return null;
            var source = Input.Source(parse, stderr);
            return source is null ? null : new Run(source, ri.Reading, ri.Invariants, Input.Limits(parse), [.. Input.Files(parse)], Input.Threads(parse));
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
            if (parse.GetValue(o.Traces) is { } folder && !OutputPath.CheckFolder("--traces", folder, stderr)) return ExitCodes.Usage;

            if (parse.GetValue(o.Random) is { } runs)
            {
                if (fmt is "html" or "dot")
                {
                    stderr.WriteLine($"klp-check: --format {fmt} draws exhaustive results; --random writes text, markdown or json");
                    return ExitCodes.Usage;
                }
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
                var p = ReadingPartial.Check(source, r, invariants, run.Limits, inputs, run.Threads, cts.Token,
                    n => progress?.Invoke($"check {r.DisplayName}, shard {t.Shard}: {n}/{inputs.Count} inputs"));
                InputOptions.EndProgress(stderr);
                if (!p.Complete)
                {
                    stderr.WriteLine($"klp-check: interrupted: shard {t.Shard} not written");
                    return ExitCodes.Interrupted;
                }
                var partial = new PartialResult("check", PartialResult.ToolVersion, t.Shard, ShardOptions.Recorded(parse), run.Identity, ShardOptions.ReportOptions(parse), [p], null);
                return ShardOptions.Write(partial, t.Out, inputs.Count, source.Count, p.States, clock.Elapsed, stderr) ? ExitCodes.Ok : ExitCodes.Usage;
            }
            var result = Verification.Run(source, r, invariants, run.Limits, run.Threads, cts.Token,
                n => progress?.Invoke($"check {r.DisplayName}: {n}/{source.Count} inputs"));
            InputOptions.EndProgress(stderr);
            if (!result.Complete)
            {
                // Cells the inputs checked already settle are final; the others are not printed.
                var finished = result.Finished;
                stdout.Write(fmt switch
                {
                    "json" => Json(source, result with { Verdicts = finished }),
                    "markdown" => Markdown(source, result with { Verdicts = finished }),
                    _ => Text(source, result with { Verdicts = finished }),
                });
                var open = result.Verdicts.Where(v => !finished.Contains(v)).Select(v => v.Invariant.Id).ToList();
                stderr.WriteLine($"klp-check: interrupted: {result.InputsChecked} of {source.Count} inputs explored, {result.Coverage.States} states"
                    + (open.Count == 0 ? "" : $"; not finished: {string.Join(", ", open)}"));
                return ExitCodes.Interrupted;
            }
            if (fmt == "dot")
            {
                stdout.Write(DotGraph.Explored(graph!, result.Verdicts, $"klp-check check: {r.DisplayName} on {source.Kind}"));
                PrintStates(result, stderr);
            }
            var code = fmt == "dot" ? ExitCode(result) : Report(run, result, fmt, stdout, stderr);
            if (parse.GetValue(o.Traces) is { } dir && !WriteTraces(dir, result.Verdicts, stderr)) return ExitCodes.Usage;
            return code;
        });
        return command;
    }

    /// <summary>Parses the recorded arguments of a check shard again; null after one line on bad input.</summary>
    public static Run? Rebuild(IReadOnlyList<string> arguments, TextWriter stderr)
    {
        var o = new Options();
        return ShardOptions.Reparse(o.Command(), arguments, stderr) is { } parse ? o.Prepare(parse, stderr) : null;
    }

    /// <summary>Merges the partial results of every shard of one check run into its result, as one run over every input gives it.</summary>
    public static ReadingResult Merge(Run run, IReadOnlyList<PartialResult> shards)
    {
        return ReadingPartial.Sum(shards.Select(s => s.Readings))[0].Finish(run.Source, run.Reading, run.Invariants);
    }

    /// <summary>Prints a complete exhaustive result in a format (text, markdown, json, html) with the state count on stderr; returns the exit code of check.</summary>
    public static int Report(Run run, ReadingResult result, string format, TextWriter stdout, TextWriter stderr)
    {
        var source = run.Source;
        stdout.Write(format switch
        {
            "json" => Json(source, result),
            "markdown" => Markdown(source, result) + MermaidTrace.ForVerdicts(result.Verdicts),
            "html" => HtmlReport.Comparison(new ComparisonResult(source, [.. result.Verdicts.Select(v => v.Invariant)], [result], [], true, result.Coverage.Elapsed), "check", CoverageLines(result.Coverage)),
            _ => Text(source, result),
        });
        PrintStates(result, stderr);
        return ExitCode(result);
    }

    private static void PrintStates(ReadingResult result, TextWriter stderr)
    {
        var seconds = Math.Max(result.Coverage.Elapsed.TotalSeconds, 1e-9);
        stderr.WriteLine($"klp-check: {result.Coverage.States} states in {seconds:F2} s ({result.Coverage.States / seconds:N0} states/s)");
    }

    private static int ExitCode(ReadingResult result) =>
        result.Verdicts.Any(v => v.Kind == VerdictKind.Violated) ? ExitCodes.Failed
        : result.Verdicts.Any(v => v.Kind == VerdictKind.Inconclusive) ? ExitCodes.Inconclusive
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

    /// <summary>Writes the trace of every verdict that has one as <c>DIR/READING--PROPERTY.klp</c>; false (with one line on stderr) when a file cannot be written.</summary>
    public static bool WriteTraces(string dir, IEnumerable<Verdict> verdicts, TextWriter stderr)
    {
        if (!OutputPath.CheckFolder("--traces", dir, stderr)) return false;
        foreach (var v in verdicts)
        {
            if (v.Trace is null || v.Catalog is null) continue;
            var name = $"{v.Reading.DisplayName}--{v.Invariant.Id}.klp".Replace('(', '[').Replace(')', ']').Replace(',', '+').Replace('=', '-');
            var path = Path.Combine(dir, name);
            var title = $"{v.Invariant.Id} {(v.Kind == VerdictKind.Holds ? "witness" : "violation")} under {v.Reading.DisplayName}";
            var comment = v.Input is null ? "" : "# input:\n" + string.Join("\n", v.Input.TrimEnd().Split('\n').Select(l => "#   " + l)) + "\n";
            // A proposal's name resolves on replay only as a file beside the scenario.
            if (ProposalFile.Beside(v.Reading, dir) is { } proposal)
            {
                if (!OutputPath.Write("--traces", proposal.Path, proposal.Text, stderr)) return false;
                stderr.WriteLine($"klp-check: wrote {proposal.Path}");
            }
            var scenario = CatalogText.Scenario(title, v.Catalog, v.Reading, v.Trace, v.Detail, ProposalFile.ScenarioName(v.Reading));
            if (!OutputPath.Write("--traces", path, comment + scenario, stderr)) return false;
            stderr.WriteLine($"klp-check: wrote {path}");
        }
        return true;
    }

    private static string Text(InputSource source, ReadingResult result)
    {
        var sb = new StringBuilder();
        var r = result.Reading;
        sb.AppendLine($"klp-check check: {r.DisplayName}, mode {ReadingOptionText.ModeName(r.Options.Granularity)}");
        foreach (var line in TextLayout.Wrap($"input: {source.Kind} {source.Bound} ({Verification.Count(source.Count, "input")})".Split(' '), "")) sb.AppendLine(line);
        sb.AppendLine();
        foreach (var v in result.Verdicts)
        {
            var word = v.Kind == VerdictKind.Violated ? v.Word.ToUpperInvariant() : v.Word;
            var head = $"{v.Invariant.Id,-22}{word,-13}";
            var lines = TextLayout.Wrap(v.Detail.Split(' '), new string(' ', 35)).ToList();
            sb.AppendLine(head + lines[0].TrimStart());
            foreach (var l in lines.Skip(1)) sb.AppendLine(l);
            if (v.Trace is not null && v.Kind == VerdictKind.Violated)
            {
                if (source.Count > 1)
                    foreach (var l in ComparisonReport.InputLines(v, "    ")) sb.AppendLine(l);
                foreach (var l in TextLayout.Wrap(ComparisonReport.TraceText(v).Split(' '), "    $ ")) sb.AppendLine(l);
            }
        }
        sb.AppendLine();
        foreach (var line in TextLayout.Wrap(Legend.Split(' '), "")) sb.AppendLine(line);
        sb.AppendLine();
        foreach (var line in CoverageLines(result.Coverage)) sb.AppendLine(line);
        return sb.ToString();
    }

    /// <summary>What the counts of a holding verdict and the marks of a violation mean.</summary>
    public const string Legend = "'holds: N inputs' counts the inputs that give the property something to check; "
        + "'its case happens in M inputs' counts those where the situation it guards (a replace, a downgrade, a "
        + "customer patch...) is reached, so M = 0 means it holds only vacuously. A violation names its input and "
        + "its shortest trace ($); VIOLATED[F], [S] or [FS]: violated only on inputs where a customer patch shares a "
        + "function with a vendor patch (F), where patches declare states (S), or both (FS).";

    /// <summary>Coverage in words: states, transitions, depth, accepted operations, refusals by reason, operations never enabled.</summary>
    public static IEnumerable<string> CoverageLines(Coverage c)
    {
        var head = $"coverage: {c.States} states, {c.Transitions} transitions, depth {c.MaxDepth}, {c.Catalogs} catalogs, "
            + (c.Cut.Count == 0 ? "every exploration exhaustive" : $"{c.Cut.Count} cut by a cap ({c.Cut[0]})")
            + (c.CollisionProbability > 0 ? $", fingerprint collision probability {c.CollisionProbability:E1}" : "");
        foreach (var l in TextLayout.Wrap(head.Split(' '), "")) yield return l;
        var accepted = string.Join(", ", c.AcceptedByKind.OrderBy(kv => kv.Key).Where(kv => kv.Value > 0).Select(kv => $"{kv.Key.ToString().ToLowerInvariant()} {kv.Value}"));
        foreach (var l in TextLayout.Wrap(("accepted: " + accepted).Split(' '), "  ")) yield return l;
        var refused = string.Join(", ", c.RefusedByReason.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key.Name()} {kv.Value}"));
        foreach (var l in TextLayout.Wrap(("refused: " + (refused.Length == 0 ? "none" : refused)).Split(' '), "  ")) yield return l;
        var never = c.AcceptedByKind.Where(kv => kv.Value == 0).Select(kv => kv.Key.ToString().ToLowerInvariant()).Order().ToList();
        yield return "  never enabled: " + (never.Count == 0 ? "none" : string.Join(", ", never));
    }

    private static string Markdown(InputSource source, ReadingResult result)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"### klp-check check: `{result.Reading.DisplayName}`");
        sb.AppendLine();
        sb.AppendLine($"Input: {source.Kind} `{source.Bound}` ({source.Count} inputs).");
        sb.AppendLine();
        sb.AppendLine("| property | verdict | detail | trace |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var v in result.Verdicts)
            sb.AppendLine($"| `{v.Invariant.Id}` | {(v.Kind == VerdictKind.Violated ? $"**{v.Word}**" : v.Word)} | {v.Detail.Replace("|", "\\|")} | {(v.Trace is null ? "" : $"`{ComparisonReport.TraceText(v)}`")} |");
        sb.AppendLine();
        foreach (var line in CoverageLines(result.Coverage)) sb.AppendLine(line.TrimStart());
        return sb.ToString();
    }

    private static string Json(InputSource source, ReadingResult result)
    {
        return JsonReport.Write("check", w =>
        {
            JsonReport.WriteInput(w, source);
            w.WriteBoolean("complete", result.Complete);
            w.WritePropertyName("reading");
            ModelJson.WriteReading(w, result.Reading);
            w.WriteStartArray("verdicts");
            foreach (var v in result.Verdicts) ComparisonReport.WriteVerdict(w, v);
            w.WriteEndArray();
        });
    }

    private static int RunRandom(System.CommandLine.ParseResult parse, InputOptions input, Reading reading, IReadOnlyList<Invariant> invariants,
        int runs, ulong? seed, int length, string format, string? traces, TextWriter stdout, TextWriter stderr)
    {
        FsCheck.Gen<Catalog>? catalogs = input.RandomCatalogs(parse, reading, stderr);
        if (catalogs is null) return ExitCodes.Usage;
        var s = seed ?? RandomExploration.FreshSeed();
        using var cts = InputOptions.CancelOnCtrlC();
        var result = RandomExploration.Run(catalogs, reading, invariants, runs, length, s, cts.Token);
        var head = $"{reading.DisplayName}, {runs} random runs of up to {length} operations, seed {s}";
        var reproduce = $"--random {runs} --length {length} --seed {s}";
        string? scenario = null;
        if (result.Counterexample is { } run)
        {
            var v = new Verdict(result.Invariant!, reading, VerdictKind.Violated, result.Message!, run.Catalog, run.Ops, CatalogText.Describe(run.Catalog));
            scenario = CatalogText.Scenario($"{result.Invariant!.Id} violation under {reading.DisplayName} (seed {s})", run.Catalog, reading, run.Ops, result.Message);
            if (traces is not null && !WriteTraces(traces, [v], stderr)) return ExitCodes.Usage;
        }
        var sb = new StringBuilder();
        void Paragraph(string text, string indent = "")
        {
            foreach (var l in TextLayout.Wrap(text.Split(' '), indent)) sb.AppendLine(l);
        }
        var held = result.Interrupted
            ? $"interrupted after {result.Checked} of {runs} runs: every safety property held on the {result.Checked} runs checked"
            : "every safety property held on every run (liveness and witnesses need exhaustive exploration)";
        var shrunk = result.Interrupted ? "counterexample, shrinking interrupted" : "minimal counterexample after shrinking";
        if (format == "markdown")
        {
            sb.AppendLine($"### klp-check check: `{reading.DisplayName}`, {runs} random runs of up to {length} operations, seed {s}");
            sb.AppendLine();
            if (scenario is null) sb.AppendLine(char.ToUpperInvariant(held[0]) + held[1..] + ".");
            else
            {
                sb.AppendLine($"**`{result.Invariant!.Id}` violated**: {result.Message}");
                sb.AppendLine();
                sb.AppendLine($"{char.ToUpperInvariant(shrunk[0]) + shrunk[1..]} ({result.Counterexample!.Ops.Length} operations):");
                sb.AppendLine();
                sb.AppendLine("```");
                sb.Append(scenario);
                sb.AppendLine("```");
            }
            sb.AppendLine();
            sb.AppendLine($"Reproduce with `{reproduce}`.");
        }
        else
        {
            Paragraph("klp-check check: " + head);
            if (scenario is null) Paragraph(held);
            else
            {
                Paragraph($"{result.Invariant!.Id} VIOLATED: {result.Message}");
                sb.AppendLine($"{shrunk} ({result.Counterexample!.Ops.Length} operations):");
                if (scenario.Split('\n').Any(l => l.Length > TextLayout.Width))
                    Paragraph("(long lines are wrapped here, with their continuation indented; --traces DIR writes the file to replay)");
                sb.AppendLine();
                foreach (var l in scenario.TrimEnd('\n').Split('\n'))
                {
                    if (l.Length <= TextLayout.Width) sb.AppendLine(l);
                    else Paragraph(l, "    ");
                }
            }
            sb.AppendLine();
            sb.AppendLine("reproduce with: " + reproduce);
        }
        if (format == "json")
        {
            stdout.Write(JsonReport.Write("check", w =>
            {
                w.WriteString("mode", "random");
                w.WriteNumber("seed", s);
                w.WriteNumber("runs", runs);
                w.WriteBoolean("complete", !result.Interrupted);
                w.WriteNumber("checked", result.Checked);
                w.WriteNumber("length", length);
                w.WritePropertyName("reading");
                ModelJson.WriteReading(w, reading);
                if (result.Counterexample is { } cx)
                {
                    w.WriteString("property", result.Invariant!.Id);
                    w.WriteString("detail", result.Message);
                    w.WriteStartArray("trace");
                    foreach (var op in cx.Ops) w.WriteStringValue(op.Format(cx.Catalog));
                    w.WriteEndArray();
                    w.WriteString("scenario", scenario);
                }
                else w.WriteNull("property");
            }));
        }
        else stdout.Write(sb.ToString());
        if (result.Interrupted) return ExitCodes.Interrupted;
        return result.Counterexample is null ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
