using System.Diagnostics;
using System.Text;
using Klp.Check.Comparison;
using Klp.Check.Inputs;

namespace Klp.Check.Conformance;

/// <summary>A kernel the harness can run: its image, its release and the kbuild tree its modules are built against.</summary>
/// <param name="Image">The bootable image.</param>
/// <param name="Release">The kernel release (<c>uname -r</c> of the guest).</param>
/// <param name="BuildDir">The kbuild tree for out-of-tree modules.</param>
public sealed record KernelCandidate(string Image, string Release, string BuildDir);

/// <summary>Why a boot did not reach the harness's <c>/init</c> script.</summary>
/// <param name="What">One sentence: what happened (the boot timeout passed, or QEMU exited).</param>
/// <param name="Console">The last line the console showed, or <c>nothing</c>.</param>
public sealed record BootFailure(string What, string Console);

/// <summary>What one boot printed, and whether it reached the harness.</summary>
/// <param name="Console">The serial console's output (without CR and terminal escapes).</param>
/// <param name="Failure">Null when the guest's script started (it printed <c>@@kernel</c>); else why not.</param>
public sealed record BootRun(string Console, BootFailure? Failure);

/// <summary>What the harness runs on: a kernel image, its kbuild tree, QEMU and a static busybox.</summary>
/// <param name="KernelImage">The bootable image, <c>/boot/vmlinuz-RELEASE</c> or one given with <c>--kernel</c>.</param>
/// <param name="Release">The kernel release (<c>uname -r</c> of the guest), from the image's boot header or its file name.</param>
/// <param name="BuildDir">The kbuild tree for out-of-tree modules, <c>/lib/modules/RELEASE/build</c> or one given with <c>--headers</c> or found next to the image.</param>
/// <param name="Qemu">The <c>qemu-system-x86_64</c> executable.</param>
/// <param name="Busybox">The statically linked busybox copied into the guest.</param>
public sealed partial record Harness(string KernelImage, string Release, string BuildDir, string Qemu, string Busybox)
{
    /// <summary>The one command that installs everything the harness needs on Debian, without building an initramfs for the host.</summary>
    public const string InstallCommand =
        "sudo apt-get update && sudo INITRD=No DEBIAN_FRONTEND=noninteractive apt-get install -y linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static cpio make";

    /// <summary>How long a guest has to reach the harness's script (print its first marker) before the boot counts as failed: generous for emulation on a busy host, where a boot takes 10 to 60 s.</summary>
    public static readonly TimeSpan DefaultBootTimeout = TimeSpan.FromSeconds(300);

    /// <summary>The marker the guest's <c>/init</c> prints first (<see cref="GuestScript"/>): the guest reached the harness.</summary>
    public const string ReachedMarker = "@@kernel";

