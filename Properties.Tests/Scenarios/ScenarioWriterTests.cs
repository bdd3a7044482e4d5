using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Tests.Scenarios;

public class ScenarioWriterTests
{
    private const string Source = """
        title two patches in two sets
        patch a cumulative sets={1} funcs={fa}
        patch b cumulative sets={2} funcs={fa}
        load a
        load b
        """;

    private static (Scenario Scenario, Reading Reading, List<Operation> Trace) Parsed()
    {
        var scenario = ScenarioParser.Parse(Source, "writer.klp");
        return (scenario, Readings.Find("set")!, [.. scenario.Steps.Skip(1).Select(s => s.Operation!.Value)]);
    }

    [Fact]
    public void Expectation_LoadThatReplacesNothing_SaysNothingAsTheScenarioSyntaxDoes()
    {
        var (scenario, reading, trace) = Parsed();
        var outcomes = new Trace(scenario.Catalog, reading, trace).Replay();

        Assert.Equal("accepted replaces nothing", ScenarioWriter.Expectation(scenario.Catalog, outcomes[0]));
        Assert.StartsWith("refused ", ScenarioWriter.Expectation(scenario.Catalog, outcomes[1]));
    }

    [Fact]
    public void Write_TraceOfALoadAndARefusal_ReplaysWithEveryExpectationHolding()
    {
        var (scenario, reading, trace) = Parsed();

        var text = ScenarioWriter.Write("written", scenario.Catalog, reading, trace);
        var written = ScenarioParser.Parse(text, "written.klp");
        var replay = Replayer.Run(written, Replayer.Columns(written, [reading], null));

        Assert.Contains("expect accepted replaces nothing", text);
        Assert.True(replay.Checked >= 4);
        Assert.Empty(replay.Failures);
    }
}
