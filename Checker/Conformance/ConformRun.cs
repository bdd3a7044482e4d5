using System.Collections.Concurrent;
using System.Diagnostics;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Conformance;

/// <summary>A scenario file the harness cannot run, and why.</summary>
/// <param name="File">The file.</param>
/// <param name="Why">The reason.</param>
public sealed record NotRealisable(string File, string Why);

/// <summary>The result of a conformance run.</summary>
/// <param name="Release">The guest's kernel release.</param>
/// <param name="Reading">The reading the model ran.</param>
/// <param name="Results">Per trace, in trace order.</param>
/// <param name="Observability">What the kernel let the harness see.</param>
/// <param name="Boots">How many times the kernel was booted.</param>
/// <param name="Elapsed">Wall time of the boots (not of the module builds).</param>
public sealed record ConformResult(string Release, Reading Reading, IReadOnlyList<TraceResult> Results, Observability Observability, int Boots, TimeSpan Elapsed)
{
    /// <summary>Set when no boot of the kernel reached the harness: why the first one did not.</summary>
    public BootFailure? NoBoot { get; init; }

    /// <summary>With <see cref="NoBoot"/>: the console log of that boot.</summary>
    public string? NoBootLog { get; init; }

    /// <summary>The function identity the kernel showed on <see cref="IdentityProbe"/>, when the probe ran.</summary>
    public IdentityResult? Identity { get; init; }

    /// <summary>The kernel image booted.</summary>
    public string Image { get; init; } = "";

    /// <summary>The kbuild tree the modules were built against.</summary>
    public string BuildDir { get; init; } = "";

    /// <summary>Why this kernel was run when none was named (the newest of several installed), or null.</summary>
    public string? Choice { get; init; }

    /// <summary>How many traces had each verdict.</summary>
    public int Count(Agreement agreement) => Results.Count(r => r.Agreement == agreement);
}

/// <summary>Runs traces on the kernel under QEMU: builds the modules, boots in parallel, many traces per boot, and compares.</summary>
/// <param name="harness">The kernel, headers, QEMU and busybox.</param>
/// <param name="cache">The module cache folder.</param>
/// <param name="jobs">How many guests run at once.</param>
/// <param name="progress">Receives progress lines, or null.</param>
/// <param name="consoles">A folder to write each boot's console output into as it arrives (<c>boot-N.log</c>), or null.</param>
/// <param name="bootTimeout">How long a guest has to reach the harness's script; default <see cref="Harness.DefaultBootTimeout"/>.</param>
public sealed class ConformRunner(Harness harness, string cache, int jobs, Action<string>? progress, string? consoles = null, TimeSpan? bootTimeout = null)
{
    /// <summary>The most traces one boot runs; a boot that dies loses at most these.</summary>
    public const int MaxTracesPerBoot = 100;

    /// <summary>Builds the modules every trace needs; null, or kbuild's output when a build failed.</summary>
    public string? Build(IReadOnlyList<ConformTrace> traces)
    {
        var modules = new List<(string, string)>();
        foreach (var r in traces.Select(t => t.Realisation).Distinct())
            for (var p = 0; p < r.Catalog.Count; p++) modules.Add((r.ModuleNames[p], r.ModuleSource(p)));
        (string, string)? busy = traces.Any(t => t.Realisation.Busy) ? (Realisation.BusyModule, Realisation.BusyModuleSource()) : null;
        if (busy is { } b) modules.Add(b);
        progress?.Invoke($"building modules ({modules.Count} modules)");
        return harness.BuildModules(cache, modules, jobs, busy);
    }

