using System.Text.Json.Nodes;
using Klp.Check.Commands;
using Klp.Check.Conformance;
using Klp.Check.Model;
using static Klp.Check.Tests.Explore.ExploreFixtures;

namespace Klp.Check.Tests.Explore;

/// <summary>A release plan in the explorer: each reading steps on its own encoding of it.</summary>
public sealed class ExplorePlanTests : IDisposable
{
    private const string Plan = "klp-1a: cumulative\nuser: customer\nklp-2a: cumulative state 1:v1\nklp-2b: hotfix\nklp-2c: update klp-2b\n";
    private readonly ExploreFactory factory = new(ExploreCommand.Setup(null, Temp(Plan, "joe-dynamic.plan"), ["positional", "upstream", "flat-dynamic", "flat"], null, TextWriter.Null)!);
    private const string Trace = "load:klp-1a,load:user,load:klp-2b,load:klp-2a,load:klp-2c";

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task View_PlanUnderFourReadings_ShowsEachEncodingAndGroupsTheReadingsThatShareOne()
    {
        using var client = factory.CreateClient();

        var view = JsonNode.Parse(await client.GetStringAsync($"/api/view?t={Trace}"))!;

        Assert.Equal("joe-dynamic", (string?)view["catalog"]!["id"]);
        Assert.Equal("plan", (string?)view["catalog"]!["kind"]);
        Assert.Equal(Plan, ((string?)view["catalog"]!["plan"])!.Replace("\r", ""));
        // klp-2b's sets as each reading's encoder writes them: a set of its own, none (upstream), allocated at load.
        var hotfix = view["catalog"]!["patches"]!.AsArray().Single(p => (string?)p!["name"] == "klp-2b")!;
        Assert.Equal(["{2}", "{0}", "auto", "{2}"], hotfix["sets"]!.AsArray().Select(s => (string?)s));
        Assert.Equal([[0, 3], [1], [2]], view["saves"]!.AsArray().Select(g => g!["readings"]!.AsArray().Select(r => ReadingIndex((string)r!)).ToArray()));
    }

    private static int ReadingIndex(string name) => Array.IndexOf(["positional", "upstream", "flat-dynamic", "flat"], name);

    [Fact]
    public async Task Scenario_EachGroupOfAPlan_ReplaysWithEveryExpectationHolding()
    {
        using var client = factory.CreateClient();

        for (var g = 0; g < 3; g++)
            await AssertSavedScenarioReplays(client, $"/api/scenario?t={Trace}&g={g}");
    }

    [Fact]
    public async Task Differ_PlanEncodedByEachReading_FindsATrace()
    {
        using var client = factory.CreateClient();

        var body = JsonNode.Parse(await client.GetStringAsync("/api/differ?r=positional&r=flat-dynamic"))!;

        Assert.True((bool)body["found"]!);
        Assert.Equal("", factory.Log.ToString());
    }
}
