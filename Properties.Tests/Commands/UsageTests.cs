using FsCheck.Fluent;
using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Scenarios;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Commands;

public class UsageTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Theory]
    [InlineData("check --reading flat --random 0", "--random takes a whole number of at least 1, not '0'")]
    [InlineData("check --reading flat --random -5", "--random takes a whole number of at least 1, not '-5'")]
    [InlineData("check --reading flat --max-states 0", "--max-states takes a whole number of at least 1, not '0'")]
    [InlineData("check --reading flat --max-states -5", "--max-states takes")]
    [InlineData("check --reading flat --max-depth 0", "--max-depth takes a whole number of at least 1, not '0'")]
    [InlineData("check --reading flat --max-depth -1", "--max-depth takes")]
    [InlineData("compare --threads -3", "--threads takes a whole number from 1 to 1024, not '-3'")]
    [InlineData("check --reading flat --random 5 --seed x", "--seed takes a whole number of at least 0, not 'x'")]
    [InlineData("check --reading flat --random 5 --length 0", "--length takes")]
    [InlineData("check --reading flat -i {empty}", "--invariant: empty property id")]
    [InlineData("check --reading flat -i one-per-set,", "--invariant: empty property id")]
    public void NumberOrId_OutOfRange_ExitsTwoWithOneLine(string command, string message)
    {
        var (code, output, err) = Run([.. command.Split(' ').Select(a => a.Replace("{empty}", ""))]);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(message, err);
        Assert.Single(Lines(err));
        Assert.DoesNotContain("System.", err);
    }

    [Fact]
    public void CompareExpect_BaselineLineWithUnknownReading_ExitsTwoNamingTheLine()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("klp").FullName, "b.verdicts");
        File.WriteAllText(file, "# baseline\nflat one-per-set holds\n  nosuch one-per-set holds\nflat nosuch holds\n");

        var (code, output, err) = Run("compare", "--bounds", "releases=1", "--no-scenarios", "--expect", file);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal([$"{file}:3:3: unknown reading 'nosuch'", $"{file}:4:6: unknown property 'nosuch'"], Lines(err.Replace("\r", "")));
    }

    [Fact]
    public void CompareExpect_HundredThousandBadLines_ReportsAsManyErrorsAsAScenario()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("klp").FullName, "b.verdicts");
        File.WriteAllText(file, string.Concat(Enumerable.Repeat("x\n", 100_000)));

        var (code, _, err) = Run("compare", "--no-scenarios", "--expect", file);

        Assert.Equal(2, code);
        Assert.Equal(Diagnostic.MaxPerFile, Lines(err).Length);
    }

    [Fact]
    public void RandomRawCatalogs_WithBounds_StayWithinThem()
    {
        var bounds = new RawBounds(Patches: 2, Numbers: 2, Sets: 1, Functions: 1, States: false, Customers: false);

        var catalogs = bounds.Random().Sample(20, 300);

        Assert.All(catalogs, c =>
        {
            Assert.InRange(c.Count, 1, 2);
            Assert.All(c.Patches, p => Assert.True(p.Sets.Length == 1 && p.Sets[0] < 2 && p.States.IsEmpty && p.Funcs.Length == 1 && p.Origin == Klp.Check.Model.Origin.Vendor, p.ToString()));
        });
    }

    [Fact]
    public void CheckRandomRaw_BoundsOfTwoPatches_CounterexampleUsesOnlyThem()
    {
        var (code, output, _) = Run("check", "--reading", "flat", "--random", "300", "--seed", "1", "--raw", "--bounds", "patches=2,numbers=2");

        Assert.Equal(1, code);
        Assert.Contains("patch p1", output);
        Assert.DoesNotContain("patch p3", output);
        Assert.All(output.Split('\n').Where(l => l.StartsWith("patch ", StringComparison.Ordinal)), l => Assert.DoesNotContain("2}", l));
    }

    [Fact]
    public void ShippedScenarioFolder_FromOutsideTheRepository_IsTheRepositoryScenarios()
    {
        // The tests run from the build output, below the repository root but not at it.
        Assert.NotEqual(RepositoryFiles.Root, Directory.GetCurrentDirectory());

        Assert.Equal(RepositoryFiles.Full("scenarios"), ScenarioFolder.Shipped());
    }

    [Fact]
    public void CompareScenarios_FolderWithoutScenarios_WarnsThatNoneIsReplayed()
    {
        var dir = Directory.CreateTempSubdirectory("klp").FullName;

        var (code, _, err) = Run("compare", "--bounds", "releases=1", "--scenarios", dir);

        Assert.Equal(0, code);
        Assert.Contains($"klp-check: warning: no scenario file (*.klp) under '{dir}'", err);
    }

    [Theory]
    [InlineData("check --reading flat --bounds releases=1 --seed 3", "--seed is ignored without --random")]
    [InlineData("check --reading flat --bounds releases=1 --no-symmetry", "--no-symmetry is ignored without --raw")]
    [InlineData("compare --bounds releases=1 --no-scenarios -o isolation=none -o isolation=functions-only",
        "--option isolation=none is overridden by the later --option isolation=functions-only")]
    public void IgnoredOrOverriddenOption_WarnsOnOneLine(string command, string warning)
    {
        var (code, _, err) = Run(command.Split(' '));

        Assert.NotEqual(2, code);
        Assert.Single(Lines(err), l => l.Contains("warning"));
        Assert.Contains($"klp-check: warning: {warning}", err);
    }
}
