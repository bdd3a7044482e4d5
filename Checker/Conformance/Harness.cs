using System.Diagnostics;
using System.Text;
using Klp.Check.Comparison;
using Klp.Check.Inputs;

namespace Klp.Check.Conformance;

/// <summary>What the harness runs on: a kernel image, its kbuild tree, QEMU and a static busybox.</summary>
/// <param name="KernelImage">The bootable image, <c>/boot/vmlinuz-RELEASE</c>.</param>
/// <param name="Release">The kernel release (<c>uname -r</c> of the guest), from the image's file name.</param>
/// <param name="BuildDir">The kbuild tree for out-of-tree modules, <c>/lib/modules/RELEASE/build</c>.</param>
/// <param name="Qemu">The <c>qemu-system-x86_64</c> executable.</param>
/// <param name="Busybox">The statically linked busybox copied into the guest.</param>
public sealed partial record Harness(string KernelImage, string Release, string BuildDir, string Qemu, string Busybox)
{
    /// <summary>The one command that installs everything the harness needs on Debian, without building an initramfs for the host.</summary>
    public const string InstallCommand =
        "sudo apt-get update && sudo INITRD=No DEBIAN_FRONTEND=noninteractive apt-get install -y linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static cpio make";

    /// <summary>Finds the harness: the given kernel image, else the newest <c>/boot/vmlinuz-*</c> whose headers are installed; null with what is missing.</summary>
    public static Harness? Find(string? kernelImage, out IReadOnlyList<string> missing)
    {
        var problems = new List<string>();
        string? image = kernelImage;
        if (image is null)
        {
            var candidates = Directory.Exists("/boot") ? Directory.GetFiles("/boot", "vmlinuz-*") : [];
            image = candidates
                .Where(c => Directory.Exists(BuildDirOf(ReleaseOf(c))))
                .OrderBy(c => ReleaseOf(c), Comparer<string>.Create(CompareVersions))
                .LastOrDefault() ?? candidates.OrderBy(c => c, StringComparer.Ordinal).LastOrDefault();
        }
        string release = "", build = "";
        if (image is null) problems.Add("no kernel image in /boot (package linux-image-amd64)");
        else if (!File.Exists(image)) problems.Add($"no kernel image at {image} (package linux-image-amd64)");
        else
        {
            release = ReleaseOf(image);
            build = BuildDirOf(release);
            if (!File.Exists(Path.Combine(build, "Makefile"))) problems.Add($"no kbuild tree at {build} (package linux-headers-amd64)");
        }
        var qemu = OnPath("qemu-system-x86_64");
        if (qemu is null) problems.Add("no qemu-system-x86_64 on PATH (package qemu-system-x86)");
        if (OnPath("make") is null) problems.Add("no make on PATH (package make)");
        var busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(IsStaticElf);
        if (busybox is null) problems.Add("no statically linked /bin/busybox (package busybox-static)");
        missing = problems;
        return problems.Count == 0 ? new Harness(image!, release, build, qemu!, busybox!) : null;
    }

    /// <summary>The release in a kernel image's file name: <c>vmlinuz-6.1.0-57-amd64</c> gives <c>6.1.0-57-amd64</c>.</summary>
    public static string ReleaseOf(string image)
    {
        var name = Path.GetFileName(image);
        var dash = name.IndexOf('-');
        return dash < 0 ? name : name[(dash + 1)..];
    }

    private static string BuildDirOf(string release) => Path.Combine("/lib/modules", release, "build");

    // Numeric runs compare as numbers: 6.1.0-57 sorts after 6.1.0-9.
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
    /// modpost did not see is refused at load with "no symbol version").
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
                var (code, output) = RunProcess("make", ["-C", BuildDir, "M=" + dir, "-j" + Math.Max(1, jobs), "modules"], TimeSpan.FromMinutes(20));
                if (code != 0) return output;
                foreach (var (module, m) in batch)
                {
                    var built = Path.Combine(dir, module + ".ko");
                    if (!File.Exists(built)) return output + $"\nmake did not produce {module}.ko";
                    var temp = m.Path + ".tmp" + Environment.ProcessId;
                    File.Copy(built, temp, overwrite: true);
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

    /// <summary>Boots the kernel with an initramfs and returns what the serial console printed (without CR and terminal escapes), up to the end of the boot or the timeout.</summary>
    public string Boot(string initramfs, TimeSpan timeout)
    {
        string[] args =
        [
            "-m", "512", "-smp", "1", "-nographic", "-no-reboot", "-nic", "none",
            "-kernel", KernelImage, "-initrd", initramfs,
            // no_timer_check: on a busy host the emulated CPU can fail the IO-APIC timer check
            // ("Kernel panic - not syncing: IO-APIC + timer doesn't work!").
            "-append", "console=ttyS0 quiet panic=-1 loglevel=3 no_timer_check",
        ];
        return Escapes().Replace(RunProcess(Qemu, args, timeout).Output, "");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\r|\u001b(\[[0-9;?]*[A-Za-z]|.)")]
    private static partial System.Text.RegularExpressions.Regex Escapes();

    // Runs a program; returns its exit code (int.MinValue when killed on timeout) and its stdout and stderr.
    private static (int Code, string Output) RunProcess(string program, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
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
