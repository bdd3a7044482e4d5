using System.IO.Compression;
using System.Text;
using Klp.Check.Conformance;
using Klp.Check.Model;

namespace Klp.Check.Tests.Conformance;

public class GuestScriptTests
{
    private static readonly Realisation realisation =
        Realisation.TryCreate(RealisationTests.Catalog("patch a replace=false funcs={f}\npatch b replace funcs={g}\n"), out _)!;

    private static string File(Realisation r, int p) => $"key{p}.ko";

    [Fact]
    public void Init_TwoTraces_RunsEveryOperationObservesAfterEachAndResetsAfterEachTrace()
    {
        ConformTrace[] traces =
        [
            new(1, "x.klp", "x.klp", realisation, [Operation.Load(0), Operation.Disable(0), Operation.Unload(0)], [3, 4, 5]),
            new(2, "x.klp", "x.klp #2", realisation, [Operation.Load(1), Operation.Force(1)], [0, 0]),
        ];

        var init = GuestScript.Init(traces, File);
        var body = init[init.IndexOf("echo \"@@trace 1\"", StringComparison.Ordinal)..].Split('\n');

        Assert.StartsWith("#!/bin/busybox sh\n", init);
        Assert.Equal(
        [
            "echo \"@@trace 1\"",
            "echo \"@@step 1\"", "run insmod /m/key0.ko", "obs /proc/cmdline /proc/version",
            "echo \"@@step 2\"", "run wr 0 $L/a/enabled", "obs /proc/cmdline /proc/version",
            "echo \"@@step 3\"", "run rmmod a", "obs /proc/cmdline /proc/version",
            "echo \"@@end 1\"", "reset",
            "echo \"@@trace 2\"",
            "echo \"@@step 1\"", "run insmod /m/key1.ko", "obs /proc/cmdline /proc/version",
            "echo \"@@step 2\"", "run wr 1 $L/b/force", "obs /proc/cmdline /proc/version",
            "echo \"@@end 2\"", "reset",
            "echo \"@@bye\"", "poweroff -f", "",
        ], body);
    }

    [Theory]
    [InlineData(OpKind.Complete)]
    [InlineData(OpKind.Reverse)]
    public void Lines_SettledOperationWithoutKernelAction_IsRejected(OpKind kind)
    {
        Assert.Throws<ArgumentException>(() => GuestScript.Lines(realisation, new Operation(kind, Operation.NoPatch), new Phase(PhaseKind.Settled, -1, false), File));
    }

    [Fact]
    public void Init_TwoPhaseTrace_LoadsTheBusyModuleHoldsReleasesAndProbesTheThreads()
    {
        var busy = realisation.WithBusy(out _)!;
        ConformTrace[] traces =
        [
            new(1, "x.klp", "x.klp", busy, [Operation.Load(0), Operation.Load(1), Operation.Complete()], [3, 4, 5],
                [new Phase(PhaseKind.Open, 0, true), new Phase(PhaseKind.Inside, 0, true), new Phase(PhaseKind.Release, 0, true)]),
        ];

        var init = GuestScript.Init(traces, File, "busykey.ko");
        var body = init[init.IndexOf("echo \"@@trace 1\"", StringComparison.Ordinal)..].Split('\n');

        Assert.Equal(
        [
            "echo \"@@trace 1\"", "insmod /m/busykey.ko && dmesg -c >/dev/null",
            "echo \"@@step 1\"", "hold a 1", "go insmod /m/key0.ko", "hold b 1", "probe", "obs /proc/cmdline /proc/version",
            "echo \"@@step 2\"", "go insmod /m/key1.ko", "probe", "obs /proc/cmdline /proc/version",
            "echo \"@@step 3\"", "go release", "obs /proc/cmdline /proc/version",
            "echo \"@@end 1\"", "reset",
        ], body.Take(17));
        Assert.Contains("reset() {\n  [ -d $B ] && release\n", init);
    }

    [Theory]
    [InlineData(OpKind.Reverse, true, "go wr 0 $L/b/enabled|probe")]
    [InlineData(OpKind.Reverse, false, "go wr 1 $L/b/enabled|probe")]
    [InlineData(OpKind.Disable, true, "go wr 0 $L/b/enabled|probe")]
    [InlineData(OpKind.Force, true, "run wr 1 $L/b/force|release")]
    public void Lines_InsideAHeldTransitionOfB_WriteTheTransitionPatchsAttributes(OpKind kind, bool targetPatched, string expected)
    {
        var op = kind == OpKind.Disable ? Operation.Disable(1) : new Operation(kind, Operation.NoPatch);
        var phase = new Phase(kind == OpKind.Force ? PhaseKind.Close : PhaseKind.Inside, 1, targetPatched);

        Assert.Equal(expected.Split('|'), GuestScript.Lines(realisation, op, phase, File));
    }

    [Fact]
    public void WriteInitramfs_Newc_HoldsBusyboxInitConsoleAndModulesThenTheTrailer()
    {
        var dir = Directory.CreateTempSubdirectory("klp-test-").FullName;
        try
        {
            var busybox = Path.Combine(dir, "busybox");
            System.IO.File.WriteAllBytes(busybox, [1, 2, 3]);
            var module = Path.Combine(dir, "m.ko");
            System.IO.File.WriteAllBytes(module, [9, 9, 9, 9, 9]);
            var path = Path.Combine(dir, "initramfs.gz");

            GuestScript.WriteInitramfs(path, busybox, "#!/bin/busybox sh\n", [("k.ko", module)]);

            using var gz = new GZipStream(System.IO.File.OpenRead(path), CompressionMode.Decompress);
            using var mem = new MemoryStream();
            gz.CopyTo(mem);
            var entries = ReadNewc(mem.ToArray());
            Assert.Equal(["bin", "dev", "m", "proc", "sys", "tmp", "dev/console", "bin/busybox", "init", "m/k.ko", "TRAILER!!!"], entries.Select(e => e.Name));
            var console = entries.Single(e => e.Name == "dev/console");
            Assert.Equal((0x2180, 5, 1), (console.Mode, console.Major, console.Minor));
            Assert.Equal("#!/bin/busybox sh\n", Encoding.UTF8.GetString(entries.Single(e => e.Name == "init").Data));
            Assert.Equal(0x81ED, entries.Single(e => e.Name == "init").Mode);
            Assert.Equal([9, 9, 9, 9, 9], entries.Single(e => e.Name == "m/k.ko").Data);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static List<(string Name, int Mode, int Major, int Minor, byte[] Data)> ReadNewc(byte[] bytes)
    {
        var list = new List<(string, int, int, int, byte[])>();
        var at = 0;
        int Field(int i) => Convert.ToInt32(Encoding.ASCII.GetString(bytes, at + 6 + 8 * i, 8), 16);
        while (at < bytes.Length)
        {
            Assert.Equal("070701", Encoding.ASCII.GetString(bytes, at, 6));
            var mode = Field(1);
            var size = Field(6);
            var major = Field(9);
            var minor = Field(10);
            var nameSize = Field(11);
            var name = Encoding.UTF8.GetString(bytes, at + 110, nameSize - 1);
            var data = (at + 110 + nameSize + 3) & ~3;
            list.Add((name, mode, major, minor, bytes[data..(data + size)]));
            at = (data + size + 3) & ~3;
            if (name == "TRAILER!!!") break;
        }
        return list;
    }
}
