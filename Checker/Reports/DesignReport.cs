using System.Text.Json;
using System.Text;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Reports;

/// <summary>Renders the design space as plain text, Markdown or JSON (docs/json.md, "design").</summary>
public static class DesignReport
{
    private static readonly Policies[] columns =
    [
        Policies.Replace, Policies.Membership, Policies.Zero, Policies.Arity, Policies.AddSets, Policies.Isolation, Policies.States, Policies.Encoding,
    ];

    private static string Short(Policies policy, string value) => policy switch
    {
        Policies.Isolation => value switch { "functions+states" => "f+s", "functions-only" => "f", _ => value },
        Policies.States => value == "block-disable" ? "block" : value,
        _ => value,
    };

    private static string Required(DesignResult r) => string.Join(", ", r.Required.Select(i => i.Id));

    private static string ModeName(DesignResult r) => ReadingOptionText.ModeName(r.Granularity);

    private static Policies Shown(DesignResult r) =>
        r.Points.Aggregate(Policies.None, (acc, p) => acc | DesignSpace.Describe(p.Reading, p.Relevant).Aggregate(Policies.None, (a, w) => a | w.Policy));

    private static Dictionary<Policies, string> Values(DesignPoint p) =>
        DesignSpace.Describe(p.Reading, p.Relevant).ToDictionary(w => w.Policy, w => w.Value);

    private static string Heading(Policies p) => DesignSpace.PolicyKeys.First(k => k.Policy == p).Key;

    /// <summary>Per required property, how many combinations broke it, for how many it was n/a, and for how many a cap left it inconclusive.</summary>
    public static IReadOnlyList<(Property Property, int Violated, int NotApplicable, int Inconclusive)> Failures(DesignResult r) =>
        [.. r.Required.Select((inv, k) => (inv,
            r.Points.Count(p => p.Verdicts[k].Kind == VerdictKind.Violated),
            r.Points.Count(p => p.Verdicts[k].Kind == VerdictKind.NotApplicable),
            r.Points.Count(p => p.Verdicts[k].Kind == VerdictKind.Inconclusive)))];

    private static string FailureText((Property Property, int Violated, int NotApplicable, int Inconclusive) f) =>
        $"violated by {f.Violated}" + (f.NotApplicable > 0 ? $", n/a for {f.NotApplicable}" : "") + (f.Inconclusive > 0 ? $", inconclusive for {f.Inconclusive}" : "");

    /// <summary>The header line of a design run a cap cut, or null.</summary>
    public static string? NotExhaustive(DesignResult r) =>
        ReportScope.NotExhaustive([.. r.Points.SelectMany(p => p.Cut)], (long)r.Points.Count * r.Source.Count,
            "a combination none of whose required properties is violated there is not decided, never kept");

    private static string Head(DesignResult r) =>
        $"{r.Points.Count} policy combinations tried, {r.Passing.Count} keep {Required(r)}"
        + (r.Undecided.Count > 0 ? $"; {r.Undecided.Count} not decided: a cap cut their exploration" : "");

    // The rows of some combinations under the policy columns, each numbered and with the presets it equals.
    private static void Table(StringBuilder sb, IReadOnlyList<DesignPoint> points, IReadOnlyList<Policies> cols)
    {
        var rows = points.Select(p => Values(p)).ToList();
        var widths = cols.Select(c => Math.Max(Heading(c).Length, rows.Max(v => v.TryGetValue(c, out var x) ? Short(c, x).Length : 1))).ToList();
        var header = new StringBuilder("  #");
        for (var k = 0; k < cols.Count; k++) header.Append(' ').Append(Heading(cols[k]).PadRight(widths[k]));
        sb.AppendLine(header.ToString().TrimEnd());
        for (var i = 0; i < points.Count; i++)
        {
            var row = new StringBuilder($"{i + 1,3}");
            for (var k = 0; k < cols.Count; k++)
                row.Append(' ').Append((rows[i].TryGetValue(cols[k], out var v) ? Short(cols[k], v) : "-").PadRight(widths[k]));
            var text = row.ToString().TrimEnd();
            var matches = points[i].Matches;
            if (matches.Count > 0)
            {
                var eq = $"= {string.Join(", ", matches)}";
                if (text.Length + 2 + eq.Length <= TextLayout.Width) text += "  " + eq;
                else
                {
                    sb.AppendLine(text);
                    foreach (var line in TextLayout.Wrap(eq.Split(' '), "      ")) sb.AppendLine(line);
                    continue;
                }
            }
            sb.AppendLine(text);
        }
    }

    /// <summary>Plain text for an 80-column email: the combinations that keep every required property, simplest first, with the presets they equal;
    /// then those a cap left undecided.</summary>
    public static string Text(DesignResult r)
    {
        var sb = new StringBuilder();
        var passing = r.Passing;
        foreach (var line in TextLayout.Wrap($"klp-check design: {Head(r)}".Split(' '), "")) sb.AppendLine(line);
        ReportScope.AppendWrapped(sb, $"scope: {ReportScope.Of(r.Source)}, mode {ModeName(r)}");
        ReportScope.AppendWrapped(sb, NotExhaustive(r));
        sb.AppendLine();
        var shown = Shown(r);
        var cols = columns.Where(c => (shown & c) != 0).ToList();
        if (passing.Count > 0)
        {
            Table(sb, passing, cols);
            sb.AppendLine();
            foreach (var line in TextLayout.Wrap(Legend(), "")) sb.AppendLine(line);
        }
        else sb.AppendLine(r.Undecided.Count > 0 ? "No combination is shown to keep every required property." : "No combination keeps every required property.");
        if (r.Undecided.Count > 0)
        {
            sb.AppendLine();
            ReportScope.AppendWrapped(sb, $"Not decided: no required property is violated in the explored part, but a cap cut an exploration ({ReportScope.Raise}); not kept, and design --write does not write them:");
            Table(sb, r.Undecided, cols);
        }
        sb.AppendLine();
        sb.AppendLine("Not kept (a combination may break several):");
        foreach (var f in Failures(r))
            sb.AppendLine($"  {f.Property.Id}: {FailureText(f)}");
        sb.AppendLine();
        sb.AppendLine(Totals(r));
        if (!r.Complete) sb.AppendLine($"interrupted: {r.Points.Count} of {r.Space} combinations checked");
        return sb.ToString();
    }

