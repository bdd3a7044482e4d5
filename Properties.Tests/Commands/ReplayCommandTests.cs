using Klp.Check.Conformance;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Commands;

public class ReplayCommandTests
{
    private static string Temp(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"klp-{Guid.NewGuid():N}.klp");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Replay_AllExpectationsHold_ExitsZero()
    {
        var file = Temp("patch a funcs={f}\nload a\nexpect accepted; enabled {a}; active f = a\n");

        var (code, output, _) = Run("replay", "--reading", "upstream", file);

        Assert.Equal(0, code);
        Assert.Contains("all hold", output);
    }

    [Fact]
    public void Replay_WrongExpectation_ExitsOneAndNamesItsLine()
    {
        var file = Temp("patch a\nload a\nexpect refused\n");

        var (code, _, err) = Run("replay", "--reading", "flat", file);

        Assert.Equal(1, code);
        Assert.Contains($"{file}:3:8: expectation failed under flat: expected 'refused', got 'accepted", err);
    }

    [Fact]
    public void Replay_SyntaxError_ExitsTwoWithFileLineColumn()
    {
        var file = Temp("patch a\nload a add_sets={x}\n");

        var (code, output, err) = Run("replay", file);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith($"{file}:2:18: ", err);
    }

    [Theory]
    [InlineData("replay", "--reading", "nope", "x.klp")]
    [InlineData("replay", "--mode", "sometimes", "x.klp")]
    [InlineData("replay")]
    [InlineData("frobnicate")]
    public void Replay_BadUsage_ExitsTwo(params string[] args) => Assert.Equal(2, Run(args).Code);

    [Fact]
    public void Replay_PlainText_FitsAnEightyColumnEmail()
    {
        var (code, output, _) = Run("replay", RepositoryFiles.Full("scenarios/kernel/test-state-4.klp"));

        Assert.Equal(0, code);
        Assert.All(output.Split('\n'), line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        Assert.DoesNotContain("\u001b[", output);
    }

    [Fact]
    public void Replay_Json_IsValidAndCarriesEveryReading()
    {
        var file = Temp("patch a\nload a\nexpect accepted\n");

        var (code, output, _) = Run("replay", "--format", "json", file);

        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        var scenario = doc.RootElement.GetProperty("scenarios")[0];
        Assert.Equal(11, scenario.GetProperty("readings").GetArrayLength());
        Assert.Equal(11, scenario.GetProperty("steps")[0].GetProperty("results").GetArrayLength());
    }

    private const string observed = """
        patch a replace=false funcs={f} states={1:v1}
        patch b replace       funcs={g} states={1:v2}
        mode two-phase
        load a
        complete
        load b
        unload a
        """;

    // Issue 16.3: the JSON lacked the active code per function and the active states.
    [Fact]
    public void Replay_Json_EveryResultCarriesEveryObservable()
    {
        var (code, output, _) = Run("replay", "--reading", "upstream", "--format", "json", Temp(observed));

        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        var steps = doc.RootElement.GetProperty("scenarios")[0].GetProperty("steps");
        var load = steps[2].GetProperty("results")[0];
        Assert.Equal(
            ["reading", "accepted", "errno", "reason", "affected", "enabled", "patches", "occupied", "active", "funcStacks", "states", "transition", "loaded", "pinned"],
            load.EnumerateObject().Select(p => p.Name));
        Assert.Equal("""{"f":"a","g":"b"}""", Compact(load.GetProperty("active")));
        // b replaces a without patching f: its nop for f heads f's stack (klp_add_nops).
        Assert.Equal("""{"f":{"entries":[{"patch":"b","nop":true,"transition":true},{"patch":"a","nop":false,"transition":false}],"switched":null,"unswitched":"a"}"""
            + ""","g":{"entries":[{"patch":"b","nop":false,"transition":true}],"switched":"b","unswitched":null}}""", Compact(load.GetProperty("funcStacks")));
        Assert.Equal("""{"1":{"version":2,"blockDisable":false}}""", Compact(load.GetProperty("states")));
        Assert.Equal("""{"patch":"b","target":"patched","replacing":["a"]}""", Compact(load.GetProperty("transition")));
        var unload = steps[3].GetProperty("results")[0];
        Assert.Equal(("EAGAIN", "module-in-use"), (unload.GetProperty("errno").GetString(), unload.GetProperty("reason").GetString()));
        Assert.Equal("""["a","b"]""", Compact(unload.GetProperty("patches")));
    }

    private static string Compact(System.Text.Json.JsonElement e) => System.Text.Json.JsonSerializer.Serialize(e);

    [Fact]
    public void Replay_Markdown_EveryCellCarriesEveryObservable()
    {
        var (code, output, _) = Run("replay", "--reading", "upstream", "--format", "markdown", Temp(observed));

        Assert.Equal(0, code);
        var row = output.Split('\n').Single(l => l.StartsWith("| 3 |"));
        Assert.Contains("accepted, replaces a<br>enabled {a, b}; transition b patched<br>stack_order a = 1; stack_order b = 2<br>"
            + "active f = a; active g = b<br>runs f = original for switched tasks; runs f = a for unswitched tasks<br>"
            + "runs g = b for switched tasks; runs g = original for unswitched tasks<br>states {1:v2}<br>loaded {a, b}; pinned {}", row);
    }

    [Fact]
    public void Readings_ListsElevenReadings()
    {
        var (code, output, _) = Run("readings");

        Assert.Equal(0, code);
        Assert.Contains("11 readings", output);
        foreach (var name in Klp.Check.Model.Readings.All.Select(r => r.Name)) Assert.Contains("\nname: " + name + "\n", "\n" + output);
    }
}
