using Klp.Check.Conformance;
using Klp.Check.Inputs;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Commands;

/// <summary>Command lines the tool refuses: one line, exit 2, before any work; and those it must take.</summary>
public class ArgumentTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void UnknownCommand_IsOneLineNamingTheCommands()
    {
        // Regression: klp-check bogus printed two lines.
        var (code, output, err) = Run("bogus");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        var commands = string.Join(", ", Klp.Check.Commands.Cli.Parse([]).RootCommandResult.Command.Subcommands.Select(c => c.Name));
        Assert.Contains("replay, readings, check, compare", commands);
        Assert.Equal($"klp-check: unknown command 'bogus' (commands: {commands}) (see klp-check --help)", Assert.Single(Lines(err)));
    }

    [Theory]
    [InlineData("check --reading upstream --bounds releases=4,releases=5", "releases")]
    [InlineData("compare --bounds hotfixes=1,customers=0,hotfixes=2", "hotfixes")]
    [InlineData("check --reading flat --raw --bounds patches=2,numbers=2,patches=3", "patches")]
    [InlineData("design --require one-per-set --bounds states=none,states=both", "states")]
    [InlineData("sweep --bounds releases=2,releases=3", "releases")]
    public void Bounds_KeyGivenTwice_IsRefusedAsSweepRefusesIt(string command, string key)
    {
        // Regression: --bounds releases=4,releases=5 silently took the last.
        var (code, output, err) = Run(command.Split(' '));

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal($"klp-check: --bounds: '{key}' is given twice", Assert.Single(Lines(err)));
    }

    [Fact]
    public void PlanBoundsParse_KeyGivenTwice_IsNull()
    {
        Assert.Null(PlanBounds.Parse("releases=4,releases=5", out var error));
        Assert.Equal("'releases' is given twice", error);
        Assert.Null(RawBounds.Parse("states=yes states=no", out error));
        Assert.Equal("'states' is given twice", error);
    }

    [Fact]
    public void Compare_SameReadingTwice_IsRefusedBeforeAnyBaselineIsWritten()
    {
        // Regression: compare -r positional -r positional --save-baseline B wrote a baseline that --expect B refused.
        var baseline = Path.Combine(Directory.CreateTempSubdirectory("klp").FullName, "b.verdicts");

        var (code, output, err) = Run("compare", "-r", "positional", "-r", "positional", "--bounds", "releases=1", "--no-scenarios", "--save-baseline", baseline);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal("klp-check: --reading: 'positional' is given twice", Assert.Single(Lines(err)));
        Assert.False(File.Exists(baseline));
    }

    [Theory]
    [InlineData("diff", "flat", "flat")]
    [InlineData("replay", "-r", "set(states=versions)", "-r", "set(states=versions)", "{scenario}")]
    [InlineData("sweep", "-r", "flat", "-r", "positional", "-r", "flat")]
    public void AnyCommand_SameReadingTwice_IsOneLine(params string[] args)
    {
        var scenario = RepositoryFiles.Full("scenarios/thread/joe-timeline-tuesday-set2.klp");

        var (code, _, err) = Run([.. args.Select(a => a.Replace("{scenario}", scenario))]);

        Assert.Equal(2, code);
        Assert.EndsWith("is given twice", Assert.Single(Lines(err)));
    }

    [Fact]
    public void Compare_SavedBaselineOfDistinctReadings_IsReadBackByExpect()
    {
        var baseline = Path.Combine(Directory.CreateTempSubdirectory("klp").FullName, "b.verdicts");
        string[] run = ["compare", "-r", "positional", "-r", "positional(states=versions)", "--bounds", "releases=2", "--no-scenarios"];

        Assert.Equal(0, Run([.. run, "--save-baseline", baseline]).Code);
        var (code, _, err) = Run([.. run, "--expect", baseline]);

        Assert.True(code == 0, err);
    }

    [Fact]
    public void Conform_ReadingIsAProposalFile_IsTakenAsEveryCommandTakesIt()
    {
        // Regression: conform --reading X.proposal was "unknown reading"; /dev/zero stops it before the kernel boots.
        var proposal = Path.Combine(Directory.CreateTempSubdirectory("klp").FullName, "mine.proposal");
        File.WriteAllText(proposal, "name: mine\nreplaces: subset\n");

        var (code, _, err) = Run("conform", "--reading", proposal, "--catalog", "/dev/zero");

        Assert.Equal(2, code);
        Assert.StartsWith("/dev/zero:1:1: is not a regular file", Assert.Single(Lines(err)));
    }

    [Fact]
    public void Conform_UnknownReading_IsOneLine()
    {
        var (code, _, err) = Run("conform", "--reading", "nosuch", "--catalog", "/dev/zero");

        Assert.Equal(2, code);
        Assert.StartsWith("klp-check: --reading: unknown reading 'nosuch'", Assert.Single(Lines(err)));
    }
}
