using Klp.Check.Commands;
using Klp.Check.Conformance;
using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Reports;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Equivalence;

public class EquivalenceTests
{
    private static readonly PlanBounds Small = new(Releases: 3);

    private static Reading[] Named(params string[] names) => [.. names.Select(n => Readings.Find(n)!)];

    [Fact]
    public void Classes_PositionalSupersedesSlotProvidesAtDefaultPlanBounds_OneClassWithPinnedEvidence()
    {
        var source = InputSource.Plans(InputOptions.DefaultPlans);

        var r = Classifier.Classes(source, Named("positional", "supersedes", "slot", "provides"), default);

        Assert.True(r.Complete);
        var c = Assert.Single(r.Classes);
        Assert.Equal(["positional", "supersedes", "slot", "provides"], c.Members.Select(m => m.Name));
        Assert.Equal(1582, c.Inputs);
        Assert.Equal(265116, c.ProductStates);
        Assert.Empty(r.Differences);
        Assert.Empty(r.Cut);
        Assert.Equal(Observed.All, r.Observed);
    }

    [Fact]
    public void Classes_EveryReadingOnSmallPlans_SevenClassesWithPositionalsRenamingsTogether()
    {
        var r = Classifier.Classes(InputSource.Plans(Small), Readings.All, default);

        Assert.Equal(
            ["upstream", "replace-set", "zero-replaces-all", "zero-only-by-zero supersedes positional slot provides", "flat", "set", "flat-dynamic"],
            r.Classes.Select(c => string.Join(" ", c.Members.Select(m => m.Name))));
        Assert.Equal(23271, r.Classes[3].ProductStates);
        Assert.Equal(257, r.Classes[3].Inputs);
        Assert.Equal(93715, r.ProductStates);
        Assert.Equal(21, r.Differences.Count);
        // Upstream has no sets, so sets are not compared at all (the relation stays an equivalence).
        Assert.Equal(Observed.All & ~Observed.Sets, r.Observed);
        Assert.NotNull(r.SetsNote);
        Assert.All(r.Differences, d => Assert.Equal(2, d.Divergence.Length));
    }

    [Fact]
    public void Classes_DistinguishingTraces_ReplayThroughStepToTheReportedDifference()
    {
        var source = InputSource.Plans(Small);
        var r = Classifier.Classes(source, Readings.All, default);

        foreach (var d in r.Differences)
        {
            var views = d.Divergence.Views;
            Assert.Equal(r.Classes[d.First].Representative, views[0].Reading);
            Assert.Equal(r.Classes[d.Second].Representative, views[1].Reading);
            var before = views.Select(v => new Trace(v.Catalog, v.Reading, d.Divergence.Trace.Take(d.Divergence.Length - 1).ToList()).End()).ToList();
            for (var k = 0; k < views.Count; k++)
            {
                Assert.Equal(views[k].Before, before[k]);
                Assert.Equal(views[k].After, Kernel.Step(views[k].Catalog, views[k].Reading, before[k], d.Divergence.Trace[^1]));
                Assert.Equal(source.Describe(d.Input), d.InputText);
            }
            Assert.NotEmpty(EquivalenceReport.DifferenceLines(d.Divergence));
        }
    }

    [Fact]
    public void Classes_UpstreamAgainstReplaceSet_ShortestTraceIsTheFirstInputWithIt()
    {
        var source = InputSource.Plans(Small);
        var readings = Named("upstream", "replace-set");

        var r = Classifier.Classes(source, readings, default);

        var d = Assert.Single(r.Differences);
        Assert.Equal(["load hot1", "load cum1"], d.Divergence.Trace.Select(o => o.Format(d.Divergence.Views[0].Catalog)));
        var engine = new Lockstep();
        for (var i = 0; i < d.Input; i++)
        {
            var found = engine.Run([source.CatalogFor(i, readings[0]), source.CatalogFor(i, readings[1])], readings, r.Observed).Divergence;
            Assert.True(found is null || found.Length > d.Divergence.Length, $"input {i} has a trace of {found?.Length}");
        }
    }

    [Fact]
    public void Classes_MutantOfPositional_ToldApartFromItsOriginal()
    {
        var mutant = Readings.Positional with { Name = "positional-mutant", Membership = Membership.AllListed };

        var r = Classifier.Classes(InputSource.Plans(Small), [Readings.Positional, mutant], default);

        Assert.Equal(2, r.Classes.Count);
        var d = Assert.Single(r.Differences);
        Assert.Equal(1, d.Divergence.Length);
        Assert.Equal(Observed.Sets, d.Divergence.Differs);
        // Without sets the mutant still differs in behaviour: a hotfix update replaces the cumulative.
        var behaviour = Classifier.Classes(InputSource.Plans(Small), [Readings.Positional, mutant], default, observed: Observed.All & ~Observed.Sets);
        var b = Assert.Single(behaviour.Differences);
        Assert.True((b.Divergence.Differs & Observed.Outcome) != 0);
    }

    [Fact]
    public void Classes_OnTwoThreadsAndOne_SameClassesTracesAndCounts()
    {
        var source = InputSource.Plans(Small);
        var readings = Named("positional", "flat", "set", "slot");

        var one = Classifier.Classes(source, readings, default, threads: 1);
        var two = Classifier.Classes(source, readings, default, threads: 2);

        Assert.Equal(EquivalenceReport.Json(one), EquivalenceReport.Json(two));
    }

