using Klp.Check.Commands;
using Klp.Check.Conformance;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Commands;

public class MessageTests
{
    private static string Temp(string text)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("klp").FullName, "t.klp");
        File.WriteAllText(path, text);
        return path;
    }

    private static void FitsEightyColumns(string text) =>
        Assert.All(text.Split('\n'), l => Assert.True(l.TrimEnd('\r').Length <= 80, $"{l.Length} columns: {l}"));

    [Theory]
    [InlineData("--help")]
    [InlineData("check", "--help")]
    [InlineData("compare", "--help")]
    [InlineData("diff", "--help")]
    [InlineData("design", "--help")]
    [InlineData("replay", "--help")]
    public void Help_WrittenToAPipe_FitsEightyColumns(params string[] args)
    {
        var (code, output, _) = Run(args);

        Assert.Equal(0, code);
        Assert.Contains("Usage:", output);
        FitsEightyColumns(output);
    }

    [Theory]
    [InlineData("set", "500", "1", "")]
    [InlineData("flat", "2000", "3", "releases=8")]
    [InlineData("upstream", "500", "1", "")]
    public void CheckRandom_Text_FitsEightyColumns(string reading, string runs, string seed, string bounds)
    {
        string[] args = ["check", "--reading", reading, "--random", runs, "--seed", seed];
        var (_, output, _) = Run(bounds.Length == 0 ? args : [.. args, "--bounds", bounds]);

        Assert.StartsWith($"klp-check check: {reading}, {runs} random runs", output);
        FitsEightyColumns(output);
    }

    [Fact]
    public void CheckRandom_Markdown_IsAHeadingAndAFencedScenario()
    {
        var (code, output, _) = Run("check", "--reading", "upstream", "--random", "500", "--seed", "1", "--format", "markdown");

        Assert.Equal(1, code);
        Assert.StartsWith("### klp-check check: `upstream`", output);
        Assert.Contains("**`no-shared-function` violated**", output);
        Assert.Equal(2, output.Split('\n').Count(l => l == "```"));
        Assert.Contains("Reproduce with `--random 500 --length 30 --seed 1`.", output);
    }

    [Fact]
    public void Message_NulByteInAName_IsRefusedAtItsPosition()
    {
        var file = Temp("patch a\0b\n");

        var (code, _, err) = Run("replay", file);

        Assert.Equal(2, code);
        Assert.StartsWith($"{file}:1:8: not a text file: control character U+0000", err);
        Assert.DoesNotContain("\0", err);
    }

    [Fact]
    public void Message_MegabyteToken_IsCutWithItsLength()
    {
        var file = Temp("patch a\nload " + new string('b', 1_000_000) + "\n");

        var (code, _, err) = Run("replay", file);

        Assert.Equal(2, code);
        Assert.Contains($"unknown patch '{new string('b', MessageWriter.MaxToken)}...' (1000000 characters)", err);
        Assert.True(err.Length < 2 * MessageWriter.MaxLine, $"{err.Length} characters");
    }

    [Fact]
    public void ScenarioSetNumber_AboveU32_SaysTheRealLimit()
    {
        var file = Temp("patch a sets={1099511627776}\n");

        var (_, _, err) = Run("replay", file);

        Assert.Contains("'1099511627776' is not a set number (a whole number from 0 to 4294967295)", err);
    }

    [Fact]
    public void Expectation_UnknownReadingBeforeTheColon_IsNamedAsAReading()
    {
        var file = Temp("patch a\nload a\nexpect flatt: accepted\n");

        var (code, _, err) = Run("replay", file);

        Assert.Equal(2, code);
        Assert.StartsWith($"{file}:3:8: unknown reading 'flatt' (known: upstream,", err);
    }

    [Fact]
    public void Diff_OneUnknownReading_SaysTheReadingIsUnknown()
    {
        var (code, _, err) = Run("diff", "nosuch");

        Assert.Equal(2, code);
        Assert.StartsWith("klp-check: --reading: unknown reading 'nosuch'", err);
    }

    [Fact]
    public void Replay_Directory_SaysIsADirectory()
    {
        var dir = Directory.CreateTempSubdirectory("klp").FullName;

        var (code, _, err) = Run("replay", dir);

        Assert.Equal(2, code);
        Assert.Equal($"{dir}:1:1: is a directory", err.TrimEnd());
    }
}
