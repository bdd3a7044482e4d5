using System.Text;
using Klp.Check.Comparison;
using Klp.Check.Equivalence;
using Klp.Check.Scenarios;
using Klp.Check.Verdicts;

namespace Klp.Check.Reports;

/// <summary>Draws traces as Mermaid flowcharts for Markdown (GitHub and GitLab render them): a row of states per lane, each step an edge.</summary>
public static class MermaidTrace
{
    // A label's text as Mermaid shows it: every character that could end the label or start
    // markup (HTML, a Markdown string, a comment, an entity) as an entity code, a line end as \xNN.
    private static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var ch in Terminal.Escape(s, keepLineFeeds: false))
        {
            sb.Append(ch switch
            {
                '#' => "#35;",
                '"' => "#quot;",
                '<' => "#lt;",
                '>' => "#gt;",
                '|' => "#124;",
                '`' => "#96;",
                '%' => "#37;",
                '&' => "#38;",
                _ => ch.ToString(),
            });
        }
        return sb.ToString();
    }

    private static string Label(FrameView v)
    {
        var lines = new List<string>();
        foreach (var g in v.Groups) lines.Add($"{g.Sets}: {string.Join(" ", g.Patches)}");
        if (lines.Count == 0) lines.Add("no patch enabled");
        if (v.Transition is not null) lines.Add(v.Transition);
        foreach (var gone in v.Gone) lines.Add("\u2715 " + gone);
        return string.Join("<br>", lines.Select(Quote));
    }

    /// <summary>One fenced <c>mermaid</c> block: per lane a subgraph from the empty kernel through every step; marked steps end in a highlighted state.</summary>
    public static string Render(TracePicture picture)
    {
        var sb = new StringBuilder();
        sb.AppendLine("```mermaid");
        sb.AppendLine("flowchart LR");
        sb.AppendLine("  classDef broken fill:#fbe1d0,stroke:#D55E00,stroke-width:3px");
        sb.AppendLine("  classDef reached fill:#dcf2ea,stroke:#009E73,stroke-width:3px");
        for (var k = 0; k < picture.Lanes.Count; k++)
        {
            var lane = picture.Lanes[k];
            sb.AppendLine($"  subgraph L{k}[\"{Quote(lane.Label)}\"]");
            sb.AppendLine("    direction LR");
            sb.AppendLine($"    L{k}S0[\"no patch enabled\"]");
            for (var i = 0; i < lane.Views.Count; i++)
            {
                var v = lane.Views[i];
                var marked = picture.Marked.Contains(i);
                var head = marked ? Quote($"{(picture.Broken ? "\u2717" : "\u2713")} {picture.Mark}") + "<br>" : "";
                sb.AppendLine($"    L{k}S{i + 1}[\"{head}{Label(v)}\"]");
                var edge = Quote($"{i + 1}. {picture.Operations[i]}" + (v.Refused ? $": {v.Outcome}" : ""));
                sb.AppendLine($"    L{k}S{i} -->|\"{edge}\"| L{k}S{i + 1}");
                if (marked) sb.AppendLine($"    class L{k}S{i + 1} {(picture.Broken ? "broken" : "reached")}");
            }
            sb.AppendLine("  end");
        }
        sb.AppendLine("```");
        return sb.ToString();
    }

    private static string Section(IEnumerable<(string Heading, TracePicture Picture)> traces, string h)
    {
        var sb = new StringBuilder();
        foreach (var (heading, picture) in traces)
        {
            if (sb.Length == 0) sb.AppendLine().AppendLine($"{h} Traces as diagrams");
            sb.AppendLine().AppendLine(heading).AppendLine().Append(Render(picture));
        }
        return sb.ToString();
    }

    /// <summary>The diagrams of a comparison's violations (grouped as its Markdown groups them) and of its distinguishing traces.</summary>
    public static string ForComparison(ComparisonResult c, string h = "####") => Section(
        ComparisonReport.ViolationGroups(c).Where(g => g.First().Trace is not null)
            .Select(g => ($"`{g.Key.Id}` under {string.Join(", ", g.Select(v => MarkdownText.Code(v.Reading.DisplayName)))}:", TracePicture.OfVerdicts([.. g])))
            .Concat(c.Equivalence is { } eq ? Differences(eq) : []), h);

    /// <summary>The diagrams of every verdict with a trace (violations and witnesses) of one reading.</summary>
    public static string ForVerdicts(IEnumerable<Verdict> verdicts, string h = "####") => Section(
        verdicts.Where(v => v.Trace is not null && v.Catalog is not null)
            .Select(v => ($"`{v.Property.Id}` ({v.Word}):", TracePicture.OfVerdicts([v]))), h);

    /// <summary>The diagrams of each pair of classes' distinguishing trace.</summary>
    public static string ForEquivalence(EquivalenceResult r, string h = "###") => Section(Differences(r), h);

    private static IEnumerable<(string, TracePicture)> Differences(EquivalenceResult r) =>
        r.Differences.Select(d => ($"classes {d.First + 1} and {d.Second + 1}:", TracePicture.OfDivergence(d.Divergence)));

    /// <summary>The diagram of each replayed scenario, readings that agree at every step merged into one lane.</summary>
    public static string ForReplays(IReadOnlyList<ReplayResult> results, string h = "###") => Section(
        results.Select(r => ($"{MarkdownText.Code(r.Scenario.Path)}:", TracePicture.OfReplay(r))), h);
}