    private static IEnumerable<string> Legend() =>
        ("Columns are the keys of a proposal file (docs/proposals.md), values its words, except isolation f+s (functions+states),"
        + " f (functions-only) and states block (block-disable). replaces: flag, every entry if replace is set (upstream); intersect,"
        + " those whose sets meet the listed ones; subset, those whose sets lie within them. occupies: own, the first listed; listed,"
        + " every listed one. A dash: the policy cannot matter on these inputs. After the equals sign: the built-in readings with"
        + " these policies. design --write DIR writes each row as a proposal file.").Split(' ');

    /// <summary>The closing line: combinations and states explored.</summary>
    public static string Totals(DesignResult r) =>
        $"{r.Points.Count} of {r.Space} combinations checked, {r.States} states explored";

    /// <summary>Markdown: a table of the combinations that keep every required property.</summary>
    public static string Markdown(DesignResult r)
    {
        var sb = new StringBuilder();
        var passing = r.Passing;
        sb.AppendLine($"### klp-check design: {passing.Count} of {r.Points.Count} combinations keep {string.Join(", ", r.Required.Select(i => $"`{i.Id}`"))}"
            + (r.Undecided.Count > 0 ? $"; {r.Undecided.Count} not decided" : ""));
        sb.AppendLine();
        sb.AppendLine($"Scope: {ReportScope.Markdown(r.Source)}, mode {ModeName(r)}.");
        ReportScope.AppendMarkdown(sb, NotExhaustive(r));
        sb.AppendLine();
        var cols = columns.Where(c => (Shown(r) & c) != 0).ToList();
        if (passing.Count > 0) MarkdownTable(sb, passing, cols);
        else sb.AppendLine(r.Undecided.Count > 0 ? "No combination is shown to keep every required property." : "No combination keeps every required property.");
        if (r.Undecided.Count > 0)
        {
            sb.AppendLine().AppendLine($"Not decided: no required property is violated in the explored part, but a cap cut an exploration; not kept, and `design --write` does not write them.").AppendLine();
            MarkdownTable(sb, r.Undecided, cols);
        }
        sb.AppendLine();
        foreach (var f in Failures(r))
            sb.AppendLine($"- `{f.Property.Id}`: {FailureText(f)}");
        sb.AppendLine();
        sb.AppendLine(Totals(r));
        return sb.ToString();
    }

    private static void MarkdownTable(StringBuilder sb, IReadOnlyList<DesignPoint> points, IReadOnlyList<Policies> cols)
    {
        sb.Append("| # |");
        foreach (var c in cols) sb.Append($" {Heading(c)} |");
        sb.AppendLine(" presets |");
        sb.Append("|---|");
        foreach (var _ in cols) sb.Append("---|");
        sb.AppendLine("---|");
        for (var i = 0; i < points.Count; i++)
        {
            var v = Values(points[i]);
            sb.Append($"| {i + 1} |");
            foreach (var c in cols) sb.Append($" {(v.TryGetValue(c, out var x) ? x : "-")} |");
            sb.AppendLine($" {string.Join(", ", points[i].Matches.Select(MarkdownText.CellCode))} |");
        }
    }

    /// <summary>The JSON document of <c>klp-check design</c> (docs/json.md).</summary>
    public static string Json(DesignResult r)
    {
        return JsonReport.Write("design", w =>
        {
            w.WriteBoolean("complete", r.Complete);
            JsonReport.WriteInput(w, r.Source);
            w.WriteString("scope", ReportScope.Of(r.Source));
            w.WriteBoolean("exhaustive", r.Exhaustive);
            w.WriteString("mode", ModeName(r));
            w.WriteStartArray("required");
            foreach (var inv in r.Required) w.WriteStringValue(inv.Id);
            w.WriteEndArray();
            w.WriteNumber("space", r.Space);
            w.WriteNumber("tried", r.Points.Count);
            w.WriteNumber("kept", r.Passing.Count);
            w.WriteNumber("undecided", r.Undecided.Count);
            w.WriteNumber("states", r.States);
            w.WriteStartArray("combinations");
            foreach (var p in r.Points)
            {
                w.WriteStartObject();
                w.WriteBoolean("keeps", p.Keeps);
                w.WriteBoolean("decided", p.Decided);
                JsonReport.WriteExhaustive(w, p.Cut.Select(c => ((string?)null, c)));
                w.WriteNumber("simplicity", p.Simplicity);
                w.WriteStartObject("policies");
                foreach (var (_, name, value) in DesignSpace.Describe(p.Reading, p.Relevant)) w.WriteString(name, value);
                w.WriteEndObject();
                w.WriteStartArray("matches");
                foreach (var m in p.Matches) w.WriteStringValue(m);
                w.WriteEndArray();
                w.WriteStartArray("verdicts");
                foreach (var v in p.Verdicts) ComparisonReport.WriteVerdict(w, v, scenario: false);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

}
