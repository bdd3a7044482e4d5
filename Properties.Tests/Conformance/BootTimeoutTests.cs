using System.Text;
using Klp.Check.Commands;
using Klp.Check.Conformance;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Conformance;

/// <summary>A fact that boots QEMU (no kernel needed); skipped with the reason when QEMU or a static busybox is missing.</summary>
public sealed class QemuFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when QEMU, make or a static busybox is missing.</summary>
    public QemuFactAttribute()
    {
        var image = Path.Combine(Path.GetTempPath(), "klp-qemu-probe-vmlinuz");
        File.WriteAllBytes(image, BootTimeoutTests.HangingImage());
        Harness.Find(image, Path.GetTempPath(), out var missing);
        var tools = missing.Where(m => !m.Contains("kbuild tree", StringComparison.Ordinal)).ToList();
        if (tools.Count > 0) Skip = $"QEMU or busybox is missing ({string.Join("; ", tools)}); install them with: {Harness.InstallCommand}";
    }
}

/// <summary>A guest that does not reach the harness: one line, exit 4, and the console log, with images that boot in a second and cannot run Linux.</summary>
public sealed class BootTimeoutTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("klp-boot-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    public const string HangingText = "klp-check test image: hanging";

    /// <summary>A Multiboot image (the a.out kludge, loaded at 1 MiB) that writes <see cref="HangingText"/> to the first serial port and halts: QEMU loads it with <c>-kernel</c>, and it never starts an <c>/init</c>.</summary>
    public static byte[] HangingImage()
    {
        const uint load = 0x100000, magic = 0x1BADB002, flags = 0x10000;
        var image = new List<byte>();
        foreach (var word in new[] { magic, flags, unchecked(0u - magic - flags), load, load, 0u, 0u, load + 32 })
            image.AddRange(BitConverter.GetBytes(word));
        // mov esi, text; mov dx, 0x3f8; next: lodsb; test al, al; jz halt; out dx, al; jmp next; halt: hlt; jmp halt
        image.Add(0xBE);
        image.AddRange(BitConverter.GetBytes(load + 52));
        image.AddRange([0x66, 0xBA, 0xF8, 0x03, 0xAC, 0x84, 0xC0, 0x74, 0x03, 0xEE, 0xEB, 0xF8, 0xF4, 0xEB, 0xFD]);
        image.AddRange(Encoding.ASCII.GetBytes(HangingText + "\n\0"));
        return [.. image];
    }

    // A kbuild tree whose "build" copies each source to its .ko: the modules are never loaded.
    private string FakeHeaders()
    {
        var dir = Path.Combine(root, "headers");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Makefile"), "modules:\n\tfor f in $(M)/*.c; do cp \"$$f\" \"$${f%.c}.ko\"; done\n");
        return dir;
    }

    private string Image(string name, byte[] bytes)
    {
        var path = Path.Combine(root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private (int Code, string Output, string Error) Conform(string image, string consoles) =>
        Run("conform", "--kernel", image, "--headers", FakeHeaders(), "--cache", Path.Combine(root, "cache"), "--console", consoles,
            "--boot-timeout", "5", "--jobs", "1", RepositoryFiles.Full("scenarios/kernel/test-livepatch-1.klp"));

    [QemuFact]
    public void Conform_GuestThatNeverReachesTheHarness_OneLineWithTheConsoleAndExitsFour()
    {
        var image = Image("vmlinuz-0.0.0-hang", HangingImage());
        var consoles = Path.Combine(root, "console");

        var (code, output, err) = Conform(image, consoles);

        Assert.Equal(ExitCodes.Unavailable, code);
        Assert.Equal("", output);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var log = Path.Combine(consoles, "boot-1.log");
        Assert.StartsWith($"klp-check: conform: Linux 0.0.0-hang ({image}) did not reach the harness within 5 s; the console showed: ", line);
        Assert.EndsWith($"{HangingText}; log: {log}", line);
        Assert.Contains(HangingText, File.ReadAllText(log));
    }

    [QemuFact]
    public void Conform_ImageQemuCannotLoad_OneLineWithQemusMessageAndExitsFour()
    {
        var image = Image("vmlinuz-0.0.0-zero", new byte[4096]);
        var consoles = Path.Combine(root, "console");

        var (code, _, err) = Conform(image, consoles);

        Assert.Equal(ExitCodes.Unavailable, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^klp-check: conform: Linux 0\.0\.0-zero \(.*\) QEMU exited with status 1 before the guest reached the harness; the console showed: .+; log: .*boot-1\.log$", line);
    }

    // The log is the user's view of a boot that hangs: it must hold what the guest printed
    // while QEMU still runs, not only once the boot ended.
    [QemuFact]
    public void Boot_ConsoleLog_IsWrittenAsTheGuestPrints()
    {
        var image = Image("vmlinuz-0.0.0-hang", HangingImage());
        var harness = Harness.Find(image, FakeHeaders(), out var missing) ?? throw new InvalidOperationException(string.Join("; ", missing));
        var initrd = Image("initrd", [0]);
        var log = Path.Combine(root, "boot.log");
        using var stop = new CancellationTokenSource();

        var boot = Task.Run(() => harness.Boot(initrd, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5), log, stop.Token));
        var seen = false;
        for (var k = 0; k < 600 && !seen; k++)
        {
            Thread.Sleep(100);
            seen = File.Exists(log) && ReadShared(log).Contains(HangingText, StringComparison.Ordinal);
        }
        var runningWhenSeen = !boot.IsCompleted;
        stop.Cancel();
        var run = boot.Result;

        Assert.True(seen, "the console log never showed the guest's text");
        Assert.True(runningWhenSeen);
        Assert.NotNull(run.Failure);
    }

    private static string ReadShared(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(s).ReadToEnd();
    }
}
