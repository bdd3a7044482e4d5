using Klp.Check.Commands;
using Klp.Check.Comparison;
using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Commands;

public class CheckAndCompareCommandTests
{
    private static string Temp(string name, string text)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("klp").FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public void CheckOneLargeCatalog_TwoThreadsOrDefault_GivesByteIdenticalOutput(string format)
    {
        // positional-10's widest levels (over 2,048 states) are expanded on two threads.
        var catalog = RepositoryFiles.Full("Benchmarks/catalogs/positional-10.klp");
        var one = Run("check", "--reading", "positional", "--catalog", catalog, "--format", format, "--threads", "1");
        var two = Run("check", "--reading", "positional", "--catalog", catalog, "--format", format, "--threads", "2");
        // Without --threads, one catalog's search runs on every core.
        var all = Run("check", "--reading", "positional", "--catalog", catalog, "--format", format);

        Assert.Equal(one.Code, two.Code);
        Assert.Contains("57856", one.Out.Replace(",", ""));
        Assert.Equal(one.Out, two.Out);
        Assert.Equal(one.Code, all.Code);
        Assert.Equal(one.Out, all.Out);
    }

    // A table given room for every state, or for fewer (it doubles from there), on one
    // thread and on two: what the check prints and its exit code are those of the default.
    [Fact]
    public void CheckOneCatalog_ExpectedStates_GivesByteIdenticalOutput()
    {
        var catalog = RepositoryFiles.Full("Benchmarks/catalogs/positional-10.klp");
        var plain = Run("check", "--reading", "positional", "--catalog", catalog, "--threads", "1");
        var all = Run("check", "--reading", "positional", "--catalog", catalog, "--threads", "1", "--expect-states", "57856");
        var fewer = Run("check", "--reading", "positional", "--catalog", catalog, "--threads", "2", "--expect-states", "1000");

        Assert.Contains("57856", plain.Out.Replace(",", ""));
        Assert.Equal((plain.Code, plain.Out), (all.Code, all.Out));
        Assert.Equal((plain.Code, plain.Out), (fewer.Code, fewer.Out));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("many")]
    [InlineData("99999999999")]
    public void Check_ExpectStatesNotAPositiveCount_IsOneLineAndExit2(string count)
    {
        var (code, output, err) = Run("check", "--reading", "positional", "--catalog", RepositoryFiles.Full("scenarios/thread/petr-timeline-tuesday-set3.klp"), "--expect-states", count);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.Contains("--expect-states", err);
    }

    [Fact]
    public void Check_ExpectStatesOnManyInputs_IsOneLineAndExit2BeforeExploring()
    {
        var (code, output, err) = Run("check", "--reading", "positional", "--expect-states", "1000");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal($"klp-check: --expect-states sizes the table of one exploration; this input has {InputSource.Plans(InputOptions.DefaultPlans).Count} catalogs (give it with --catalog or --plan)", err.TrimEnd('\n'));
    }

    [Fact]
    public void CheckRandom_ExpectStates_IsIgnoredWithAWarning()
    {
        var (code, output, err) = Run("check", "--reading", "flat", "--random", "20", "--seed", "3", "--expect-states", "1000");
        var plain = Run("check", "--reading", "flat", "--random", "20", "--seed", "3");

        Assert.Equal((plain.Code, plain.Out), (code, output));
        Assert.Contains("klp-check: warning: --expect-states is ignored with --random", err);
    }

    [Fact]
    public void CheckRandom_SameSeed_GivesByteIdenticalOutput()
    {
        var first = Run("check", "--reading", "flat", "--random", "200", "--seed", "7");
        var second = Run("check", "--reading", "flat", "--random", "200", "--seed", "7");

        Assert.Equal(first.Out, second.Out);
        Assert.Contains("seed 7", first.Out);
    }

    [Fact]
    public void CheckRandom_FindsAndShrinksTheFlatSilentRevert()
    {
        var (code, output, _) = Run("check", "--reading", "flat", "--random", "500", "--seed", "42", "--invariant", "no-silent-revert");

        Assert.Equal(1, code);
        Assert.Contains("no-silent-revert VIOLATED", output);
        Assert.Contains("minimal counterexample after shrinking (2 operations)", output);
    }

    [Fact]
    public void Compare_SameBoundsTwice_GivesByteIdenticalOutput()
    {
        var first = Run("compare", "--bounds", "releases=2", "--no-scenarios");
        var second = Run("compare", "--bounds", "releases=2", "--no-scenarios", "--threads", "1");

        Assert.Equal(0, first.Code);
        Assert.Equal(first.Out, second.Out);
    }

