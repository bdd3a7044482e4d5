using System.CommandLine;
using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Commands;

/// <summary><c>klp-check conform</c>: runs traces of the upstream reading on a real kernel under QEMU and compares every step with the model.</summary>
public static class ConformCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var files = new Argument<string[]>("FILE") { Description = "scenario files or folders of them; every realisable one runs", Arity = ArgumentArity.ZeroOrMore };
        var catalog = new Option<string[]>("--catalog") { HelpName = "FILE", Description = "generate traces over the catalog of this scenario file; repeat for several", Arity = ArgumentArity.ZeroOrMore };
        var traces = Cli.NumberOption("--traces", 1, int.MaxValue, "traces per catalog (default 100)");
        var seed = Cli.NumberOption("--seed", 0UL, ulong.MaxValue, "seed of the generated traces (default 1)");
        var length = Cli.NumberOption("--length", 1, int.MaxValue, "operations per generated random walk (default 8)");
        var reading = new Option<string?>("--reading", "-r") { HelpName = "NAME", Description = "the reading the model runs (default upstream); another one shows how the kernel refutes it" };
        var outDir = new Option<string?>("--out") { HelpName = "DIR", Description = "write each disagreement as a scenario file into this folder" };
        var cache = new Option<string?>("--cache") { HelpName = "DIR", Description = "module cache (default $XDG_CACHE_HOME/klp-check or ~/.cache/klp-check)" };
        var kernel = new Option<string?>("--kernel") { HelpName = "PATH", Description = "kernel image (default: the newest /boot/vmlinuz-* with headers)" };
        var console = new Option<string?>("--console") { HelpName = "DIR", Description = "write each boot's console output into this folder (boot-N.log)" };
        var jobs = Cli.NumberOption("--jobs", 1, 1024, "guests booted at once (default: the number of cores)");
        jobs.Aliases.Add("-j");
        var format = Cli.FormatOption();
        var command = new Command("conform", $"Trace traces of the upstream reading on a real Linux kernel under QEMU and compare every step with the model. Exit 0: all agree; 1: a disagreement; 2: bad input; {ExitCodes.Unavailable}: kernel, headers, QEMU or busybox missing.")
        {
            files, catalog, traces, seed, length, reading, outDir, cache, kernel, jobs, console, format,
        };
        command.SetAction(parse => Run(
            parse.GetValue(files) ?? [], parse.GetValue(catalog) ?? [], parse.GetValue(traces) ?? 100, parse.GetValue(seed) ?? 1, parse.GetValue(length) ?? 8,
            parse.GetValue(reading), parse.GetValue(outDir), parse.GetValue(cache), parse.GetValue(kernel), parse.GetValue(jobs) ?? Environment.ProcessorCount, parse.GetValue(console),
            parse.GetValue(format) ?? "text", stdout, stderr));
        return command;
    }

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> files, IReadOnlyList<string> catalogs, int traceCount, ulong seed, int length,
        string? readingName, string? outDir, string? cacheDir, string? kernelImage, int jobs, string? consoleDir, string format, TextWriter stdout, TextWriter stderr)
    {
        if (files.Count == 0 && catalogs.Count == 0)
        {
            stderr.WriteLine("klp-check: conform: give scenario files or folders, --catalog FILE, or both");
            return ExitCodes.Usage;
        }
        if (traceCount < 1 || length < 1 || jobs < 1)
        {
            stderr.WriteLine("klp-check: conform: --traces, --length and --jobs must be at least 1");
            return ExitCodes.Usage;
        }
        var reading = ConformTraces.Upstream;
        if (readingName is not null)
        {
            if (Cli.ParseReadings([readingName], null, stderr) is not [var r]) return ExitCodes.Usage;
            reading = r.With(r.Options with { Granularity = Granularity.Atomic });
        }
        foreach (var (name, dir) in new[] { ("--out", outDir), ("--console", consoleDir), ("--cache", cacheDir) })
            if (dir is not null && !OutputPath.CheckFolder(name, dir, stderr)) return ExitCodes.Usage;
        if (outDir is not null && !OutputPath.CheckFilesIn("--out", outDir, "conform-*.klp", stderr)) return ExitCodes.Usage;
        if (consoleDir is not null && !OutputPath.CheckFilesIn("--console", consoleDir, "boot-*.log", stderr)) return ExitCodes.Usage;

        // Inputs first: bad input exits 2 before anything slow.
        var paths = new List<string>();
        foreach (var f in files)
        {
            if (Directory.Exists(f)) paths.AddRange(Directory.EnumerateFiles(f, "*.klp", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else paths.Add(f);
        }
        var traces = new List<ConformTrace>();
        var notRealisable = new List<NotRealisable>();
        var bad = false;
        Scenario? Parse(string path)
        {
            try
            {
                return ScenarioParser.ParseFile(path);
            }
            catch (InputException e)
            {
                foreach (var d in e.Diagnostics) stderr.WriteLine(d);
                bad = true;
                return null;
            }
        }
        foreach (var path in paths)
        {
            if (Parse(path) is not { } s) continue;
            var realisation = Realisation.TryCreate(s.Catalog, out var why);
            var trace = realisation is null ? null : ConformTraces.FromScenario(s, out why);
            if (trace?.Phases is not null) realisation = realisation!.WithBusy(out why);
            if (realisation is null || trace is null)
            {
                notRealisable.Add(new NotRealisable(path, why!));
                continue;
            }
            traces.Add(new ConformTrace(traces.Count + 1, path, path, realisation, trace.Value.Ops, trace.Value.Lines, trace.Value.Phases));
        }
        var catalogInputs = new List<(string, int)>();
        foreach (var path in catalogs)
        {
            if (Parse(path) is not { } s) continue;
            var realisation = Realisation.TryCreate(s.Catalog, out var why);
            if (realisation is null)
            {
                stderr.WriteLine($"{path}:1:1: the harness cannot realise this catalog: {why}");
                bad = true;
                continue;
            }
            var generated = ConformTraces.Generate(s.Catalog, traceCount, seed, length);
            for (var i = 0; i < generated.Count; i++)
                traces.Add(new ConformTrace(traces.Count + 1, path, $"{path} #{i + 1}", realisation, generated[i], new int[generated[i].Length]));
            catalogInputs.Add((path, generated.Count));
        }
        if (bad) return ExitCodes.Usage;
        var inputs = new ConformInputs(paths, catalogInputs, seed, length);

        var harness = Harness.Find(kernelImage, out var missing);
        if (harness is null)
        {
            foreach (var m in missing) stderr.WriteLine($"klp-check: conform: {m}");
            stderr.WriteLine("klp-check: conform: install the harness with:");
            stderr.WriteLine("  " + Harness.InstallCommand);
            return ExitCodes.Unavailable;
        }
        var progress = InputOptions.Progress(stderr);
        var cache = cacheDir ?? Harness.DefaultCache();
        if (consoleDir is not null && !OutputPath.CreateFolder("--console", consoleDir, stderr)) return ExitCodes.Usage;
        var runner = new ConformRunner(harness, cache, jobs, progress, consoleDir);
        ConformResult result;
        if (traces.Count == 0) result = new ConformResult(harness.Release, reading, [], new Observability(false, false), 0, TimeSpan.Zero);
        else
        {
            var buildError = runner.Build(traces);
            if (buildError is not null)
            {
                InputOptions.EndProgress(stderr);
                foreach (var line in buildError.Split('\n').TakeLast(20)) stderr.WriteLine(line);
                stderr.WriteLine($"klp-check: conform: building the livepatch modules against {harness.BuildDir} failed; is the package linux-headers-{harness.Release} complete? Install with:");
                stderr.WriteLine("  " + Harness.InstallCommand);
                return ExitCodes.Unavailable;
            }
            result = runner.Run(traces, reading);
        }
        InputOptions.EndProgress(stderr);

        var written = new Dictionary<int, string>();
        if (outDir is not null)
        {
            if (!OutputPath.CreateFolder("--out", outDir, stderr)) return ExitCodes.Usage;
            foreach (var t in result.Results.Where(t => t.Scenario is not null))
            {
                var path = Path.Combine(outDir, $"conform-{t.Trace.Id}.klp");
                if (!OutputPath.Write("--out", path, t.Scenario!, stderr)) return ExitCodes.Usage;
                written[t.Trace.Id] = path;
            }
        }
        stdout.Write(format switch
        {
            "json" => ConformReport.Json(inputs, result, notRealisable, written),
            "markdown" => ConformReport.Markdown(inputs, result, notRealisable, written),
            _ => ConformReport.Text(inputs, result, notRealisable, written, StandardStream.TerminalOf(stdout)),
        });
        var minutes = result.Elapsed.TotalMinutes;
        stderr.WriteLine($"klp-check: conform: {result.Results.Count} traces, {result.Results.Sum(r => r.Trace.Ops.Count)} steps in {result.Elapsed.TotalSeconds:F0} s, {result.Boots} boots, {jobs} at once" +
            (minutes > 0 ? $": {result.Results.Count / minutes:F0} traces per minute" : ""));
        return result.Count(Agreement.Agree) == result.Results.Count ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
