using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Proposals;
using Klp.Check.Verdicts;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Proposals;

public class ProposalCommandTests
{
    private static string Folder(params (string Name, string Text)[] files)
    {
        var dir = Directory.CreateTempSubdirectory("klp-proposals").FullName;
        foreach (var (name, text) in files) File.WriteAllText(Path.Combine(dir, name), text);
        return dir;
    }

    private const string SetPolicies = """
        # set's policies under a name of its own
        name: petr-set
        replaces: subset
        occupies: listed
        arity: list
        add-sets: yes
        encoding: array
        states: block-disable
        """;

    private const string SubsetOwn = """
        name: subset-own
        replaces: subset
        occupies: own
        arity: list
        isolation: functions-only
        states: versions
        encoding: array
        """;

    private static Dictionary<string, string> Verdicts(string baseline, string reading) =>
        File.ReadAllLines(baseline).Select(l => l.Split(' ')).Where(w => w.Length == 3 && w[0] == reading).ToDictionary(w => w[1], w => w[2]);

    [Fact]
    public void Diff_SetAgainstAFileWithSetsPolicies_OneClassExitZero()
    {
        var dir = Folder(("petr-set.proposal", SetPolicies));

        var (code, output, _) = Run("diff", "set", Path.Combine(dir, "petr-set.proposal"), "--bounds", "releases=3");

        Assert.Equal(0, code);
        Assert.Contains("petr-set", output);
    }

    [Fact]
    public void CompareProposals_SetsPoliciesAndANewCombination_ExtraColumnsWithTheirOwnVerdicts()
    {
        var dir = Folder(("petr-set.proposal", SetPolicies), ("subset-own.proposal", SubsetOwn));
        var baseline = Path.Combine(dir, "out.verdicts");

        var (code, output, err) = Run("compare", "--proposals", dir, "--bounds", "releases=3", "--no-scenarios", "--save-baseline", baseline);

        Assert.True(code == 0, err);
        Assert.Contains("petr=petr-set", output);
        Assert.Contains("subs=subset-own", output);
        Assert.Equal(Verdicts(baseline, "set"), Verdicts(baseline, "petr-set"));

        // design's verdicts for the same combination, on the same inputs.
        var source = InputSource.Plans(new PlanBounds(Releases: 3));
        var file = ProposalFile.Read(Path.Combine(dir, "subset-own.proposal"));
        var (combination, relevant) = DesignSpace.Combinations(source, Granularity.Atomic).Single(c =>
            DesignSpace.Describe(c.Reading, c.Relevant).All(w => ProposalText.Value(file, w.Name) == w.Value));
        var design = Verifier.Run(source, combination, PropertyRegistry.All, default);
        Assert.Equal(design.Verdicts.ToDictionary(v => v.Property.Id, v => v.Word), Verdicts(baseline, "subset-own"));
        Assert.Empty(DesignSpace.Matches(combination, relevant));
    }

    [Fact]
    public void Abbreviations_ClashingNames_NoTwoColumnsShareOne()
    {
        var names = new[] { "positional", "posix", "posit", "pos", "positional-x", "flat-extra", "flat-x" };
        var readings = names.Select(n => Readings.Positional with { Name = n }).Append(Readings.Positional.With(Readings.Positional.Options with { States = StateRules.Versions })).ToList();

        var heads = Klp.Check.Reports.ComparisonReport.Abbreviations(readings);

        Assert.Equal(heads.Count, heads.Distinct().Count());
        Assert.All(heads, h => Assert.InRange(h.Length, 1, 4));
        Assert.Equal("posi", heads[0]);
    }

