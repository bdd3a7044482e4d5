using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Klp.Check.Model;

namespace Klp.Check.Tests.ModelTests;

public class ProposalTextProperties
{
    private static readonly string[] corpus =
        [.. Directory.GetFiles(RepositoryFiles.Full("proposals"), "*.proposal", SearchOption.AllDirectories).Order().Select(File.ReadAllText)];

    private static readonly string alphabet = ":#-\n\t \u0000\uFFFDaz|+()=01";

    /// <summary>Shipped proposal files with up to six characters deleted, inserted or replaced.</summary>
    public static Gen<string> Mutants() => TextMutants.Of(corpus, alphabet);

    private static Property ParsesOrPointsAtTheProblem(string text)
    {
        var reading = ProposalText.Parse(text, "fuzz", out var error);
        var lines = text.Split('\n').Length;
        var ok = reading is not null
            ? error is null
            : error is { } e && e.Line >= 1 && e.Line <= lines && e.Column >= 1 && e.Message.Length > 0 && !e.Message.Contains('\n');
        return ok.Label($"reading {(reading is null ? "none" : reading.Name)}, error {error}")
            .Classify(reading is not null, "still a proposal");
    }

    [Property(MaxTest = 500)]
    public Property MutatedShippedProposal_ParsesOrGivesOnePositionedError() =>
        Prop.ForAll(Mutants().ToArbitrary(), ParsesOrPointsAtTheProblem);

    [Property(MaxTest = 300)]
    public Property ArbitraryText_ParsesOrGivesOnePositionedError(string? text) => ParsesOrPointsAtTheProblem(text ?? "");
}
