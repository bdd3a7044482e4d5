using System.Text;
using Klp.Check.Inputs;
using Klp.Check.Verdicts;

namespace Klp.Check.Reports;

/// <summary>What a report's claims range over, for its header: the inputs, and whether a cap cut an exploration, so that bounded is never read as universal.</summary>
public static class ReportScope
{
    /// <summary>How a cut report tells the reader what to do.</summary>
    public const string Raise = "raise --max-states or --max-depth";

    private static bool Bounded(InputSource source) => source.Kind is "release plans" or "raw catalogs";

    private static string Patches(int n) => n == 1 ? "1 patch" : $"{n} patches";

    private static string Counts(InputSource source, string per) => Bounded(source)
        ? $"{Words.Count(source.Count, "input")}{per}, at most {Patches(source.MaxPatches)} each"
        : Patches(source.MaxPatches);

    /// <summary>The scope in words: <c>within release plans BOUNDS (N inputs, at most P patches each)</c>, or for one input <c>on catalog FILE (P patches)</c>.</summary>
    /// <param name="source">The inputs.</param>
    /// <param name="per">What the input count is per, e.g. " per reading"; empty for none.</param>
    public static string Of(InputSource source, string per = "") => Bounded(source)
        ? $"within {source.Kind} {source.Bound} ({Counts(source, per)})"
        : $"on {source.Kind} ({Counts(source, per)})";

    /// <summary><see cref="Of"/> for Markdown, the bounds as code.</summary>
    public static string Markdown(InputSource source, string per = "") => Bounded(source)
        ? $"within {MarkdownText.Plain(source.Kind)} {MarkdownText.Code(source.Bound)} ({Counts(source, per)})"
        : $"on {MarkdownText.Plain(source.Kind)} ({Counts(source, per)})";

    /// <summary>The caps that cut, in order of first appearance, e.g. "depth cap 1".</summary>
    public static string Caps(IEnumerable<CutInput> cuts) => string.Join(", ", cuts.Select(c => c.Cap).Distinct());

    /// <summary>A header line for a run a cap cut: which caps cut how many of the explorations and how many frontier states they left; null when none was cut.</summary>
    /// <param name="cuts">The cut explorations.</param>
    /// <param name="explorations">How many explorations the run made.</param>
    /// <param name="consequence">What the cut means for the report's claims.</param>
    public static string? NotExhaustive(IReadOnlyCollection<CutInput> cuts, long explorations, string consequence)
    {
        if (cuts.Count == 0) return null;
        var sb = new StringBuilder($"not exhaustive: {Caps(cuts)} cut {cuts.Count} of {Words.Count(explorations, "exploration")}");
        var frontier = cuts.Sum(c => c.Frontier);
        if (frontier > 0) sb.Append($", leaving {Words.Count(frontier, "frontier state")} with unexplored successors");
        return sb.Append(": ").Append(consequence).ToString();
    }

    /// <summary>Appends a header line of a cut run (none when null) as a Markdown paragraph in bold, with what to do about it.</summary>
    public static void AppendMarkdown(StringBuilder sb, string? line)
    {
        if (line is null) return;
        sb.AppendLine().AppendLine($"**{char.ToUpperInvariant(line[0])}{line[1..]}** ({Raise}).");
    }

    /// <summary>Appends a line wrapped to the text width.</summary>
    public static void AppendWrapped(StringBuilder sb, string? text, string indent = "")
    {
        if (text is null) return;
        foreach (var line in TextLayout.Wrap(text.Split(' '), indent)) sb.AppendLine(line);
    }
}
