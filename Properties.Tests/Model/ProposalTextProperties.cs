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
    public static Gen<string> Mutants() =>
        from file in Gen.Elements(corpus)
        from edits in Gen.ListOf(
            from kind in Gen.Choose(0, 2)
            from at in Gen.Choose(0, Math.Max(0, file.Length - 1))
            from ch in Gen.Elements(alphabet.ToCharArray())
            select (kind, at, ch)).Select(l => l.Take(6).ToList())
        select Apply(file, edits);

    private static string Apply(string text, List<(int Kind, int At, char Ch)> edits)
    {
        var sb = new System.Text.StringBuilder(text);
        foreach (var (kind, at, ch) in edits)
        {
            var i = Math.Min(at, sb.Length);
            if (kind == 0 && i < sb.Length) sb.Remove(i, 1);
            else if (kind == 1) sb.Insert(i, ch);
            else if (i < sb.Length) sb[i] = ch;
        }
        return sb.ToString();
    }

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
