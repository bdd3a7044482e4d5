using Klp.Check.Commands;
using Klp.Check.Comparison;
using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Reports;
using Klp.Check.Scenarios;
using Klp.Check.Verdicts;

namespace Klp.Check.Tests.Comparison;

public class VerdictMatrixTests
{
    public static TheoryData<string, string, string> Cells()
    {
        var errors = new List<string>();
        var cells = Baseline.Parse(File.ReadAllText(RepositoryFiles.Full(DefaultComparison.BaselineFile)), DefaultComparison.BaselineFile, errors);
        Assert.Empty(errors);
        var data = new TheoryData<string, string, string>();
        foreach (var c in cells.Cells.OrderBy(c => c.Line)) data.Add(c.Reading, c.Property, c.Verdict);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void DefaultBounds_Cell_HasTheBaselineVerdict(string reading, string property, string verdict) =>
        Assert.Equal(verdict, DefaultComparison.Cell(reading, property).Word);

    [Fact]
    public void Baseline_CoversEveryReadingAndEveryProperty() =>
        Assert.Equal(Readings.All.Count * PropertyRegistry.All.Count, Cells().Count);

    [Fact]
    public void EveryViolatedCell_TraceReplaysThroughScenarioFileToTheViolation()
    {
        var violated = DefaultComparison.Result.Results.SelectMany(r => r.Verdicts).Where(v => v.Kind == VerdictKind.Violated && v.Trace is not null).ToList();
        Assert.NotEmpty(violated);
        foreach (var v in violated)
        {
            var text = ScenarioWriter.Write("t", v.Catalog!, v.Reading, v.Trace!, v.Detail);
            var scenario = ScenarioParser.Parse(text, $"{v.Reading.Name}-{v.Property.Id}.klp");
            var replay = Replayer.Run(scenario, Replayer.Columns(scenario, [v.Reading], null));
            Assert.Empty(replay.Failures);
            Assert.Equal(v.Trace!.Count, scenario.Steps.Count - 1);
            if (!v.Property.IsSafety) continue;
            // Replayed on its own, the trace still breaks the property.
            var finding = PropertyChecks.OnTrace([v.Property], new Trace(scenario.Catalog, v.Reading, [.. scenario.Steps.Skip(1).Select(s => s.Operation!.Value)]))[0].Finding;
            Assert.True(finding.Found, $"{v.Property.Id} under {v.Reading.DisplayName}: trace no longer violates");
            Assert.Equal(v.Detail, finding.Message);
        }
    }

    [Theory]
    [InlineData("replace-set", "hotfixes-absorbed", true)]
    [InlineData("positional", "hotfixes-absorbed", false)]
    [InlineData("flat-dynamic", "hotfixes-absorbed", false)]
    [InlineData("positional", "customer-untouched", false)]
    public void HoldingSafetyCell_SaysWhetherItsCaseEverHappens(string reading, string property, bool vacuous)
    {
        var v = DefaultComparison.Cell(reading, property);

        Assert.Equal(VerdictKind.Holds, v.Kind);
        Assert.Equal(vacuous, v.Vacuous);
    }

    [Fact]
    public void DefaultComparison_ExploresEveryInputExhaustively()
    {
        var c = DefaultComparison.Result;
        Assert.True(c.Complete);
        Assert.All(c.Results, r => Assert.Empty(r.Coverage.Cut));
        Assert.All(c.Results, r => Assert.Equal(c.Source.Count, r.Coverage.Catalogs));
    }

    public static TheoryData<string, string> Mutants() => new()
    {
        // replace-set without isolation: patches of different sets stack on one function.
        { "replace-set-unisolated", "no-shared-function" },
        // positional built the way flat-dynamic builds releases: a customer patch takes set 2, the next cumulative evicts it.
        { "positional-dynamic-encoder", "customer-untouched" },
    };

    [Theory]
    [MemberData(nameof(Mutants))]
    public void MutantReading_IsCaughtByAnInvariantItsPresetKeeps(string mutant, string property)
    {
        var (preset, broken) = mutant switch
        {
            "replace-set-unisolated" => (Readings.ReplaceSet, Readings.ReplaceSet with { Options = Readings.ReplaceSet.Options with { Isolation = Isolation.None } }),
            _ => (Readings.Positional, Readings.Positional with { Encoding = PlanEncoding.Dynamic }),
        };
        var inv = PropertyRegistry.Find(property)!;
        var source = InputSource.Plans(new PlanBounds(Releases: 3));

        var kept = Verifier.Run(source, preset, [inv], new ExploreLimits());
        var caught = Verifier.Run(source, broken, [inv], new ExploreLimits());

        Assert.Equal(VerdictKind.Holds, kept.Verdicts[0].Kind);
        Assert.Equal(VerdictKind.Violated, caught.Verdicts[0].Kind);
        Assert.NotNull(caught.Verdicts[0].Trace);
    }
}

public class VerdictsDocTests
{
    [Fact]
    public void VerdictsDoc_NamesEveryCellWithItsBaselineVerdict()
    {
        var lines = File.ReadAllLines(RepositoryFiles.Full("docs/verdicts.md"));
        var cells = new Dictionary<(string, string), string>();
        string? property = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("## `", StringComparison.Ordinal)) property = line.Split('`')[1];
            else if (line.StartsWith("- `", StringComparison.Ordinal) && property is not null)
            {
                var reading = line.Split('`')[1];
                var word = line.Split('`')[2].Trim().Split(':')[0].Trim();
                cells[(reading, property)] = word;
            }
        }

        foreach (var (reading, prop, verdict) in VerdictMatrixTests.Cells().Select(row => ((string)row[0], (string)row[1], (string)row[2])))
            Assert.True(cells.TryGetValue((reading, prop), out var doc) && doc == verdict, $"docs/verdicts.md: {reading} {prop} should say {verdict}");
    }

    // Two enabled patches declare state 1 (isolation=none lets p2 load beside p1 without
    // replacing it): the active version is the newest declarer's, so loading p2 lowers it.
    [Fact]
    public void StateMonotonic_TwoEnabledPatchesDeclareOneState_ComparesWithTheNewestDeclarer()
    {
        var reading = Cli.ParseReadings(["replace-set(isolation=none)"], null, TextWriter.Null)![0];
        var bounds = new RawBounds(Patches: 2, States: true);

        var result = Verifier.Run(InputSource.Raw(bounds), reading, [PropertyRegistry.Find("state-monotonic")!], default);

        var v = result.Verdicts[0];
        Assert.Equal("violated[s]", v.Word);
        Assert.Equal("loading p2 lowers state 1 from v1 to v0", v.Detail);
        Assert.Equal("load p1; load p2", ComparisonReport.TraceText(v));
    }
}
