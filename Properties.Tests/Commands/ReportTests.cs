using System.Text.Json;
using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Commands;

public class ReportTests
{
    [Fact]
    public void SinglePlan_ViolationInvolvingNoState_CarriesNoFeatureLetters()
    {
        // The plan has a shared function and a state, but the shortest violation of
        // no-shared-function under upstream is two plain loads: the plan's features are not
        // what the violation needs, and one input cannot show which are.
        var plan = PlanParser.Parse("base: cumulative state 1:v1\nacme: hotfix\ncust1: customer shares base\n", "p.plan");

        var result = Verifier.Run(InputSource.Plan(plan, "p.plan"), Readings.Upstream, [PropertyRegistry.Find("no-shared-function")!], default);

        var v = Assert.Single(result.Verdicts);
        Assert.Equal(VerdictKind.Violated, v.Kind);
        Assert.Equal("violated", v.Word);
    }

    [Fact]
    public void CompareText_Violation_NamesThePlanItsTraceRanOn()
    {
        var (code, output, _) = Run("compare", "--bounds", "releases=3", "--no-scenarios", "-r", "upstream", "-r", "set");

        Assert.Equal(0, code);
        var lines = output.Split('\n');
        var at = Array.FindIndex(lines, l => l.StartsWith("no-shared-function: upstream", StringComparison.Ordinal));
        Assert.True(at > 0, output);
        Assert.StartsWith("    input: ", lines[at + 2]);
        Assert.StartsWith("    $ ", lines[at + 3]);
    }

    [Fact]
    public void ReadingsText_EveryReading_ListsEveryDefaultOption()
    {
        var (_, output, _) = Run("readings");

        foreach (var r in Readings.All)
        {
            var start = output.IndexOf($"name: {r.Name}\n", StringComparison.Ordinal);
            Assert.True(start >= 0, $"no block for {r.Name}");
            var block = output[start..];
            block = block[..(block.IndexOf("\n\n", StringComparison.Ordinal) is var end and >= 0 ? end : block.Length)];
            foreach (var option in ReadingOptionText.Format(r.Options)) Assert.Contains("\n" + option.Replace("=", ": ") + "\n", block + "\n");
        }
    }

    [Fact]
    public void DesignText_Legend_ExplainsEveryValueInTheTable()
    {
        var (_, output, _) = Run("design", "--require", "one-per-set", "--bounds", "releases=2");

        var lines = output.Split('\n');
        var head = Array.FindIndex(lines, l => l.TrimStart().StartsWith("# replaces", StringComparison.Ordinal));
        var legend = string.Join(" ", lines.SkipWhile(l => !l.StartsWith("Columns are", StringComparison.Ordinal)));
        var words = ProposalText.PolicyKeys.SelectMany(k => k.Values).Concat(ReadingOptionText.Options.SelectMany(o => o.Values)).ToHashSet();
        var values = lines.Skip(head + 1).TakeWhile(l => l.Trim().Length > 0)
            .SelectMany(l => l.Split('=')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            .Where(w => w != "-").Distinct().ToList();
        Assert.NotEmpty(values);
        // A value is a proposal file's own word (docs/proposals.md), or an abbreviation the legend spells out.
        Assert.All(values.Where(v => !words.Contains(v)), v => Assert.Contains($" {v} (", legend));
    }

    [Fact]
    public void CompareJson_EveryTopLevelKey_IsInTheDocs()
    {
        var (_, output, _) = Run("compare", "--bounds", "releases=2", "--no-scenarios", "--format", "json");
        var docs = File.ReadAllText(RepositoryFiles.Full("docs/json.md"));
        var section = docs[docs.IndexOf("## compare", StringComparison.Ordinal)..docs.IndexOf("## diff", StringComparison.Ordinal)];

        using var json = JsonDocument.Parse(output);

        Assert.All(json.RootElement.EnumerateObject(), p => Assert.Contains($"\"{p.Name}\"", section));
    }
}
