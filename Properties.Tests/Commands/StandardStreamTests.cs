using System.Text;
using Klp.Check.Commands;
using Klp.Check.Conformance;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Commands;

/// <summary>What the tool writes to standard output and standard error: never a control sequence from a file, and a failed write is one line and exit 74.</summary>
public class StandardStreamTests
{
    // A stream whose every write fails as a full disk does.
    private sealed class FullDisk : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => throw new IOException("No space left on device");

        public override void Write(string? value) => throw new IOException("No space left on device");
    }

    [Theory]
    [InlineData("readings")]
    [InlineData("compare", "--bounds", "releases=1", "-i", "one-per-set", "--no-scenarios")]
    [InlineData("check", "--reading", "flat", "--bounds", "releases=2", "--format", "json")]
    public void StandardOutputFails_OneLineOnStandardErrorAndExit74(params string[] args)
    {
        // Regression: compare > /dev/full printed a stack trace.
        var stderr = new StringWriter();

        var code = Cli.Run(args, new FullDisk(), stderr);

        Assert.Equal(ExitCodes.IoError, code);
        Assert.Equal("klp-check: cannot write to standard output: No space left on device", stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Last());
        Assert.DoesNotContain("   at ", stderr.ToString());
    }

    [Fact]
    public void StandardErrorFails_Exit74WithoutAnException()
    {
        var stdout = new StringWriter();

        var code = Cli.Run(["replay", "/dev/zero"], stdout, new FullDisk());

        Assert.Equal(ExitCodes.IoError, code);
        Assert.Equal("", stdout.ToString());
    }

    [Fact]
    public void BothStreamsFail_Exit74WithoutAnException()
    {
        Assert.Equal(ExitCodes.IoError, Cli.Run(["readings"], new FullDisk(), new FullDisk()));
    }

    // The built tool, run by a shell that redirects its streams as a user would.
    [SkippableTheory]
    [InlineData("> /dev/full", "klp-check: cannot write to standard output: No space left on device")]
    [InlineData(">&-", "klp-check: cannot write to standard output: Bad file descriptor")]
    [InlineData("2>/dev/full >/dev/null", "")]
    [InlineData("2>&- >/dev/null", "")]
    public void BuiltTool_StreamRedirectedToAFailure_ExitsSeventyFour(string redirection, string message)
    {
        // Regression: readings >&- and 2>/dev/full aborted (exit 134) or printed a stack trace.
        var dotnet = ExternalTools.Find("dotnet");
        var sh = ExternalTools.Find("sh");
        Skip.If(dotnet is null || sh is null, "dotnet or sh is not on PATH");
        var tool = Path.Combine(AppContext.BaseDirectory, "klp-check.dll");
        var errors = Path.Combine(Directory.CreateTempSubdirectory("klp").FullName, "err");
        // Standard error is tested with a command that writes to it; standard output's failure is written to a file.
        var script = redirection.StartsWith('2')
            ? $"exec \"$0\" \"$1\" readings bogus {redirection}"
            : $"exec \"$0\" \"$1\" readings {redirection} 2>'{errors}'";

        var (code, _, _) = ExternalTools.Run(sh, ["-c", script, dotnet, tool]);

        Assert.Equal(ExitCodes.IoError, code);
        Assert.Equal(message, File.Exists(errors) ? File.ReadAllText(errors).TrimEnd() : "");
    }

    [Fact]
    public void Replay_FileNameWithAnEscapeSequence_IsPrintedEscaped()
    {
        // Regression: what a file name holds reached the terminal raw.
        var file = TempFiles.InFolderNamed("a\u001b]0;pwn\u0007\u001b[2J", "s.klp", "patch a\nload a\n");

        foreach (var format in new[] { "text", "markdown", "dot", "html" })
        {
            var (code, output, _) = Run("replay", "--reading", "flat", "--format", format, file);

            Assert.Equal(0, code);
            Assert.DoesNotContain('\u001b', output);
            Assert.DoesNotContain('\u0007', output);
            Assert.Contains(format == "dot" ? "\\\\x1b]0;pwn\\\\x07" : "\\x1b]0;pwn\\x07", output);
        }
    }

    [Fact]
    public void StandardStream_Colour_LetsOnlyColourCodesThrough()
    {
        var inner = new StringWriter();
        var stream = new StandardStream(inner, "standard output", escape: true, colour: true);

        stream.Write(new Terminal(true).Bold("title") + " \u001b]0;pwn\u0007\u001b[2J\n\tdone\r");

        Assert.Equal("\u001b[1mtitle\u001b[0m \\x1b]0;pwn\\x07\\x1b[2J\n\tdone\\x0d", inner.ToString());
    }

    [Fact]
    public void StandardStream_NoColour_EscapesColourCodesToo()
    {
        var inner = new StringWriter();
        var stream = new StandardStream(inner, "standard output", escape: true);

        stream.Write("\u001b[31mred\u001b[0m");
        stream.Write('\u0007');

        Assert.Equal("\\x1b[31mred\\x1b[0m\\x07", inner.ToString());
    }
}
