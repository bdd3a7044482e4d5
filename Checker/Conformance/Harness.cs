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

    /// <summary>Every kernel installed the Debian way: a <c>vmlinuz-RELEASE</c> in <paramref name="boot"/> whose kbuild tree <c>MODULES/RELEASE/build</c> has a Makefile, newest first.</summary>
    public static IReadOnlyList<KernelCandidate> Installed(string boot = "/boot", string modules = "/lib/modules")
    {
        var images = Directory.Exists(boot) ? Directory.GetFiles(boot, "vmlinuz-*") : [];
        return [.. images
            .Select(i => new KernelCandidate(i, ReleaseOf(i), Path.Combine(modules, FileNameRelease(i), "build")))
            .Where(k => File.Exists(Path.Combine(k.BuildDir, "Makefile")))
            .OrderByDescending(k => k.Release, Comparer<string>.Create(CompareVersions))];
    }

    /// <summary>Finds the harness for the given image (null: the newest installed kernel with headers) and its headers; null with what is missing.</summary>
    public static Harness? Find(string? kernelImage, out IReadOnlyList<string> missing) => Find(kernelImage, null, out missing);

    /// <summary>Finds the harness: the image (null: the newest installed kernel with headers), the kbuild tree (<paramref name="headers"/>, else one next to the image, else <c>/lib/modules/RELEASE/build</c>), QEMU, make and busybox; null with what is missing.</summary>
    public static Harness? Find(string? kernelImage, string? headers, out IReadOnlyList<string> missing)
    {
        var problems = new List<string>();
        string? image = kernelImage;
        if (image is null)
        {
            image = Installed().FirstOrDefault()?.Image
                ?? (Directory.Exists("/boot") ? Directory.GetFiles("/boot", "vmlinuz-*").OrderBy(c => c, StringComparer.Ordinal).LastOrDefault() : null);
        }
        string release = "", build = "";
        if (image is null) problems.Add("no kernel image in /boot (package linux-image-amd64)");
        else if (!File.Exists(image)) problems.Add($"no kernel image at {image} (package linux-image-amd64)");
        else
        {
            release = ReleaseOf(image);
            build = headers ?? HeadersNextTo(image, release) ?? Path.Combine("/lib/modules", release, "build");
            if (!File.Exists(Path.Combine(build, "Makefile")))
                problems.Add(headers is null
                    ? $"no kbuild tree for {release} at {build} (package linux-headers-{release}, or give the tree with --headers DIR)"
                    : $"no kbuild tree at {build}: it has no Makefile");
            else if (HeadersRelease(build) is { } built && built != release)
                problems.Add($"the kbuild tree at {build} is for {built}, the image {image} is {release}");
        }
        var qemu = OnPath("qemu-system-x86_64");
        if (qemu is null) problems.Add("no qemu-system-x86_64 on PATH (package qemu-system-x86)");
        if (OnPath("make") is null) problems.Add("no make on PATH (package make)");
        var busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(IsStaticElf);
        if (busybox is null) problems.Add("no statically linked /bin/busybox (package busybox-static)");
        missing = problems;
        return problems.Count == 0 ? new Harness(image!, release, build, qemu!, busybox!) : null;
    }

    /// <summary>The release of a kernel image: the first word of the version string in its x86 boot header (<c>kernel_version</c>, boot protocol 2.00 and later), else <see cref="FileNameRelease"/>.</summary>
    public static string ReleaseOf(string image) => ImageRelease(image) ?? FileNameRelease(image);

    /// <summary>The release in a kernel image's file name: <c>vmlinuz-6.1.0-57-amd64</c> gives <c>6.1.0-57-amd64</c>.</summary>
    public static string FileNameRelease(string image)
    {
        var name = Path.GetFileName(image);
        var dash = name.IndexOf('-');
        return dash < 0 ? name : name[(dash + 1)..];
    }

    /// <summary>The release a bzImage names in its setup header (Documentation/arch/x86/boot.rst: the "HdrS" magic at 0x202, the pointer <c>kernel_version</c> at 0x20E, relative to 0x200); null for any other file.</summary>
    public static string? ImageRelease(string image)
    {
        try
        {
            using var file = File.OpenRead(image);
            var head = new byte[0x8000];
            var n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (n < 0x210 || Encoding.ASCII.GetString(head, 0x202, 4) != "HdrS" || BitConverter.ToUInt16(head, 0x206) < 0x200) return null;
            var at = BitConverter.ToUInt16(head, 0x20E) + 0x200;
            if (at >= n) return null;
            var end = at;
            while (end < n && head[end] is > 0x20 and < 0x7F) end++;
            return end > at ? Encoding.ASCII.GetString(head, at, end - at) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The release the modules a kbuild tree builds are for: <c>UTS_RELEASE</c> in <c>include/generated/utsrelease.h</c>, which their vermagic carries; null when the tree does not say.</summary>
    /// <remarks>Not <c>include/config/kernel.release</c>: Debian's 6.1 headers hold the upstream version there (6.1.192) and the package's release (6.1.0-57-amd64) in utsrelease.h.</remarks>
    public static string? HeadersRelease(string buildDir)
    {
        var path = Path.Combine(buildDir, "include", "generated", "utsrelease.h");
        try
        {
            if (!File.Exists(path)) return null;
            var text = File.ReadAllText(path);
            var at = text.IndexOf("UTS_RELEASE \"", StringComparison.Ordinal);
            if (at < 0) return null;
            at += "UTS_RELEASE \"".Length;
            var end = text.IndexOf('"', at);
            return end > at ? text[at..end] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A kbuild tree next to an image that is not installed system-wide, or null.</summary>
    /// <remarks>
    /// Two layouts: a package tree unpacked with <c>dpkg -x</c> into ROOT (the image is
    /// ROOT/boot/vmlinuz-RELEASE; the tree ROOT/lib/modules/RELEASE/build, whose link points at
    /// /usr/src/... and is read under ROOT, or ROOT/usr/src/linux-headers-RELEASE), and a kernel
    /// built in its source tree (the image is TREE/arch/x86/boot/bzImage or TREE/vmlinuz...;
    /// the tree is the nearest folder above it with a Makefile and a Module.symvers).
    /// </remarks>
    public static string? HeadersNextTo(string image, string release)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(image));
        if (dir is null) return null;
        if (Path.GetFileName(dir) == "boot" && Path.GetDirectoryName(dir) is { } root && root != "/")
        {
            var link = Path.Combine(root, "lib", "modules", release, "build");
            var target = new FileInfo(link).LinkTarget;
            // The link's absolute target is read under ROOT, never on this machine: the same
            // release installed system-wide is another tree.
            var rooted = target is not null && Path.IsPathRooted(target);
            foreach (var candidate in new[] { rooted ? root + target : link, Path.Combine(root, "usr", "src", "linux-headers-" + release) })
                if (candidate is not null && File.Exists(Path.Combine(candidate, "Makefile"))) return candidate;
        }
        for (var (d, k) = (dir, 0); d is not null && k < 4; d = Path.GetDirectoryName(d), k++)
            if (File.Exists(Path.Combine(d, "Makefile")) && File.Exists(Path.Combine(d, "Module.symvers"))) return d;
        return null;
    }

    // Numeric runs compare as numbers: 6.1.0-57 sorts after 6.1.0-9, 6.12 after 6.1.
    private static int CompareVersions(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                var si = i;
                var sj = j;
                while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
                var c = ulong.Parse(a.AsSpan(si, Math.Min(i - si, 18))).CompareTo(ulong.Parse(b.AsSpan(sj, Math.Min(j - sj, 18))));
                if (c != 0) return c;
            }
            else
            {
                if (a[i] != b[j]) return a[i].CompareTo(b[j]);
                i++;
                j++;
            }
        }
        return (a.Length - i).CompareTo(b.Length - j);
    }

    private static string? OnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var full = Path.Combine(dir, program);
            if (File.Exists(full)) return full;
        }
        return null;
    }

    // An ELF file without a PT_INTERP program header runs without a dynamic loader.
    private static bool IsStaticElf(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < 64 || bytes[0] != 0x7F || bytes[1] != (byte)'E' || bytes[4] != 2) return false;
            var phoff = (long)BitConverter.ToUInt64(bytes, 0x20);
            var phentsize = BitConverter.ToUInt16(bytes, 0x36);
            var phnum = BitConverter.ToUInt16(bytes, 0x38);
            for (var k = 0; k < phnum; k++)
            {
                var at = phoff + (long)k * phentsize;
                if (at + 4 > bytes.Length) return false;
                if (BitConverter.ToUInt32(bytes, (int)at) == 3) return false;
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

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