    /// <summary>The default module cache: <c>$XDG_CACHE_HOME/klp-check</c>, else <c>~/.cache/klp-check</c>.</summary>
    public static string DefaultCache()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "klp-check");
    }

    /// <summary>The cached module file of a source, <c>CACHE/RELEASE/KEY.ko</c>.</summary>
    public string ModulePath(string cache, string source) => Path.Combine(cache, Release, Realisation.Key(Release, source) + ".ko");

    /// <summary>Builds every module not yet in the cache with kbuild; returns null, or the build's output when it failed.</summary>
    /// <remarks>
    /// Modules are built in batches whose module names are distinct, each batch one <c>make -C BUILD
    /// M=DIR modules</c>. <paramref name="alongside"/> is built in every batch, so modpost sees the
    /// symbols it exports with their versions (<c>CONFIG_MODVERSIONS</c>: a module that uses a symbol
    /// modpost did not see is refused at load with "no symbol version"). No BTF is generated for the
    /// modules (<c>CONFIG_DEBUG_INFO_BTF_MODULES=</c> on make's command line): kbuild would need
    /// pahole for it (package dwarves) wherever the tree holds a vmlinux, as Debian's 6.12 headers do,
    /// and a livepatch module needs none.
    /// </remarks>
    public string? BuildModules(string cache, IEnumerable<(string Module, string Source)> modules, int jobs, (string Module, string Source)? alongside = null)
    {
        var pending = new Dictionary<string, (string Module, string Source)>(StringComparer.Ordinal);
        foreach (var m in modules)
        {
            var path = ModulePath(cache, m.Source);
            if (!File.Exists(path)) pending.TryAdd(path, m);
        }
        Directory.CreateDirectory(Path.Combine(cache, Release));
        while (pending.Count > 0)
        {
            var batch = new Dictionary<string, (string Path, string Source)>(StringComparer.Ordinal);
            if (alongside is { } a) batch[a.Module] = (ModulePath(cache, a.Source), a.Source);
            foreach (var (path, m) in pending)
                batch.TryAdd(m.Module, (path, m.Source));
            var dir = Directory.CreateTempSubdirectory("klp-check-build-").FullName;
            try
            {
                foreach (var (module, m) in batch) File.WriteAllText(Path.Combine(dir, module + ".c"), m.Source);
                File.WriteAllText(Path.Combine(dir, "Kbuild"), "obj-m := " + string.Join(" ", batch.Keys.Select(k => k + ".o")) + "\n");
                List<string> args = ["-C", BuildDir];
                if (MakefileUnder(BuildDir) is { } wrapper)
                {
                    var file = Path.Combine(dir, "klp-check-headers.mk");
                    File.WriteAllText(file, wrapper);
                    args.AddRange(["-f", file]);
                }
                args.AddRange(["M=" + dir, "-j" + Math.Max(1, jobs), "CONFIG_DEBUG_INFO_BTF_MODULES=", "modules"]);
                var (code, output) = RunProcess("make", args, TimeSpan.FromMinutes(20));
                if (code != 0) return output;
                var built = batch.Keys.Select(module => Path.Combine(dir, module + ".ko")).ToList();
                if (built.FirstOrDefault(f => !File.Exists(f)) is { } none) return output + $"\nmake did not produce {Path.GetFileName(none)}";
                // The debug information is most of a module built against Debian's headers (a
                // livepatch module of one function: 320 KB, 8 KB without it): stripped, as
                // modules_install does with INSTALL_MOD_STRIP=1, the initramfs is that much smaller
                // and the emulated guest unpacks and loads it that much faster. A file strip cannot
                // read stays as it is.
                if (OnPath("strip") is { } strip) RunProcess(strip, ["--strip-debug", .. built], TimeSpan.FromMinutes(5));
                foreach (var (module, m) in batch)
                {
                    var file = Path.Combine(dir, module + ".ko");
                    var temp = m.Path + ".tmp" + Environment.ProcessId;
                    File.Copy(file, temp, overwrite: true);
                    File.Move(temp, m.Path, overwrite: true);
                    pending.Remove(m.Path);
                }
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        return null;
    }

    /// <summary>For a kbuild tree unpacked outside <c>/</c>: its Makefile with every <c>include</c> of an absolute path that exists under a folder above the tree read from under that folder (even where the path exists on this machine too); null when the Makefile needs no such change.</summary>
    /// <remarks>
    /// Debian's <c>linux-headers-RELEASE</c> Makefile is one line, <c>include
    /// /usr/src/linux-headers-VERSION-common/Makefile</c>; unpacked with <c>dpkg -x</c> into ROOT,
    /// that file is ROOT/usr/src/...: make is then run with this text as its makefile, in the tree.
    /// </remarks>
    public static string? MakefileUnder(string buildDir)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(buildDir, "Makefile"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var changed = false;
        var lines = text.Split('\n');
        for (var k = 0; k < lines.Length; k++)
        {
            var line = lines[k];
            if (!line.StartsWith("include /", StringComparison.Ordinal)) continue;
            var path = line["include ".Length..].Trim();
            // Under a folder above the tree first: the same path on this machine may belong to
            // another installed package.
            for (var root = Path.GetDirectoryName(Path.GetFullPath(buildDir)); root is not null && root != "/"; root = Path.GetDirectoryName(root))
            {
                if (!File.Exists(root + path)) continue;
                lines[k] = "include " + root + path;
                changed = true;
                break;
            }
        }
        return changed ? string.Join('\n', lines) : null;
    }

    /// <summary>Boots the kernel with an initramfs and returns what the serial console printed (without CR and terminal escapes), up to the end of the boot or the timeout.</summary>
    /// <param name="initramfs">The initramfs.</param>
    /// <param name="timeout">The most the whole boot may take.</param>
    /// <param name="bootTimeout">The most the guest may take to reach the harness (print <see cref="ReachedMarker"/>).</param>
    /// <param name="consoleLog">A file the console output is appended to as it arrives, or null.</param>
    /// <param name="cancel">Stops the boot (QEMU is killed).</param>
    public BootRun Boot(string initramfs, TimeSpan timeout, TimeSpan bootTimeout, string? consoleLog = null, CancellationToken cancel = default)
    {
        string[] args =
        [
            "-m", "512", "-smp", "1", "-nographic", "-no-reboot", "-nic", "none",
            "-kernel", KernelImage, "-initrd", initramfs,
            // no_timer_check: on a busy host the emulated CPU can fail the IO-APIC timer check
            // ("Kernel panic - not syncing: IO-APIC + timer doesn't work!").
            "-append", "console=ttyS0 quiet panic=-1 loglevel=3 no_timer_check",
        ];
        var start = StartInfo(Qemu, args);
        using var log = consoleLog is null ? null : new StreamWriter(consoleLog, append: false) { AutoFlush = true };
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        using var reached = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        void Line(string? data)
        {
            if (data is null) return;
            var line = Escapes().Replace(data, "");
            lock (output)
            {
                output.Append(line).Append('\n');
                log?.WriteLine(line);
            }
            if (line.Contains(ReachedMarker, StringComparison.Ordinal)) reached.Set();
            if (line.Contains(GuestScript.LastMarker, StringComparison.Ordinal) || line.Contains(GuestScript.DirtyMarker, StringComparison.Ordinal)) done.Set();
        }
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var watch = Stopwatch.StartNew();
        BootFailure? failure = null;
        var exited = false;
        while (!cancel.IsCancellationRequested)
        {
            if (process.WaitForExit(200))
            {
                process.WaitForExit();
                exited = true;
                break;
            }
            if (!reached.IsSet && watch.Elapsed > bootTimeout)
            {
                failure = new BootFailure($"did not reach the harness within {bootTimeout.TotalSeconds:F0} s", "");
                break;
            }
            if (watch.Elapsed > timeout) break;
            // The script ended with poweroff -f; a kernel without ACPI halts instead of powering
            // off, and QEMU runs on: it has printed everything it will.
            if (done.Wait(0) && !process.WaitForExit(10_000)) break;
        }
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        string text;
        lock (output) text = output.ToString();
        if (!reached.IsSet && failure is null && exited)
            failure = new BootFailure($"QEMU exited with status {process.ExitCode} before the guest reached the harness", "");
        if (!reached.IsSet && failure is null && cancel.IsCancellationRequested)
            failure = new BootFailure("the boot was stopped before the guest reached the harness", "");
        return new BootRun(text, failure is null ? null : failure with { Console = LastLine(text) });
    }

    // The last non-empty line of a console, or "nothing".
    private static string LastLine(string console) =>
        console.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "nothing";

    [System.Text.RegularExpressions.GeneratedRegex(@"\r|\u001b(\[[0-9;?]*[A-Za-z]|.)")]
    private static partial System.Text.RegularExpressions.Regex Escapes();

    // A program with its arguments, its output and error read by the caller, its input closed.
    private static ProcessStartInfo StartInfo(string program, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    // Runs a program; returns its exit code (int.MinValue when killed on timeout) and its stdout and stderr.
    private static (int Code, string Output) RunProcess(string program, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var start = StartInfo(program, args);
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (output) output.Append(e.Data).Append('\n');
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (output) output.Append(e.Data).Append('\n');
        };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output) return (int.MinValue, output.ToString());
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }
}