    /// <summary>Runs the traces (their modules built) and compares each with the model under <paramref name="reading"/>; <paramref name="probe"/>, when given, runs first and is judged by <see cref="IdentityProbe.Judge"/> instead.</summary>
    public ConformResult Run(IReadOnlyList<ConformTrace> traces, Reading reading, ConformTrace? probe = null)
    {
        var measured = traces;
        if (probe is not null) traces = [probe, .. traces];
        var keys = new Dictionary<Realisation, string[]>();
        foreach (var r in traces.Select(t => t.Realisation).Distinct())
            keys[r] = [.. Enumerable.Range(0, r.Catalog.Count).Select(p => Realisation.Key(harness.Release, r.ModuleSource(p)))];
        // As many boots as it takes to keep each at most MaxTracesPerBoot, rounded up to a
        // multiple of the guests at once, so the last round does not leave cores idle.
        var rounds = Math.Max(1, (traces.Count + MaxTracesPerBoot * jobs - 1) / (MaxTracesPerBoot * jobs));
        var perBoot = Math.Max(1, (traces.Count + rounds * jobs - 1) / (rounds * jobs));
        var queue = new ConcurrentQueue<List<ConformTrace>>(traces.Chunk(perBoot).Select(c => c.ToList()));
        var observed = new ConcurrentDictionary<int, TraceObservation>();
        var failed = new ConcurrentDictionary<int, string>();
        var releases = new ConcurrentBag<string>();
        var boots = 0;
        var watch = Stopwatch.StartNew();
        // The first boot that does not reach the harness, while none has, stops the run: the
        // kernel does not come up.
        using var stop = new CancellationTokenSource();
        var reachedOnce = false;
        (BootFailure Failure, string? Log)? noBoot = null;
        var gate = new Lock();
        var workers = Enumerable.Range(0, Math.Max(1, jobs)).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested && queue.TryDequeue(out var batch))
            {
                var n = Interlocked.Increment(ref boots);
                progress?.Invoke($"boot {n}: {batch.Count} traces, {observed.Count}/{traces.Count} done");
                var log = consoles is null ? null : Path.Combine(consoles, $"boot-{n}.log");
                var run = Boot(batch, keys, log, stop.Token);
                var console = run.Console;
                lock (gate)
                {
                    if (run.Failure is null) reachedOnce = true;
                    else if (!reachedOnce && !stop.IsCancellationRequested)
                    {
                        noBoot = (run.Failure, log);
                        stop.Cancel();
                    }
                }
                if (stop.IsCancellationRequested) break;
                var boot = GuestOutput.Parse(console);
                if (boot.Release is { } rel) releases.Add(rel);
                foreach (var t in boot.Traces.Where(t => t.Complete)) observed[t.Id] = t;
                var rest = batch.Where(t => !observed.ContainsKey(t.Id)).ToList();
                if (rest.Count == 0) continue;
                if (rest.Count == batch.Count)
                {
                    // No progress. If the script never started, no trace of the batch will run
                    // in another boot either; else the first trace is the one that cannot run.
                    var tail = string.Join(" | ", console.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3));
                    var dead = boot.Release is null ? rest.Count : 1;
                    foreach (var t in rest.Take(dead))
                        failed[t.Id] = boot.Release is null ? $"the guest never started its script ({run.Failure?.What ?? "no marker"}): {tail}" : $"the boot ended without finishing it: {tail}";
                    rest.RemoveRange(0, dead);
                }
                if (rest.Count > 0) queue.Enqueue(rest);
            }
        })).ToArray();
        Task.WaitAll(workers);
        watch.Stop();
        var all = observed.Values.SelectMany(o => o.Steps).ToList();
        var observability = Observability.From(all);
        var release = releases.FirstOrDefault() ?? harness.Release;
        var results = measured.Select(t =>
        {
            var result = TraceComparison.Compare(t, reading, observed.GetValueOrDefault(t.Id), observability, release);
            if (noBoot is { } nb) return result with { Why = $"Linux {harness.Release} {nb.Failure.What}" };
            return failed.TryGetValue(t.Id, out var why) ? result with { Why = why } : result;
        }).ToList();
        return new ConformResult(release, reading, results, observability, boots, watch.Elapsed)
        {
            NoBoot = noBoot?.Failure,
            NoBootLog = noBoot?.Log,
            Identity = probe is null || noBoot is not null ? null : IdentityProbe.Judge(probe, observed.GetValueOrDefault(probe.Id), observability, release),
        };
    }

    private BootRun Boot(List<ConformTrace> batch, Dictionary<Realisation, string[]> keys, string? log, CancellationToken stop)
    {
        var dir = Directory.CreateTempSubdirectory("klp-check-boot-").FullName;
        try
        {
            var busy = Realisation.Key(harness.Release, Realisation.BusyModuleSource());
            var init = GuestScript.Init(batch, (r, p) => keys[r][p] + ".ko", busy + ".ko");
            var modules = batch.Select(t => t.Realisation).Distinct()
                .SelectMany(r => r.Busy ? keys[r].Append(busy) : keys[r])
                .Distinct()
                .Select(k => (k + ".ko", Path.Combine(cache, harness.Release, k + ".ko")));
            var initramfs = Path.Combine(dir, "initramfs.gz");
            GuestScript.WriteInitramfs(initramfs, harness.Busybox, init, modules);
            var steps = batch.Sum(t => t.Ops.Count);
            // Generous: under emulation on a busy host a boot alone can take minutes.
            var timeout = TimeSpan.FromSeconds(600 + 10 * steps);
            return harness.Boot(initramfs, timeout, bootTimeout ?? Harness.DefaultBootTimeout, log, stop);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
