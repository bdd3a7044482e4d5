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
        var headers = new Option<string?>("--headers") { HelpName = "DIR", Description = "the kbuild tree to build modules against, for --kernel IMAGE (default: one next to the image, else /lib/modules/RELEASE/build)" };
        var bootTimeout = Cli.NumberOption("--boot-timeout", 1, 86_400, $"seconds a guest has to reach the harness before the kernel counts as not coming up (default {Harness.DefaultBootTimeout.TotalSeconds:F0})");
        var mode = new Option<string?>("--mode") { Description = "atomic or two-phase generated traces (--catalog); two-phase holds transitions open (default atomic)" };
        mode.AcceptOnlyFromAmong("atomic", "two-phase");
        var command = new Command("conform", $"Run traces of the upstream reading on a real Linux kernel under QEMU and compare every step with the model. --kernel all runs every installed kernel with headers. Exit 0: all agree; 1: a disagreement; 2: bad input; {ExitCodes.Unavailable}: kernel, headers, QEMU or busybox missing, or the kernel did not come up.")
        {
            files, catalog, traces, seed, length, reading, outDir, cache, kernel, jobs, console, format, headers, bootTimeout, mode,
        };
        command.SetAction(parse => Run(
            parse.GetValue(files) ?? [], parse.GetValue(catalog) ?? [], parse.GetValue(traces) ?? 100, parse.GetValue(seed) ?? 1, parse.GetValue(length) ?? 8,
            parse.GetValue(reading), parse.GetValue(outDir), parse.GetValue(cache), parse.GetValue(kernel), parse.GetValue(jobs) ?? Environment.ProcessorCount, parse.GetValue(console),
            parse.GetValue(format) ?? "text", stdout, stderr,
            new ConformExtras(parse.GetValue(headers), TimeSpan.FromSeconds(parse.GetValue(bootTimeout) ?? (int)Harness.DefaultBootTimeout.TotalSeconds), parse.GetValue(mode) == "two-phase" ? Granularity.TwoPhase : Granularity.Atomic)));
        return command;
    }

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> files, IReadOnlyList<string> catalogs, int traceCount, ulong seed, int length,
        string? readingName, string? outDir, string? cacheDir, string? kernelImage, int jobs, string? consoleDir, string format, TextWriter stdout, TextWriter stderr,
        ConformExtras? extras = null)
    {
        extras ??= new ConformExtras();
        if (extras.BootTimeout is { } bt && bt < TimeSpan.FromSeconds(1))
        {
            stderr.WriteLine("klp-check: conform: --boot-timeout must be at least 1");
            return ExitCodes.Usage;
        }
        if (extras.Headers is not null && (kernelImage is null || kernelImage == ConformKernels.All))
        {
            stderr.WriteLine("klp-check: conform: --headers goes with --kernel IMAGE");
            return ExitCodes.Usage;
        }
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
            reading = r.WithGranularity(Granularity.Atomic);
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
            if (extras.Mode == Granularity.TwoPhase)
            {
                var busy = realisation.WithBusy(out why);
                if (busy is null)
                {
                    stderr.WriteLine($"{path}:1:1: the harness cannot hold this catalog's transitions open: {why}");
                    bad = true;
                    continue;
                }
                var held = ConformTraces.GenerateTwoPhase(s.Catalog, traceCount, seed, length);
                for (var i = 0; i < held.Count; i++)
                    traces.Add(new ConformTrace(traces.Count + 1, path, $"{path} #{i + 1}", busy, held[i].Ops, new int[held[i].Ops.Count], held[i].Phases));
                catalogInputs.Add((path, held.Count));
                continue;
            }
            var generated = ConformTraces.Generate(s.Catalog, traceCount, seed, length);
            for (var i = 0; i < generated.Count; i++)
                traces.Add(new ConformTrace(traces.Count + 1, path, $"{path} #{i + 1}", realisation, generated[i], new int[generated[i].Length]));
            catalogInputs.Add((path, generated.Count));
        }
        if (bad) return ExitCodes.Usage;
        var inputs = new ConformInputs(paths, catalogInputs, seed, length) { Mode = extras.Mode };

        var kernels = ConformKernels.Select(kernelImage, extras.Headers, stderr);
        if (kernels is null) return ExitCodes.Unavailable;
        return ConformKernels.Run(kernels, inputs, traces, notRealisable, reading, outDir, cacheDir, jobs, consoleDir, extras.BootTimeout, format, stdout, stderr);
    }
}