    [Fact]
    public void CompareExpect_OneVerdictChangedInTheBaseline_ExitsOneAndNamesTheCell()
    {
        var dir = Directory.CreateTempSubdirectory("klp").FullName;
        var baseline = Path.Combine(dir, "b.verdicts");
        Assert.Equal(0, Run("compare", "--bounds", "releases=3", "--no-scenarios", "--save-baseline", baseline).Code);
        Assert.Equal(0, Run("compare", "--bounds", "releases=3", "--no-scenarios", "--expect", baseline).Code);
        var lines = File.ReadAllLines(baseline);
        var at = Array.IndexOf(lines, "set downgrade-installable violated");
        Assert.True(at > 0, "the baseline names set downgrade-installable as violated");
        lines[at] = "set downgrade-installable holds";
        File.WriteAllLines(baseline, lines);

        var (code, _, err) = Run("compare", "--bounds", "releases=3", "--no-scenarios", "--expect", baseline);

        Assert.Equal(1, code);
        Assert.Contains($"{baseline}:{at + 1}:1: set downgrade-installable: baseline says holds, now violated", err);
        Assert.Contains("1 verdict differs", err);
    }

    [Theory]
    [InlineData("check")]
    [InlineData("check", "--reading", "flat", "--bounds", "releases=99")]
    [InlineData("check", "--reading", "flat", "--invariant", "no-such-property")]
    [InlineData("check", "--reading", "flat", "--raw", "--bounds", "patches=9")]
    [InlineData("compare", "--catalog", "x.klp", "--bounds", "releases=2")]
    [InlineData("compare", "--expect", "/nonexistent/baseline")]
    public void BadUsage_ExitsTwo(params string[] args) => Assert.Equal(2, Run(args).Code);

