using System.Text;

namespace Klp.Check.Conformance;

// Finding a kernel the harness can run: the installed kernels, a kernel image's release, the
// kbuild tree beside it, and the programs the harness needs on this machine.
public sealed partial record Harness
{
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
}
