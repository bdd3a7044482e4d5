using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Model;
using Klp.Check.Properties;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Model;

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

    // Words as a proposal's text values hold them: no blank or control character inside, and
    // every character Markdown, a comment or the format itself could misread.
    private static Gen<string> Words() =>
        Gen.Elements("see", "#5", "#", "a|b", "<script>", "`x`", "key:", "-", "_f_", "caf\u00e9", "\uFFFD", "https://lore.kernel.org/all/x@y/", new string('w', 90))
            .ListOf().Select(w => string.Join(" ", w.Take(40)));

    [Property(MaxTest = 300)]
    public Property ReadingsText_SavedAsAProposal_ParsesBackToTheSameReading() =>
        Prop.ForAll(
            Gen.Elements([.. Readings.All]).Zip(Words().Three(), (r, t) => r with { Description = t.Item1, Source = t.Item2, Fields = t.Item3 }).ToArbitrary(),
            r =>
            {
                var text = Klp.Check.Commands.ReadingsCommand.Render([r], "text");
                var back = ProposalText.Parse(text, "fallback", out var error);
                return (back == r && error is null)
                    .Label($"error {error}, back {back?.Description} / {back?.Source} / {back?.Fields}")
                    .Classify(text.Split('\n').Any(l => l.StartsWith("  #", StringComparison.Ordinal)), "a continuation line starts with #");
            });
}
