using System.Text.Json;
using Klp.Check.Commands;
using Klp.Check.Conformance;
using Klp.Check.Equivalence;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Tests.Equivalence;

/// <summary>Two-phase readings that differ in what tasks run: lockstep finds it, and diff shows the function stacks of both sides.</summary>
public class DiffRunsTests
{
    private const string LostFix = "scenarios/thread/lost-fix-shared-function.klp";

    private static Reading TwoPhase(string name)
    {
        var r = Readings.Parse(name, out var error) ?? throw new InvalidOperationException(error);
        return r.WithGranularity(Granularity.TwoPhase);
    }

    private static (int Code, string Out, string Err) Diff(string format) => CliRunner.Run(
        "diff", "set(isolation=none)", "set", "--mode", "two-phase", "--observe", "runs",
        "--catalog", RepositoryFiles.Full(LostFix), "--format", format);

    [Fact]
    public void Lockstep_SetWithAndWithoutIsolationObservingRuns_DiffersWhenTheHotfixLoads()
    {
        var catalog = ScenarioParser.ParseFile(RepositoryFiles.Full(LostFix)).Catalog;

        var d = new Lockstep().Run([catalog, catalog], [TwoPhase("set(isolation=none)"), TwoPhase("set")], Observed.Runs).Divergence;

        Assert.NotNull(d);
        Assert.Equal(["load a1", "complete", "load b1"], d.Trace.Select(o => o.Format(catalog)));
        Assert.Equal(Observed.Runs, d.Differs);
        var f = catalog.IndexOfFunction(new FunctionId(FunctionId.Vmlinux, "f", 0));
        Assert.Equal((1, 0), (FunctionStack.Runs(catalog, d.Views[0].After.State, f, true), FunctionStack.Runs(catalog, d.Views[0].After.State, f, false)));
    }

    [Fact]
    public void Lockstep_AtomicReadingsObservingRuns_DifferOnlyMidTransition()
    {
        var catalog = ScenarioParser.ParseFile(RepositoryFiles.Full(LostFix)).Catalog;
        Reading[] atomic = [Readings.Parse("set(isolation=none)", out _)!, Readings.Set];

        Assert.Null(new Lockstep().Run([catalog, catalog], atomic, Observed.Runs).Divergence);
        Assert.NotNull(new Lockstep().Run([catalog, catalog], atomic, Observed.Active).Divergence);
    }

    [Fact]
    public void Diff_TextWhereTasksRunDifferentCode_ShowsRunsAndTheStacksOfBothSides()
    {
        var (code, output, _) = Diff("text");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("differ in runs", output);
        Assert.Contains("runs f: set(isolation=none): b1 switched, a1 unswitched; set: a1 for all", output);
        Assert.Contains("stack of f: set(isolation=none): b1 (transition), a1; set: a1", output);
        Assert.All(output.Split('\n'), line => Assert.True(line.Length <= 80, line));
    }

    [Fact]
    public void Diff_MarkdownWhereTasksRunDifferentCode_ListsTheStacksOfBothSides()
    {
        var (_, output, _) = Diff("markdown");

        Assert.Contains("  - stack of f: set(isolation=none): b1 (transition), a1; set: a1", output);
    }

    [Fact]
    public void Diff_JsonWhereTasksRunDifferentCode_HasRunsAndEachSidesFuncStacks()
    {
        var (_, output, _) = Diff("json");

        using var doc = JsonDocument.Parse(output);
        var difference = doc.RootElement.GetProperty("differences")[0];
        Assert.Equal(["runs"], difference.GetProperty("differs").EnumerateArray().Select(e => e.GetString()));
        var heads = difference.GetProperty("views").EnumerateArray()
            .Select(v => v.GetProperty("after").GetProperty("funcStacks").GetProperty("f").GetProperty("entries")[0].GetProperty("patch").GetString());
        Assert.Equal(["b1", "a1"], heads);
    }
}
