using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Reports;
using Klp.Check.Verdicts;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Verdicts;

public class DesignSpaceTests
{
    private static readonly string[] Issue = ["one-per-set", "customer-untouched", "hotfixes-absorbed"];

    private static IReadOnlyList<Property> Required(params string[] ids) => [.. ids.Select(id => PropertyRegistry.Find(id)!)];

    [Fact]
    public void Combinations_OnDefaultDesignPlans_NinetyMeaningfulOnes()
    {
        var combinations = DesignSpace.Combinations(InputSource.Plans(DesignSpace.DefaultBounds), Granularity.Atomic);

        Assert.Equal(90, combinations.Count);
        Assert.All(combinations, c =>
        {
            var r = c.Reading;
            // Upstream's flag, no sets and its own encoding go together.
            Assert.Equal(r.Replace == ReplaceRule.ByReplaceFlag, r.Membership == Membership.None);
            Assert.Equal(r.Replace == ReplaceRule.ByReplaceFlag, r.Encoding == PlanEncoding.ReplaceFlag);
            // Release plans list set 0 only under the zero encoder, and lists of two only under the array encoders.
            Assert.True(r.Zero == ZeroRule.Ordinary || r.Encoding == PlanEncoding.ZeroSet);
            Assert.True(r.Arity == SetArity.Single || r.Encoding is PlanEncoding.Array or PlanEncoding.Dynamic);
            Assert.False(r.AddSetsParameter);
        });
        Assert.Equal(combinations.Count, combinations.Select(c => c.Reading)
            .Select(r => (r.Replace, r.Membership, r.Zero, r.Arity, r.AddSetsParameter, r.Options, r.Encoding)).Distinct().Count());
        var simplicity = combinations.Select(c => DesignSpace.Simplicity(c.Reading, c.Relevant)).ToList();
        Assert.Equal(simplicity.Order(), simplicity);
    }

    [Fact]
    public void Combinations_OnDefaultDesignPlans_EveryPresetIsMatchedByExactlyOne()
    {
        var combinations = DesignSpace.Combinations(InputSource.Plans(DesignSpace.DefaultBounds), Granularity.Atomic);

        foreach (var preset in Readings.All)
            Assert.Single(combinations, c => DesignSpace.Matches(c.Reading, c.Relevant).Contains(preset.Name));
    }

    [Fact]
    public void Combinations_OnRawCatalogs_VaryTheZeroRuleAndIgnoreTheEncoder()
    {
        var combinations = DesignSpace.Combinations(InputSource.Raw(new RawBounds(Patches: 2)), Granularity.Atomic);

        Assert.Contains(combinations, c => c.Reading.Zero == ZeroRule.ReplacesAll);
        Assert.All(combinations, c => Assert.Equal(Policies.None, c.Relevant & Policies.Encoding));
        // On raw catalogs set 0 is an ordinary number in the input, so 4.3's special zero is a combination of its own.
        Assert.Contains(combinations, c => DesignSpace.Matches(c.Reading, c.Relevant).Contains("zero-replaces-all"));
    }

    [Fact]
    public void Explore_IssueRequirementsOnDefaultDesignPlans_FortyTwoKeepThemWithThePresetsTheyEqual()
    {
        var r = DesignSpace.Explore(InputSource.Plans(DesignSpace.DefaultBounds), Required(Issue), Granularity.Atomic, default);

        Assert.True(r.Complete);
        Assert.Equal(90, r.Points.Count);
        Assert.Equal(42, r.Passing.Count);
        var matched = r.Passing.SelectMany(p => p.Matches).ToHashSet();
        Assert.Equal(["replace-set", "zero-only-by-zero", "supersedes", "positional", "flat", "set", "slot", "provides"], Readings.All.Select(x => x.Name).Where(matched.Contains));
        Assert.Equal(["replace-set"], r.Passing[0].Matches);
        Assert.Equal(591261, r.States);
        // A combination that breaks a requirement carries a trace that replays under it.
        var failed = r.Points.First(p => !p.Keeps && p.Matches.Contains("flat-dynamic"));
        var v = failed.Verdicts.First(x => x.Kind == VerdictKind.Violated);
        Assert.Equal("customer-untouched", v.Property.Id);
        new Trace(v.Catalog!, failed.Reading, v.Trace!).End();
        var text = DesignReport.Text(r);
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
    }

    [Fact]
    public void Explore_NoLostFixRequiredInTwoPhase_KeepsNoCombinationWithoutIsolation()
    {
        // The danger needs three releases: a cumulative, a hotfix beside it, and a load that replaces the cumulative.
        var source = InputSource.Plans(new PlanBounds(Releases: 3));

        var without = DesignSpace.Explore(source, Required(Issue), Granularity.TwoPhase, default);
        var with = DesignSpace.Explore(source, Required([.. Issue, "no-lost-fix"]), Granularity.TwoPhase, default);

        // Without the property, combinations that isolate nothing keep the issue's requirements;
        // with it, a nop of one set lands on another set's fix mid-transition, and none does.
        Assert.Contains(without.Passing, p => p.Reading.Options.Isolation == Isolation.None);
        Assert.NotEmpty(with.Passing);
        Assert.DoesNotContain(with.Passing, p => p.Reading.Options.Isolation == Isolation.None);
    }

    [Fact]
    public void Design_IssueRequirements_ExitsZeroAndListsTheKeepingCombinations()
    {
        var (code, output, _) = Run("design", "--require", "one-per-set,customer-untouched,hotfixes-absorbed", "--bounds", "releases=2");

        Assert.Equal(0, code);
        Assert.StartsWith("klp-check design: ", output);
        Assert.Contains("= replace-set", output);
        Assert.Contains("= flat", output);
        Assert.DoesNotContain("flat-dynamic", output);
    }

    [Fact]
    public void Design_ContradictoryStateRequirements_ExitsOne()
    {
        // state-monotonic is n/a under block-disable, block-disable-kept under versions: nothing keeps both.
        var (code, output, _) = Run("design", "--require", "state-monotonic", "--require", "block-disable-kept", "--bounds", "releases=2");

        Assert.Equal(1, code);
        Assert.Contains("No combination keeps every required property.", output);
    }

    [Fact]
    public void Design_Json_CountsTriedAndKept()
    {
        var (code, output, _) = Run("design", "--require", "one-per-set", "--bounds", "releases=2", "--format", "json");

        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("design", root.GetProperty("command").GetString());
        Assert.Equal(root.GetProperty("tried").GetInt32(), root.GetProperty("combinations").GetArrayLength());
        Assert.True(root.GetProperty("kept").GetInt32() > 0);
    }

    [Theory]
    [InlineData("design")]
    [InlineData("design", "--require", "no-such-property")]
    [InlineData("design", "--require", "one-per-set", "--invariant", "one-per-set")]
    [InlineData("design", "--require", "one-per-set", "--bounds", "bogus=1")]
    public void Design_BadUsage_ExitsTwo(params string[] args) => Assert.Equal(2, Run(args).Code);
}