    [Fact]
    public void Classes_RawCatalogsWithDifferentEncoders_StillCompareSets()
    {
        var source = InputSource.Raw(new RawBounds(Patches: 2));

        var observed = Classifier.Comparable(source, Named("flat-dynamic", "replace-set"), Observed.All, out var note);
        var plans = Classifier.Comparable(InputSource.Plans(Small), Named("flat-dynamic", "replace-set"), Observed.All, out var planNote);

        Assert.Equal(Observed.All, observed);
        Assert.Null(note);
        Assert.Equal(Observed.All & ~Observed.Sets, plans);
        Assert.Contains("different set numbers", planNote);
    }

    [Fact]
    public void Report_AsASectionOfCompare_CompactAndWithinEightyColumns()
    {
        var r = Classifier.Classes(InputSource.Plans(new PlanBounds(Releases: 2)), Readings.All, default);

        var text = EquivalenceReport.Text(r, standalone: false);

        Assert.StartsWith("Equivalence classes (klp-check diff):", text);
        Assert.DoesNotContain("before ", text);
        Assert.Contains("differs:", text);
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        Assert.StartsWith("#### Equivalence classes", EquivalenceReport.Markdown(r, standalone: false));
    }

    [Fact]
    public void Classes_Cancelled_ReportsIncomplete()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var r = Classifier.Classes(InputSource.Plans(Small), Named("positional", "flat"), default, cancel: cts.Token);

        Assert.False(r.Complete);
        Assert.Contains("interrupted", EquivalenceReport.Text(r));
    }

    [Fact]
    public void Diff_PositionalAndFlat_ExitsOneWithATraceNoLongerThanJoesTimeline()
    {
        var (code, output, _) = Run("diff", "positional", "flat", "--catalog", RepositoryFiles.Full("scenarios/thread/joe-timeline-tuesday-set2.klp"));

        Assert.Equal(1, code);
        Assert.Contains("positional vs flat: 1 operation, differ in sets", output);
        Assert.Contains("    $ load klp-2a", output);
        Assert.Contains("sets of klp-2a: positional: {1}; flat: {1,2}", output);
    }

    // Both readings accept load c, upstream replacing h, replace-set nothing: that load is where they differ.
    [Fact]
    public void Diff_UpstreamAndReplaceSetOnACumulativeOverAHotfixInAnotherSet_DifferInOutcomeAtTheLoad()
    {
        var catalog = Path.Combine(Path.GetTempPath(), $"klp-{Guid.NewGuid():N}.klp");
        File.WriteAllText(catalog, "patch h hotfix sets={1} funcs={f}\npatch c cumulative sets={2} funcs={g}\n");

        var (code, output, _) = Run("diff", "upstream", "replace-set", "--catalog", catalog, "--mode", "two-phase",
            "--observe", "outcome,enabled,active,states", "--format", "text");

        Assert.Equal(1, code);
        Assert.Contains("upstream vs replace-set: 3 operations, differ in outcome\n", output);
        Assert.Contains("    $ load h; complete; load c\n", output);
        Assert.Contains("    outcome: upstream: accepted, replaces h; replace-set: accepted\n", output);
    }

    [Fact]
    public void Diff_PositionalAndFlatOnDefaultPlans_ExitsOneWithATraceOfAtMostFiveOperations()
    {
        var (code, output, _) = Run("diff", "positional", "flat", "--format", "json");

        Assert.Equal(1, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        var d = doc.RootElement.GetProperty("differences")[0];
        Assert.InRange(d.GetProperty("length").GetInt32(), 1, 5);
        Assert.Equal(1582, doc.RootElement.GetProperty("input").GetProperty("count").GetInt32());
    }

    [Fact]
    public void Diff_PositionalSupersedesSlotProvides_ExitsZeroWithOneClass()
    {
        var (code, output, _) = Run("diff", "positional", "supersedes", "slot", "provides", "--bounds", "releases=3");

        Assert.Equal(0, code);
        Assert.Contains("1 class: no trace tells these readings apart", output);
        Assert.Contains("1. positional, supersedes, slot, provides", output);
        Assert.Contains("equivalent over 257 inputs, 15480 product states compared", output);
    }

    [Fact]
    public void Diff_EveryReading_PlainTextFitsEightyColumnsWithoutColour()
    {
        var (code, output, _) = Run("diff", "--bounds", "releases=2");

        Assert.Equal(1, code);
        Assert.All(output.Split('\n'), line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        Assert.DoesNotContain("\u001b[", output);
    }

    [Fact]
    public void Diff_Json_CarriesClassesDifferencesAndScenarios()
    {
        var (code, output, _) = Run("diff", "flat", "set", "--raw", "--bounds", "patches=2", "--format", "json");

        Assert.Equal(1, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("diff", root.GetProperty("command").GetString());
        Assert.Equal(1, root.GetProperty("schema").GetInt32());
        Assert.Equal(2, root.GetProperty("classes").GetArrayLength());
        var view = root.GetProperty("differences")[0].GetProperty("views")[1];
        Assert.Equal("set", view.GetProperty("reading").GetString());
        Assert.StartsWith("title ", view.GetProperty("scenario").GetString());
    }

    [Fact]
    public void Diff_Markdown_HasTheClassTable()
    {
        var (code, output, _) = Run("diff", "positional", "slot", "--bounds", "releases=2", "--format", "markdown");

        Assert.Equal(0, code);
        Assert.Contains("| 1 | `positional`, `slot` |", output);
    }

    [Theory]
    [InlineData("diff", "flat")]
    [InlineData("diff", "flat", "nope")]
    [InlineData("diff", "flat", "set", "--observe", "colour")]
    [InlineData("diff", "flat", "set", "--invariant", "one-per-set")]
    [InlineData("diff", "flat", "set", "--bounds", "releases=99")]
    [InlineData("diff", "flat", "set", "--catalog", "no-such-file.klp", "--raw")]
    public void Diff_BadUsage_ExitsTwo(params string[] args) => Assert.Equal(2, Run(args).Code);
}
