using System.Text;
using Klp.Check.Conformance;
using Klp.Check.Inputs;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Inputs;

/// <summary>Every input file is read by one reader: bounded, regular files only, one text rule.</summary>
public class InputFileTests
{
    private static string Folder() => Directory.CreateTempSubdirectory("klp").FullName;

    private static string Message(Action read) => Assert.Single(Assert.Throws<InputException>(read).Diagnostics).ToString();

    [Fact]
    public void Read_DevZero_IsRefusedBeforeAByteIsRead()
    {
        // Regression: --reading /dev/zero, replay /dev/zero and --plan /dev/zero read without end.
        Assert.Equal("/dev/zero:1:1: is not a regular file (a device, FIFO or socket); only regular files are read", Message(() => InputFile.Read("/dev/zero")));
    }

    [Fact]
    public void Read_Directory_SaysIsADirectory()
    {
        var dir = Folder();

        Assert.Equal($"{dir}:1:1: is a directory", Message(() => InputFile.Read(dir)));
    }

    [SkippableFact]
    public void Read_Fifo_IsRefusedWithoutOpeningIt()
    {
        var mkfifo = ExternalTools.Find("mkfifo");
        Skip.If(mkfifo is null, "mkfifo is not on PATH");
        var fifo = Path.Combine(Folder(), "s.klp");
        Assert.Equal(0, ExternalTools.Run(mkfifo, [fifo]).Code);
        // A writer that hands over a whole scenario: a reader that opened the FIFO would read it and parse it.
        var writer = Task.Run(() => File.WriteAllText(fifo, "patch a\nload a\n"));

        var message = Message(() => InputFile.Read(fifo));

        Assert.Equal($"{fifo}:1:1: is not a regular file (a device, FIFO or socket); only regular files are read", message);
        Assert.False(writer.IsCompleted);
        // Open it once ourselves, so that the writer finishes.
        using (var reader = new StreamReader(fifo)) reader.ReadToEnd();
        writer.Wait();
    }

    [Fact]
    public void Read_LargerThanTheMaximum_IsRefusedBeforeReading()
    {
        var file = Path.Combine(Folder(), "big.klp");
        using (var stream = File.Create(file)) stream.SetLength(InputFile.MaxBytes + 1L);

        Assert.Equal($"{file}:1:1: is larger than {InputFile.MaxBytes:N0} bytes, the most an input file may hold", Message(() => InputFile.Read(file)));
    }

    [Fact]
    public void Read_ExactlyTheMaximum_IsRead()
    {
        var file = Path.Combine(Folder(), "full.klp");
        File.WriteAllBytes(file, Enumerable.Repeat((byte)'#', InputFile.MaxBytes).ToArray());

        Assert.Equal(InputFile.MaxBytes, InputFile.Read(file).Length);
    }

    [Fact]
    public void Read_MissingFile_IsOneLineAtItsStart()
    {
        var file = Path.Combine(Folder(), "none.klp");

        Assert.StartsWith($"{file}:1:1: cannot read file:", Message(() => InputFile.Read(file)));
    }

    // Every command that reads a file, with {f} for the file and the kind of file it reads.
    public static TheoryData<string, string> Readers => new()
    {
        { "replay {f}", "scenario" },
        { "check --reading upstream --catalog {f}", "scenario" },
        { "export --promela --reading upstream --catalog {f}", "scenario" },
        { "conform --catalog {f}", "scenario" },
        { "check --reading upstream --plan {f}", "plan" },
        { "readings {f}", "proposal" },
        { "check --reading {f} --bounds releases=1 -i one-per-set", "proposal" },
        { "compare --bounds releases=1 -i one-per-set --no-scenarios --expect {f}", "baseline" },
    };

    // The readers above but conform, which would boot a kernel on a file it accepts.
    public static TheoryData<string, string> QuickReaders()
    {
        var rows = new TheoryData<string, string>();
        foreach (var row in Readers)
            if (!((string)row[0]).StartsWith("conform", StringComparison.Ordinal)) rows.Add((string)row[0], (string)row[1]);
        return rows;
    }

    private static string Valid(string kind) => kind switch
    {
        "scenario" => "title t\npatch a\n",
        "plan" => "cumulative\n",
        "proposal" => "name: mine\n",
        _ => "upstream one-per-set n/a\n",
    };

    private static string Write(string kind, byte[] bytes)
    {
        var file = Path.Combine(Folder(), kind switch { "proposal" => "mine.proposal", "plan" => "p.plan", "baseline" => "b.verdicts", _ => "s.klp" });
        File.WriteAllBytes(file, bytes);
        return file;
    }

    private static string[] Command(string template, string file) => [.. template.Split(' ').Select(a => a.Replace("{f}", file))];

    [Theory]
    [MemberData(nameof(Readers))]
    public void EveryReader_DevZero_IsOneLineAndExitTwo(string template, string kind)
    {
        _ = kind;
        var (code, output, err) = Run(Command(template, "/dev/zero"));

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal("/dev/zero:1:1: is not a regular file (a device, FIFO or socket); only regular files are read", err.TrimEnd());
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void EveryReader_EscapeSequence_IsRefusedAtItsLineAndColumn(string template, string kind)
    {
        // Regression: a scenario title or note with ESC/BEL reached the terminal; scenarios took what proposals refused.
        var file = Write(kind, Encoding.UTF8.GetBytes("# comment\n# a \u001b]0;pwn\u0007\n" + Valid(kind)));

        var (code, _, err) = Run(Command(template, file));

        Assert.Equal(2, code);
        Assert.StartsWith($"{file}:2:5: not a text file: control character U+001B", err);
        Assert.DoesNotContain('\u001b', err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void EveryReader_Utf16WithByteOrderMark_IsRefused(string template, string kind)
    {
        // Regression: UTF-16 and UTF-32 proposal files with a byte order mark were read.
        var file = Write(kind, [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Valid(kind))]);

        var (code, _, err) = Run(Command(template, file));

        Assert.Equal(2, code);
        Assert.StartsWith($"{file}:1:1: not a text file: a UTF-16 byte order mark; only UTF-8 is read", err);
    }

    [Theory]
    [MemberData(nameof(QuickReaders))]
    public void EveryReader_Utf8WithByteOrderMarkAndReplacementCharacter_IsRead(string template, string kind)
    {
        var file = Write(kind, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("# \uFFFD\n" + Valid(kind))]);

        var (code, _, err) = Run(Command(template, file));

        Assert.DoesNotContain("not a text file", err);
        Assert.NotEqual(2, code);
    }
}
