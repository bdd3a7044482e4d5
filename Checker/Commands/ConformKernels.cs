using Klp.Check.Conformance;
using Klp.Check.Model;

namespace Klp.Check.Commands;

/// <summary>The options of <c>conform</c> that choose and run kernels, and how generated traces treat transitions.</summary>
/// <param name="Headers">The kbuild tree for <c>--kernel IMAGE</c> (<c>--headers DIR</c>), or null to find it.</param>
/// <param name="BootTimeout">How long a guest has to reach the harness (<c>--boot-timeout</c>).</param>
/// <param name="Mode">The mode of the traces generated over a catalog (<c>--mode</c>).</param>
public sealed record ConformExtras(string? Headers = null, TimeSpan? BootTimeout = null, Granularity Mode = Granularity.Atomic);

/// <summary>Runs the traces of a <c>conform</c> invocation on one kernel or on every installed one, and reports per kernel.</summary>
public static class ConformKernels
{
    /// <summary>The <c>--kernel</c> value that runs every installed kernel with headers.</summary>
    public const string All = "all";

    /// <summary>The kernels to run: the given image (with its headers), every installed kernel, or the newest installed one; null after printing what is missing.</summary>
    public static List<(Harness Harness, string? Choice)>? Select(string? kernelImage, string? headers, TextWriter stderr)
    {
        var chosen = new List<(Harness, string?)>();
        var missing = new List<string>();
        if (kernelImage == All)
        {
            var installed = Harness.Installed();
            if (installed.Count == 0) missing.Add("no kernel in /boot with its kbuild tree in /lib/modules/RELEASE/build (packages linux-image-amd64 and linux-headers-amd64)");
            foreach (var k in installed)
            {
                if (Harness.Find(k.Image, k.BuildDir, out var m) is { } h) chosen.Add((h, $"one of {installed.Count} installed kernels with headers (--kernel all)"));
                else missing.AddRange(m);
            }
        }
        else
        {
            var installed = kernelImage is null ? Harness.Installed() : [];
            var image = kernelImage ?? installed.FirstOrDefault()?.Image;
            if (Harness.Find(image, headers ?? installed.FirstOrDefault()?.BuildDir, out var m) is { } h) chosen.Add((h, Choice(installed)));
            else missing.AddRange(m);
        }
        if (missing.Count == 0) return chosen;
        foreach (var m in missing.Distinct()) stderr.WriteLine($"klp-check: conform: {m}");
        stderr.WriteLine("klp-check: conform: install the harness with:");
        stderr.WriteLine("  " + Harness.InstallCommand);
        return null;
    }

    /// <summary>What the report says of the kernel chosen when none was named: null unless several are installed, else which one (the newest) and the others.</summary>
    public static string? Choice(IReadOnlyList<KernelCandidate> installed) => installed.Count < 2 ? null
        : $"the newest of {installed.Count} installed kernels with headers (also {string.Join(", ", installed.Skip(1).Select(k => k.Release))}; --kernel all runs each)";

