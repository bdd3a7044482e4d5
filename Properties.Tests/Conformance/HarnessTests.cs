using System.Text;
using Klp.Check.Commands;
using Klp.Check.Conformance;

namespace Klp.Check.Tests.Conformance;

/// <summary>Finding a kernel, its release and its kbuild tree, on made-up trees in a temporary folder.</summary>
public sealed class HarnessTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("klp-harness-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string relative, string text = "")
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    // An x86 boot sector with a setup header of protocol 2.15 whose kernel_version string names the release.
    internal static byte[] BzImage(string version)
    {
        var image = new byte[0x1000];
        Encoding.ASCII.GetBytes("HdrS").CopyTo(image, 0x202);
        BitConverter.GetBytes((ushort)0x20F).CopyTo(image, 0x206);
        BitConverter.GetBytes((ushort)0x300).CopyTo(image, 0x20E);
        Encoding.ASCII.GetBytes(version + "\0").CopyTo(image, 0x500);
        return image;
    }

    [Fact]
    public void ReleaseOf_BzImageWithAnotherFileName_IsTheReleaseInItsBootHeader()
    {
        var image = Path.Combine(root, "bzImage");
        File.WriteAllBytes(image, BzImage("6.12.95+deb12-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.12.95-1~bpo12+1"));

        Assert.Equal("6.12.95+deb12-amd64", Harness.ReleaseOf(image));
    }

    [Fact]
    public void ReleaseOf_FileWithoutABootHeader_IsTheReleaseInItsName()
    {
        var image = Write("boot/vmlinuz-6.1.0-57-amd64", "not a kernel");

        Assert.Null(Harness.ImageRelease(image));
        Assert.Equal("6.1.0-57-amd64", Harness.ReleaseOf(image));
    }

    [Fact]
    public void Installed_KernelsWithAndWithoutHeaders_TheOnesWithHeadersNewestFirst()
    {
        foreach (var release in new[] { "6.1.0-57-amd64", "6.12.95+deb12-amd64", "6.1.0-9-amd64" })
            Write($"boot/vmlinuz-{release}", "image");
        Write("modules/6.1.0-57-amd64/build/Makefile");
        Write("modules/6.12.95+deb12-amd64/build/Makefile");
        Write("modules/6.1.0-9-amd64/modules.dep");

        var installed = Harness.Installed(Path.Combine(root, "boot"), Path.Combine(root, "modules"));

        Assert.Equal(["6.12.95+deb12-amd64", "6.1.0-57-amd64"], installed.Select(k => k.Release));
        Assert.Equal(Path.Combine(root, "modules", "6.12.95+deb12-amd64", "build"), installed[0].BuildDir);
    }

    // dpkg -x of linux-image-R and linux-headers-R into ROOT: the build link points at /usr/src/...
    [Fact]
    public void HeadersNextTo_PackagesUnpackedIntoAFolder_IsTheHeadersTreeUnderThatFolder()
    {
        const string release = "6.12.95+deb12-amd64";
        var image = Write($"boot/vmlinuz-{release}", "image");
        var headers = Path.GetDirectoryName(Write($"usr/src/linux-headers-{release}/Makefile", $"include /usr/src/linux-headers-6.12.95+deb12-common/Makefile\n"))!;
        Directory.CreateDirectory(Path.Combine(root, "lib", "modules", release));
        File.CreateSymbolicLink(Path.Combine(root, "lib", "modules", release, "build"), $"/usr/src/linux-headers-{release}");

        Assert.Equal(headers, Harness.HeadersNextTo(image, release));
    }

    // Regression: with the same release installed on the machine, the unpacked package's build
    // link (an absolute path) was followed to the machine's tree instead of the one under ROOT.
    [Fact]
    public void HeadersNextTo_BuildLinkTargetExistsOutsideTheFolder_IsTheTreeUnderTheFolder()
    {
        const string release = "6.12.95+deb12-amd64";
        var image = Write($"boot/vmlinuz-{release}", "image");
        var headers = Path.GetDirectoryName(Write($"usr/src/linux-headers-{release}/Makefile"))!;
        var elsewhere = Directory.CreateTempSubdirectory("klp-harness-installed-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(elsewhere, "Makefile"), "");
            Directory.CreateDirectory(Path.Combine(root, "lib", "modules", release));
            File.CreateSymbolicLink(Path.Combine(root, "lib", "modules", release, "build"), elsewhere);

            Assert.Equal(headers, Harness.HeadersNextTo(image, release));
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public void HeadersNextTo_KernelBuiltInItsSourceTree_IsTheTree()
    {
        Write("linux/Makefile");
        Write("linux/Module.symvers");
        var image = Write("linux/arch/x86/boot/bzImage", "image");

        Assert.Equal(Path.Combine(root, "linux"), Harness.HeadersNextTo(image, "6.1.192"));
    }

    [Fact]
    public void MakefileUnder_DebianHeadersUnpacked_IncludesTheCommonMakefileUnderTheFolder()
    {
        var common = Write("usr/src/linux-headers-6.12.95+deb12-common/Makefile", "# the kernel's Makefile\n");
        Write("usr/src/linux-headers-6.12.95+deb12-amd64/Makefile", "include /usr/src/linux-headers-6.12.95+deb12-common/Makefile\noverride ARCH = x86\n");

        var wrapper = Harness.MakefileUnder(Path.Combine(root, "usr/src/linux-headers-6.12.95+deb12-amd64"));

        Assert.Equal($"include {common}\noverride ARCH = x86\n", wrapper);
    }

    // Regression: an include that also exists on this machine (the same headers package
    // installed) was left pointing at the machine's file instead of the unpacked one.
    [Fact]
    public void MakefileUnder_IncludeThatExistsHereAndUnderTheFolder_ReadsTheOneUnderTheFolder()
    {
        var here = Path.GetFullPath(typeof(HarnessTests).Assembly.Location);
        var unpacked = Write(here.TrimStart('/'), "# the unpacked copy\n");
        Write("tree/Makefile", $"include {here}\n");

        Assert.Equal($"include {unpacked}\n", Harness.MakefileUnder(Path.Combine(root, "tree")));
    }

    [Fact]
    public void MakefileUnder_IncludeThatExists_NoWrapper()
    {
        Write("tree/Makefile", "include /dev/null\n");

        Assert.Null(Harness.MakefileUnder(Path.Combine(root, "tree")));
    }

    [Fact]
    public void Find_HeadersConfiguredForAnotherRelease_SaysSo()
    {
        var image = Path.Combine(root, "bzImage");
        File.WriteAllBytes(image, BzImage("6.1.192 (me@here) #1"));
        Write("tree/Makefile");
        Write("tree/include/generated/utsrelease.h", "#define UTS_RELEASE \"6.1.191\"\n");

        Assert.Null(Harness.Find(image, Path.Combine(root, "tree"), out var missing));
        Assert.Contains($"the kbuild tree at {Path.Combine(root, "tree")} is for 6.1.191, the image {image} is 6.1.192", missing);
    }

    [Fact]
    public void Choice_TwoInstalledKernels_NamesTheNewestUsedAndTheOther()
    {
        foreach (var release in new[] { "6.1.0-57-amd64", "6.12.95+deb12-amd64" })
        {
            Write($"boot/vmlinuz-{release}", "image");
            Write($"modules/{release}/build/Makefile");
        }
        var installed = Harness.Installed(Path.Combine(root, "boot"), Path.Combine(root, "modules"));

        Assert.Equal("the newest of 2 installed kernels with headers (also 6.1.0-57-amd64; --kernel all runs each)", ConformKernels.Choice(installed));
        Assert.Null(ConformKernels.Choice([.. installed.Take(1)]));
    }
}
