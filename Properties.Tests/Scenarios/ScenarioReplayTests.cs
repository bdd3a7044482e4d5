using Klp.Check.Conformance;
using Klp.Check.Scenarios;

namespace Klp.Check.Tests.Scenarios;

public class ScenarioReplayTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in RepositoryFiles.Scenarios()) data.Add(f);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ShippedScenario_ReplayedUnderEveryReading_AllExpectationsHold(string file)
    {
        var scenario = ScenarioParser.ParseFile(RepositoryFiles.Full(file));
        var result = Replayer.Run(scenario, Replayer.Columns(scenario, null, null));

        Assert.True(result.Checked > 0, $"{file} checks no expectation");
        Assert.True(result.Failures.Count == 0, string.Join(Environment.NewLine, result.Failures.Select(f =>
            $"{file}:{f.Expectation.Line}:{f.Expectation.Column} [{f.Reading.DisplayName}] expected '{f.Expectation.Text}', got '{f.Actual}'")));
    }

    [Fact]
    public void KernelScenarios_CoverTheSelftestsTheIssueNames()
    {
        var titles = RepositoryFiles.Scenarios("scenarios/kernel")
            .Select(f => ScenarioParser.ParseFile(RepositoryFiles.Full(f)).Title)
            .ToList();
        string[] required =
        [
            "test-livepatch.sh 1", "test-livepatch.sh 2", "test-livepatch.sh 3",
            "test-state.sh 1", "test-state.sh 2", "test-state.sh 3", "test-state.sh 4",
            "test-sysfs.sh 5", "test-callbacks.sh 9", "test-callbacks.sh 11",
            "code 9.1", "code 9.2", "code 9.3", "code 9.4",
            "code 9.5", "code 9.6", "code 9.7", "code 9.8",
        ];
        foreach (var r in required)
            Assert.Contains(titles, t => t.StartsWith(r + ":", StringComparison.Ordinal));
    }
}