    [Fact]
    public void CheckTraces_WritesScenariosThatReplayClean()
    {
        var dir = Directory.CreateTempSubdirectory("klp").FullName;

        var (code, _, _) = Run("check", "--reading", "upstream", "--bounds", "releases=3", "--traces", dir);
        var files = Directory.GetFiles(dir, "*.klp");

        Assert.Equal(1, code);
        Assert.Contains(files, f => f.EndsWith("upstream--customer-untouched.klp"));
        foreach (var f in files) Assert.Equal(0, Run("replay", f).Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("(isolation=none)")]
    public void CheckTraces_ReadingFromProposalFile_WritesScenariosThatReplay(string options)
    {
        var proposal = RepositoryFiles.Full("proposals/examples/provides-functions-only.proposal");
        var dir = Directory.CreateTempSubdirectory("klp").FullName;

        var (code, _, _) = Run("check", "--reading", proposal + options, "--bounds", "releases=3", "--traces", dir);
        var files = Directory.GetFiles(dir, "*.klp");

        Assert.Equal(1, code);
        Assert.NotEmpty(files);
        Assert.True(File.Exists(Path.Combine(dir, "provides-functions-only.proposal")));
        foreach (var f in files) Assert.Equal((0, ""), (Run("replay", f).Code, Run("replay", f).Err));
    }

    // The JSON's scenarios named a proposal by its name, which replay cannot resolve; they now
    // name its file, to be saved beside them as --traces leaves it.
    [Theory]
    [InlineData("check", "")]
    [InlineData("check", "(isolation=none)")]
    [InlineData("compare", "")]
    public void Json_ReadingFromProposalFile_ScenariosReplayBesideTheProposal(string command, string options)
    {
        var proposal = RepositoryFiles.Full("proposals/examples/provides-functions-only.proposal");
        var dir = Directory.CreateTempSubdirectory("klp").FullName;
        File.Copy(proposal, Path.Combine(dir, "provides-functions-only.proposal"));
        string[] args = command == "check"
            ? ["check", "--reading", proposal + options, "--bounds", "releases=3", "--format", "json"]
            : ["compare", "--proposals", Path.GetDirectoryName(proposal)!, "--bounds", "releases=3", "--no-scenarios", "--format", "json"];

        var (_, output, _) = Run(args);
        var scenarios = new List<string>();
        void Collect(System.Text.Json.JsonElement e)
        {
            if (e.ValueKind == System.Text.Json.JsonValueKind.Object)
                foreach (var p in e.EnumerateObject())
                    if (p.Name == "scenario" && p.Value.ValueKind == System.Text.Json.JsonValueKind.String) scenarios.Add(p.Value.GetString()!);
                    else Collect(p.Value);
            else if (e.ValueKind == System.Text.Json.JsonValueKind.Array)
                foreach (var x in e.EnumerateArray()) Collect(x);
        }
        Collect(System.Text.Json.JsonDocument.Parse(output).RootElement);
        var ours = scenarios.Where(t => t.Contains("readings provides-functions-only")).ToList();

        Assert.NotEmpty(ours);
        for (var i = 0; i < ours.Count; i++)
        {
            Assert.Contains($"readings provides-functions-only.proposal{options}{Environment.NewLine}", ours[i]);
            var file = Path.Combine(dir, $"s{i}.klp");
            File.WriteAllText(file, ours[i]);
            Assert.Equal((0, ""), (Run("replay", file).Code, Run("replay", file).Err));
        }
    }

    [Fact]
    public void CheckTraces_ProposalFileAlreadyInTheFolder_LeavesItAsItIs()
    {
        var dir = Directory.CreateTempSubdirectory("klp").FullName;
        var proposal = Path.Combine(dir, "provides-functions-only.proposal");
        var text = "# mine\n" + File.ReadAllText(RepositoryFiles.Full("proposals/examples/provides-functions-only.proposal"));
        File.WriteAllText(proposal, text);

        var (code, _, _) = Run("check", "--reading", proposal, "--bounds", "releases=3", "--traces", dir);

        Assert.Equal(1, code);
        Assert.Equal(text, File.ReadAllText(proposal));
        Assert.All(Directory.GetFiles(dir, "*.klp"), f => Assert.Equal(0, Run("replay", f).Code));
    }

    [Theory]
    [InlineData("check", "--reading", "set")]
    [InlineData("compare")]
    [InlineData("diff", "set", "flat")]
    [InlineData("design", "--require", "one-per-set")]
    public void PlanFile_LabelEqualToGeneratedName_ExitsTwoWithOneLine(params string[] args)
    {
        var plan = Temp("p.plan", "hot1: cumulative\nhotfix\n");

        var (code, output, err) = Run([.. args, "--plan", plan]);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal($"{plan}:1:1: label 'hot1' is also the generated name of the release on line 2; choose another label{Environment.NewLine}", err);
    }

    [Fact]
    public void CheckTraces_PlanWithPunctuatedLabels_WritesScenariosThatReplay()
    {
        var plan = Temp("p.plan", "klp-1.a+b: cumulative\nacme_x: customer shares klp-2\nklp-2: cumulative state 1:v1\n");
        var dir = Directory.CreateTempSubdirectory("klp").FullName;

        var (code, _, _) = Run("check", "--reading", "upstream", "--plan", plan, "--traces", dir);
        var files = Directory.GetFiles(dir, "*.klp");

        Assert.Equal(1, code);
        Assert.NotEmpty(files);
        foreach (var f in files) Assert.Equal((0, ""), (Run("replay", f).Code, Run("replay", f).Err));
    }

    [Theory]
    [InlineData("check --reading flat --traces {file}", "is not a directory")]
    [InlineData("check --reading flat --traces {file}/sub", "is not a directory")]
    [InlineData("check --reading flat --random 10 --seed 1 --traces {file}", "is not a directory")]
    [InlineData("check --reading flat --traces {empty}", "--traces: empty path")]
    [InlineData("check --reading flat --traces /proc/x", "cannot create directory '/proc/x'")]
    [InlineData("compare --save-baseline {dir}", "--save-baseline: '{dir}' is a directory")]
    [InlineData("compare --save-baseline /nonexistent/x", "no directory '/nonexistent'")]
    [InlineData("compare --save-baseline {empty}", "--save-baseline: empty path")]
    [InlineData("compare --save-baseline /dev/null", "is not a regular file")]
    [InlineData("compare --expect {empty}", "empty file name")]
    [InlineData("compare --expect {dir}", "{dir}:1:1: is a directory")]
    public void OutputPath_Bad_ExitsTwoWithOneLineBeforeExploring(string command, string message)
    {
        var dir = Directory.CreateTempSubdirectory("klp").FullName;
        var file = Temp("f", "");
        string[] args = [.. command.Split(' ').Select(a => a.Replace("{file}", file).Replace("{dir}", dir).Replace("{empty}", ""))];

        var (code, output, err) = Run(args);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(message.Replace("{dir}", dir), err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void CompareSaveBaseline_SymlinkToABaseline_WritesTheTargetAndKeepsTheLink()
    {
        var dir = Directory.CreateTempSubdirectory("klp").FullName;
        var target = Path.Combine(dir, "shared.verdicts");
        File.WriteAllText(target, "old\n");
        var link = Path.Combine(dir, "link.verdicts");
        File.CreateSymbolicLink(link, "shared.verdicts");

        var code = Run("compare", "--bounds", "releases=1", "--no-scenarios", "--save-baseline", Path.GetRelativePath(Directory.GetCurrentDirectory(), link)).Code;

        Assert.Equal(0, code);
        Assert.Equal("shared.verdicts", new FileInfo(link).LinkTarget);
        Assert.StartsWith("# klp-check verdict baseline", File.ReadAllText(target));
        Assert.Equal(["link.verdicts", "shared.verdicts"], Directory.GetFileSystemEntries(dir).Select(f => Path.GetFileName(f)!).Order().ToArray());
    }

    [Fact]
    public void Comparer_Cancelled_ReportsIncompleteWithTheReadingsVerifiedSoFar()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var result = Comparer.Run(InputSource.Plans(new PlanBounds(Releases: 2)), Readings.All, PropertyRegistry.All, default, [], cancel: cts.Token);

        Assert.False(result.Complete);
        Assert.Empty(result.Results);
    }
}

public class CompareTextTests
{
    [Fact]
    public void CompareText_FitsAnEightyColumnEmailWithoutTrailingSpaces()
    {
        var stdout = new StringWriter();
        var code = Cli.Run(["compare", "--bounds", "releases=3"], stdout, new StringWriter());

        Assert.Equal(0, code);
        var lines = stdout.ToString().Split('\n');
        Assert.Contains(lines, l => l.StartsWith("customer-untouched", StringComparison.Ordinal));
        Assert.All(lines, line => Assert.True(line.Length <= 80 && !line.EndsWith(' '), $"'{line}'"));
        Assert.DoesNotContain("\u001b[", stdout.ToString());
    }
}
