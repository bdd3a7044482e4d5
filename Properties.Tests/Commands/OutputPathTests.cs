using Klp.Check.Conformance;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Commands;

/// <summary>Every path a command writes to is checked before the work starts, and nothing is created before every argument is.</summary>
public class OutputPathTests
{
    private static string Folder() => Directory.CreateTempSubdirectory("klp").FullName;

    private static void OneLineBeforeAnyWork(int code, string output, string err, string message)
    {
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(message, err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void DesignWrite_UnderProc_ExitsTwoBeforeExploring()
    {
        // Regression: design explored every combination first, then died with a stack trace.
        var (code, output, err) = Run("design", "--require", "one-per-set", "--bounds", "releases=2", "--write", "/proc/klp-check-design");

        OneLineBeforeAnyWork(code, output, err, "klp-check: --write: cannot create directory '/proc/klp-check-design'");
    }

    [Fact]
    public void DesignWrite_AFileItWouldWriteIsADirectory_ExitsTwoBeforeExploring()
    {
        // Regression: with D/design-1.proposal a directory, the exploration ran, then a stack trace.
        var dir = Folder();
        Directory.CreateDirectory(Path.Combine(dir, "design-1.proposal"));

        var (code, output, err) = Run("design", "--require", "one-per-set", "--bounds", "releases=2", "--write", dir);

        OneLineBeforeAnyWork(code, output, err, $"klp-check: --write: '{Path.Combine(dir, "design-1.proposal")}' is a directory");
    }

    [Fact]
    public void DesignWrite_NewNestedFolder_WritesEveryFileAndNoTemporaryOne()
    {
        var dir = Path.Combine(Folder(), "a", "b");

        var (code, _, err) = Run("design", "--require", "one-per-set", "--bounds", "releases=2", "--write", dir);

        Assert.True(code is 0 or 1, err);
        var files = Directory.GetFiles(dir);
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.Matches(@"/design-\d+\.proposal$", f));
    }

    [Fact]
    public void CheckTraces_NestedFolderThenBadBounds_CreatesNothing()
    {
        // Regression: --traces a/b/c created the folders, then --bounds was refused.
        var root = Folder();
        var traces = Path.Combine(root, "a", "b", "c");

        var (code, output, err) = Run("check", "--reading", "upstream", "--traces", traces, "--bounds", "releases=x");

        OneLineBeforeAnyWork(code, output, err, "klp-check: --bounds: bad plan bound 'releases=x'");
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    [Fact]
    public void CheckTraces_ATraceFileIsADirectory_ExitsTwoBeforeExploring()
    {
        var dir = Folder();
        Directory.CreateDirectory(Path.Combine(dir, "upstream--no-shared-function.klp"));

        var (code, output, err) = Run("check", "--reading", "upstream", "--bounds", "releases=2", "--traces", dir);

        OneLineBeforeAnyWork(code, output, err, $"klp-check: --traces: '{Path.Combine(dir, "upstream--no-shared-function.klp")}' is a directory");
    }

    [Theory]
    [InlineData("--out", "/proc/klp-check-conform", "klp-check: --out: cannot create directory '/proc/klp-check-conform'")]
    [InlineData("--console", "/proc/klp-check-conform", "klp-check: --console: cannot create directory '/proc/klp-check-conform'")]
    [InlineData("--out", "{file}", "klp-check: --out: '{file}' is not a directory")]
    public void Conform_BadFolder_ExitsTwoBeforeReadingTheScenarios(string option, string path, string message)
    {
        var file = Path.Combine(Folder(), "f");
        File.WriteAllText(file, "");

        var (code, output, err) = Run("conform", "--catalog", RepositoryFiles.Full("scenarios/conform/mixed.klp"), option, path.Replace("{file}", file));

        OneLineBeforeAnyWork(code, output, err, message.Replace("{file}", file));
    }
}