    /// <summary>Runs the traces on every chosen kernel, writes the reports, and returns the exit code: 4 when a kernel could not be built for or did not come up, else 1 when a trace or the identity probe did not agree, else 0.</summary>
    public static int Run(
        IReadOnlyList<(Harness Harness, string? Choice)> kernels, ConformInputs inputs, IReadOnlyList<ConformTrace> traces, IReadOnlyList<NotRealisable> notRealisable,
        Reading reading, string? outDir, string? cacheDir, int jobs, string? consoleDir, TimeSpan? bootTimeout, string format, TextWriter stdout, TextWriter stderr)
    {
        var several = kernels.Count > 1;
        var results = new List<(ConformResult Result, Dictionary<int, string> Written)>();
        var unavailable = false;
        foreach (var (harness, choice) in kernels)
        {
            var progress = InputOptions.Progress(stderr);
            var cache = cacheDir ?? Harness.DefaultCache();
            // Every boot's console goes to a file as it arrives: --console DIR (per kernel under
            // DIR/RELEASE with --kernel all), else a temporary folder kept only when a boot fails.
            var consoles = consoleDir is null ? Directory.CreateTempSubdirectory("klp-check-console-").FullName
                : several ? Path.Combine(consoleDir, harness.Release) : consoleDir;
            if (!OutputPath.CreateFolder("--console", consoles, stderr)) return ExitCodes.Usage;
            var runner = new ConformRunner(harness, cache, jobs, progress, consoles, bootTimeout);
            ConformResult result;
            if (traces.Count == 0) result = new ConformResult(harness.Release, reading, [], new Observability(false, false), 0, TimeSpan.Zero);
            else
            {
                var probe = IdentityProbe.Trace(traces.Count + 1);
                var buildError = runner.Build([probe, .. traces]);
                if (buildError is not null)
                {
                    InputOptions.EndProgress(stderr);
                    foreach (var line in buildError.Split('\n').TakeLast(20)) stderr.WriteLine(line);
                    stderr.WriteLine($"klp-check: conform: building the livepatch modules against {harness.BuildDir} failed; is the package linux-headers-{harness.Release} complete? Install with:");
                    stderr.WriteLine("  " + Harness.InstallCommand);
                    unavailable = true;
                    continue;
                }
                result = runner.Run(traces, reading, probe);
            }
            InputOptions.EndProgress(stderr);
            result = result with { Image = harness.KernelImage, BuildDir = harness.BuildDir, Choice = choice };
            if (result.NoBoot is { } failure)
            {
                // One line: which kernel, what the console showed, where the log is.
                stderr.WriteLine($"klp-check: conform: Linux {harness.Release} ({harness.KernelImage}) {failure.What}; the console showed: {failure.Console}; log: {result.NoBootLog}");
                unavailable = true;
                continue;
            }
            if (consoleDir is null) Directory.Delete(consoles, recursive: true);
            var written = new Dictionary<int, string>();
            if (outDir is not null)
            {
                var dir = several ? Path.Combine(outDir, harness.Release) : outDir;
                if (!OutputPath.CreateFolder("--out", dir, stderr)) return ExitCodes.Usage;
                foreach (var t in result.Results.Where(t => t.Scenario is not null))
                {
                    var path = Path.Combine(dir, $"conform-{t.Trace.Id}.klp");
                    if (!OutputPath.Write("--out", path, t.Scenario!, stderr)) return ExitCodes.Usage;
                    written[t.Trace.Id] = path;
                }
            }
            results.Add((result, written));
            var minutes = result.Elapsed.TotalMinutes;
            stderr.WriteLine($"klp-check: conform: Linux {result.Release}: {result.Results.Count} traces, {result.Results.Sum(r => r.Trace.Ops.Count)} steps in {result.Elapsed.TotalSeconds:F0} s, {result.Boots} boots, {jobs} at once" +
                (minutes > 0 ? $": {result.Results.Count / minutes:F0} traces per minute" : ""));
        }
        if (results.Count > 0)
        {
            var term = StandardStream.TerminalOf(stdout);
            stdout.Write(format switch
            {
                "json" => several ? ConformReport.Json(inputs, results, notRealisable) : ConformReport.Json(inputs, results[0].Result, notRealisable, results[0].Written),
                "markdown" => string.Join("\n", results.Select(r => ConformReport.Markdown(inputs, r.Result, notRealisable, r.Written))) + (several ? ConformReport.KernelsMarkdown(results.Select(r => r.Result)) : ""),
                _ => string.Join("\n", results.Select(r => ConformReport.Text(inputs, r.Result, notRealisable, r.Written, term))) + (several ? ConformReport.KernelsText(results.Select(r => r.Result)) : ""),
            });
        }
        if (unavailable) return ExitCodes.Unavailable;
        return results.All(r => Agrees(r.Result)) ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>True when every trace agrees and the identity probe, where it ran, agreed with one identity.</summary>
    public static bool Agrees(ConformResult result) =>
        result.Count(Agreement.Agree) == result.Results.Count && result.Identity is not { Identity: null };
}