    [Theory]
    [InlineData("name: x\ncolour: blue\n", 2, 1)]
    [InlineData("name: x\nreplaces: most\n", 2, 11)]
    [InlineData("name: x\nname: y\n", 2, 1)]
    [InlineData("name: x\nencoding: sets\n", 2, 11)]
    [InlineData("name: x\nencoding: replace-flag\n", 2, 11)]
    [InlineData("", 1, 1)]
    [InlineData("\u0000\u0001\u0002\u00ff", 1, 1)]
    public void MalformedFile_EveryCommand_OneLineWithPositionExitTwo(string text, int line, int column)
    {
        var dir = Folder(("bad.proposal", text));
        var file = Path.Combine(dir, "bad.proposal");

        foreach (var args in new[]
        {
            ["readings", file], ["check", "--reading", file], ["diff", "set", file],
            ["compare", "--proposals", dir], new[] { "replay", "--reading", file + "(states=versions)", RepositoryFiles.Full("scenarios/thread/song-conflict.klp") },
        })
        {
            var (code, output, err) = Run(args);
            Assert.Equal(2, code);
            Assert.Equal("", output);
            Assert.Equal([$"{file}:{line}:{column}:"], err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf(": ", StringComparison.Ordinal)] + ":"));
        }
    }

    [Theory]
    [InlineData("single", "{1}", "{2}", "{1}", "{1000}")]
    [InlineData("zero", "{0}", "{1}", "{0}", "{1000}")]
    [InlineData("array", "{1}", "{2}", "{1,2}", "{1000}")]
    [InlineData("dynamic", "{1}", "auto", "{1,2}", "auto")]
    public void Read_EncodingKey_ReleasePlanEncodedThatWay(string encoding, string cum1, string hot1, string cum2, string cust1)
    {
        var dir = Folder(("mine.proposal", $"name: mine\nencoding: {encoding}\n"));
        var plan = PlanParser.Parse("cum1: cumulative\nhot1: hotfix\ncum2: cumulative\ncust1: customer\n", "p.plan");

        var catalog = plan.Encode(ProposalFile.Read(Path.Combine(dir, "mine.proposal")));

        Assert.Equal([cum1, hot1, cum2, cust1], catalog.Patches.Select(p => p.SetsText));
    }

    [Fact]
    public void CheckPlan_FlatPoliciesWithDynamicEncoding_ExploresWhatFlatDynamicExplores()
    {
        var text = Readings.BuiltinText("flat")!.Replace("name: flat\n", "name: mine\n").Replace("encoding: array\n", "encoding: dynamic\n");
        var dir = Folder(("mine.proposal", text),
            ("p.plan", "cum1: cumulative\nhot1: hotfix\nhot2: hotfix\ncum2: cumulative\nhot1v2: update hot1\ncust1: customer\n"));
        string Report(string reading)
        {
            var (code, output, err) = Run("check", "--reading", reading, "--plan", Path.Combine(dir, "p.plan"));
            Assert.True(code is 0 or 1, err);
            // The first line names the reading; the verdicts and the coverage follow.
            return output[(output.IndexOf('\n') + 1)..];
        }

        var mine = Report(Path.Combine(dir, "mine.proposal"));

        Assert.Equal(Report("flat-dynamic"), mine);
        Assert.NotEqual(Report("flat"), mine);
    }

    [Fact]
    public void CompareProposals_MissingOrEmptyDirectory_OneLineExitTwo()
    {
        var empty = Folder(("notes.txt", "name: x\n"));

        foreach (var (dir, message) in new[] { (Path.Combine(empty, "missing"), "cannot list directory"), (empty, "no *.proposal file") })
        {
            var (code, output, err) = Run("compare", "--proposals", dir);
            Assert.Equal(2, code);
            Assert.Equal("", output);
            Assert.StartsWith("klp-check: --proposals: " + message, err);
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    [Fact]
    public void Readings_AFileWithOptions_PrintsAProposalThatParsesBackToIt()
    {
        var dir = Folder(("subset-own.proposal", SubsetOwn));

        var (code, output, _) = Run("readings", Path.Combine(dir, "subset-own.proposal") + "(isolation=none)");

        Assert.Equal(0, code);
        var parsed = ProposalText.Parse(output, "y", out var error);
        Assert.Null(error);
        Assert.Equal(Isolation.None, parsed!.Options.Isolation);
        Assert.Equal(ReplaceRule.Subset, parsed.Replace);
    }

    [Fact]
    public void Readings_ABuiltInNameForAnotherReading_IsRefused()
    {
        var dir = Folder(("set.proposal", "name: set\nreplaces: intersect\n"));

        var (code, _, err) = Run("readings", Path.Combine(dir, "set.proposal"));

        Assert.Equal(2, code);
        Assert.Contains("set.proposal:1:1: name 'set' is a built-in reading's", err);
    }

    [Fact]
    public void DesignWrite_KeptCombinations_AreProposalFilesThatCompareLikeTheirRow()
    {
        var dir = Path.Combine(Folder(), "out");
        var catalog = RepositoryFiles.Full("scenarios/thread/song-conflict.klp");

        var (code, output, err) = Run("design", "--require", "no-shared-function,customer-untouched", "--catalog", catalog, "--write", dir);

        Assert.True(code == 0, err);
        var files = Directory.GetFiles(dir, "*.proposal").Order().ToList();
        Assert.NotEmpty(files);
        Assert.Contains($"  1 ", output);
        var first = ProposalFile.Read(Path.Combine(dir, "design-1.proposal"));
        Assert.Equal("design-1", first.Name);
        var verdicts = Verifier.Run(InputSource.Single(Klp.Check.Scenarios.ScenarioParser.ParseFile(catalog).Catalog, catalog), first,
            [PropertyRegistry.Find("no-shared-function")!, PropertyRegistry.Find("customer-untouched")!], default);
        Assert.All(verdicts.Verdicts, v => Assert.Equal(VerdictKind.Holds, v.Kind));

        var again = Run("design", "--require", "no-shared-function", "--catalog", catalog, "--write", dir);
        Assert.Equal(2, again.Code);
        Assert.Contains("already holds design-*.proposal files", again.Err);
    }

    [Fact]
    public void Replay_ScenarioNamingAProposalAndAGroup_ChecksItsExpectations()
    {
        var dir = Folder(("subset-own.proposal", SubsetOwn), ("s.klp", """
            readings all, subset-own.proposal
            group sets = all, -upstream
            patch a sets={1} funcs={f}
            patch b sets={2} funcs={f}
            load a
            expect accepted
            load b
            expect upstream: accepted
            expect sets, -subset-own: refused EINVAL function-conflict
            expect subset-own(isolation=none): accepted
            expect subset-own: refused function-conflict; enabled {a}
            """));

        var (code, output, err) = Run("replay", Path.Combine(dir, "s.klp"));

        Assert.True(code == 0, err + output);
        Assert.Contains("subset-own", output);
        File.WriteAllText(Path.Combine(dir, "t.klp"), "patch a sets={1} funcs={f}\npatch b sets={2} funcs={f}\nload a\nload b\nexpect subset-own.proposal: accepted\n");
        var broken = Run("replay", Path.Combine(dir, "t.klp"));
        Assert.Equal(1, broken.Code);
        Assert.Contains("t.klp:5:29: expectation failed under subset-own", broken.Err);
    }
}
