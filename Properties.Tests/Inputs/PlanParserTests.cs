using Klp.Check.Commands;
using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Tests.Inputs;

public class PlanParserTests
{
    [Fact]
    public void Plan_WithLabelsUpdatesSharesAndStates_EncodesPerReading()
    {
        var plan = PlanParser.Parse("""
            # Joe's dynamic-allocation counter-example
            klp-1a: cumulative
            user:   customer
            klp-2a: cumulative state 1:v1
            klp-2b: hotfix
            klp-2c: update klp-2b
            klp-3a: cumulative state 1:v2:block_disable
            """, "p.plan");

        Assert.Equal(["klp-1a", "user", "klp-2a", "klp-2b", "klp-2c", "klp-3a"], plan.Names.ToArray());
        var positional = plan.Encode(Readings.Positional);
        Assert.Equal([1u, 2u], positional[5].Sets.ToArray());
        Assert.Equal([1000u], positional[1].Sets.ToArray());
        Assert.Equal("klp-2b", positional[4].Updates);
        var dynamic = plan.Encode(Readings.FlatDynamic);
        Assert.Equal(SetSource.Auto, dynamic[1].SetSource);
        Assert.Equal((SetSource.AutoOf, "klp-2b"), (dynamic[4].SetSource, dynamic[4].AutoOf));
        Assert.Equal([1u, 2u], dynamic[5].Sets.ToArray());
        Assert.True(plan.Encode(Readings.Upstream)[5].Replace);
        Assert.Equal(new KlpState(1, 2, true), positional[5].States.Single());
    }

    [Theory]
    [InlineData("cumulative\nfrobnicate\n", 2, 1, "unknown intent")]
    [InlineData("hotfix\nupdate hot9\n", 2, 8, "unknown release 'hot9'")]
    [InlineData("cumulative\nupdate cum1\n", 2, 8, "is not a hotfix")]
    [InlineData("customer shares cust1\n", 1, 17, "is a customer release")]
    [InlineData("customer shares cum9\n", 1, 17, "unknown release 'cum9'")]
    [InlineData("hot1: cumulative\nhotfix\n", 1, 1, "label 'hot1' is also the generated name of the release on line 2")]
    [InlineData("cumulative\ncum1: hotfix\n", 2, 1, "label 'cum1' is also the generated name of the release on line 1")]
    [InlineData("a-b: cumulative\na.b: hotfix\n", 2, 1, "the same function, a_b_fn,")]
    [InlineData("p\u00e4tch: cumulative\n", 1, 1, "is not a release label (ASCII letters")]
    [InlineData("x;y: cumulative\n", 1, 1, "is not a release label (ASCII letters")]
    [InlineData("update hot1\nhotfix\n", 1, 8, "an update names an earlier release")]
    [InlineData("cumulative state 0:v1\n", 1, 18, "not a state")]
    [InlineData("a: cumulative\na: hotfix\n", 2, 1, "used twice")]
    [InlineData("# nothing\n", 1, 1, "at least one release")]
    public void MalformedPlan_IsReportedAtItsLineAndColumn(string text, int line, int column, string message)
    {
        var e = Assert.Throws<InputException>(() => PlanParser.Parse(text, "p.plan"));

        var d = e.Diagnostics[0];
        Assert.Equal((line, column), (d.Line, d.Column));
        Assert.Contains(message, d.Message);
    }

    [Fact]
    public void PlanParser_CustomerSharesALaterRelease_ResolvesTheForwardReference()
    {
        var plan = PlanParser.Parse("cust1: customer shares cum1\ncum1: cumulative\n", "p.plan");

        Assert.Equal(1, plan.Releases[0].SharesWith);
    }

    [Fact]
    public void DefaultPlans_PrintedAndReadBack_GiveEqualPlans()
    {
        var plans = InputOptions.DefaultPlans.Enumerate().ToList();
        Assert.Equal(1582, plans.Count);
        Assert.Contains(plans, p => p.Releases.Select((r, i) => r.SharesWith > i).Any(later => later));

        foreach (var plan in plans)
        {
            var back = PlanParser.Parse(plan.ToString(), "p.plan");

            Assert.Equal(plan.Releases.ToArray(), back.Releases.ToArray());
            Assert.Equal(plan.Names.ToArray(), back.Names.ToArray());
        }
    }
}
