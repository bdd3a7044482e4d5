using Klp.Check.Conformance;
using Klp.Check.Scenarios;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Scenarios;

/// <summary>
/// The scenarios of Properties.Tests/Scenarios/failing/: wrong expectations of every clause kind,
/// each wrong in one way (an extra member, a missing one, another order where order matters,
/// another errno, another reason, another patch or version). Each wrong expectation follows a
/// line <c># must fail, got: TEXT</c>; every other expectation of the file must hold.
/// </summary>
/// <remarks>
/// The shipped scenarios test only expectations that hold, so a clause that holds too often
/// (<c>enabled</c> compared as a subset, <c>refused</c> ignoring the reason) passed every one of
/// them. These files live outside scenarios/, which <c>compare</c> and the shipped-scenario test
/// replay expecting every expectation to hold.
/// </remarks>
public class FailingScenarioTests
{
    private const string Folder = "Properties.Tests/Scenarios/failing";
    private const string Marker = "# must fail, got: ";

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in RepositoryFiles.Scenarios(Folder)) data.Add(f);
        return data;
    }

    /// <summary>The wrong expectations a file marks: line, column, clause text and what is observed instead.</summary>
    private static List<(int Line, int Column, string Text, string Actual)> Marked(string file)
    {
        var lines = File.ReadAllLines(RepositoryFiles.Full(file));
        var marked = new List<(int, int, string, string)>();
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (!lines[i].StartsWith(Marker, StringComparison.Ordinal)) continue;
            var expect = lines[i + 1];
            Assert.True(expect.StartsWith("expect ", StringComparison.Ordinal) && !expect.Contains(';'),
                $"{file}:{i + 2}: a marked line must be one unqualified expectation with one clause");
            marked.Add((i + 2, "expect ".Length + 1, expect["expect ".Length..], lines[i][Marker.Length..]));
        }
        return marked;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void FailingScenario_Replayed_FailsExactlyTheMarkedExpectationsWithWhatWasObserved(string file)
    {
        var scenario = ScenarioParser.ParseFile(RepositoryFiles.Full(file));
        var reading = Assert.Single(scenario.ExpectationReadings!);
        var marked = Marked(file);

        var result = Replayer.Run(scenario, Replayer.Columns(scenario, null, null));

        Assert.NotEmpty(marked);
        Assert.True(result.Checked > marked.Count, $"{file}: no expectation that holds beside the {marked.Count} that fail");
        Assert.All(result.Failures, f => Assert.Equal(reading.DisplayName, f.Reading.DisplayName));
        Assert.Equal(marked, result.Failures.Select(f => (f.Expectation.Line, f.Expectation.Column, f.Expectation.Text, f.Actual)));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void FailingScenario_ReplayCommand_ExitsOneAndNamesEachFailingLine(string file)
    {
        var path = RepositoryFiles.Full(file);
        var scenario = ScenarioParser.ParseFile(path);
        var reading = scenario.ExpectationReadings![0].DisplayName;
        var marked = Marked(file);

        var (code, output, err) = Run("replay", path);

        Assert.Equal(1, code);
        Assert.DoesNotContain("all hold", output);
        Assert.Contains($"{marked.Count} of ", output);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            marked.Select(m => $"{path}:{m.Line}:{m.Column}: expectation failed under {reading}: expected '{m.Text}', got '"),
            lines.Select(l => l[..(l.IndexOf(", got '", StringComparison.Ordinal) + ", got '".Length)]));
    }

    [Fact]
    public void FailingScenarios_MarkAWrongExpectationOfEveryClauseKind()
    {
        // loaded and pinned share one clause type; each gets its own file.
        static string Kind(Clause c) => c is ModulesClause m ? (m.Pinned ? "pinned" : "loaded") : c.GetType().Name;
        var kinds = typeof(Clause).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Clause)) && !t.IsAbstract)
            .SelectMany(t => t == typeof(ModulesClause) ? ["loaded", "pinned"] : new[] { t.Name })
            .ToHashSet();
        var covered = new HashSet<string>();
        foreach (var file in RepositoryFiles.Scenarios(Folder))
        {
            var scenario = ScenarioParser.ParseFile(RepositoryFiles.Full(file));
            var lines = Marked(file).Select(m => m.Line).ToHashSet();
            foreach (var e in scenario.Steps.SelectMany(s => s.Expectations).Where(e => lines.Contains(e.Line)))
                covered.Add(Kind(e.Clause));
        }

        Assert.Empty(kinds.Except(covered));
    }
}
