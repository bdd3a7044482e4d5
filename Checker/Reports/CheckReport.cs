using System.Text;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Verdicts;

namespace Klp.Check.Reports;

/// <summary>Renders the result of <c>klp-check check</c>, exhaustive or on random runs, as plain text, Markdown or JSON.</summary>
public static class CheckReport
{
    /// <summary>What the counts of a holding verdict and the marks of a violation mean.</summary>
    public const string Legend = "'holds: N inputs' counts the inputs that give the property something to check; "
        + "'its case happens in M inputs' counts those where the situation it guards (a replace, a downgrade, a "
        + "customer patch...) is reached, so M = 0 means it holds only vacuously. A violation names its input and "
        + "its shortest trace ($); VIOLATED[F], [S] or [FS]: violated only on inputs where a customer patch shares a "
        + "function with a vendor patch (F), where patches declare states (S), or both (FS).";

    /// <summary>What the verdicts a cap leaves open mean, for a run a cap cut.</summary>
    public static string CutLegend(ReadingResult result) =>
        "inconclusive: a cap cut the exploration of an input the property applies to, and the answer lies in "
        + "what it left unexplored: a safety property has no violation in the explored part, a liveness property has none established, a "
        + $"witness was not reached there; never holds ({ReportScope.Raise})."
        + (result.Verdicts.Any(v => v.Kind == VerdictKind.Violated && !v.Exhaustive)
            ? " VIOLATED[F]? and the like: violated, but a cap cut an input without the letters, so they are not established." : "");

    /// <summary>The header line of a run a cap cut, or null.</summary>
    public static string? NotExhaustive(InputSource source, ReadingResult result) =>
        ReportScope.NotExhaustive([.. result.Coverage.Cut], source.Count,
            "where no violation was found, no property is shown to hold");

    /// <summary>An exhaustive result as plain text: one line per verdict, violations with their input and trace, the legend and the coverage.</summary>
    public static string Text(InputSource source, ReadingResult result)
    {
        var sb = new StringBuilder();
        var r = result.Reading;
        sb.AppendLine($"klp-check check: {r.DisplayName}, mode {ReadingOptionText.ModeName(r.Options.Granularity)}");
        ReportScope.AppendWrapped(sb, "scope: " + ReportScope.Of(source));
        ReportScope.AppendWrapped(sb, NotExhaustive(source, result));
        sb.AppendLine();
        foreach (var v in result.Verdicts)
        {
            var word = v.Kind == VerdictKind.Violated ? v.Word.ToUpperInvariant() + (v.Exhaustive ? "" : "?") : v.Word;
            var head = $"{v.Property.Id,-22}{word,-13}";
            var lines = TextLayout.Wrap(v.Detail.Split(' '), new string(' ', 35)).ToList();
            sb.AppendLine(head + lines[0].TrimStart());
            foreach (var l in lines.Skip(1)) sb.AppendLine(l);
            if (v.Trace is not null && v.Kind == VerdictKind.Violated)
            {
                if (source.Count > 1)
                    foreach (var l in ComparisonReport.InputLines(v, "    ")) sb.AppendLine(l);
                foreach (var l in TextLayout.Wrap(ComparisonReport.TraceText(v).Split(' '), "    $ ")) sb.AppendLine(l);
            }
        }
        sb.AppendLine();
        foreach (var line in TextLayout.Wrap(Legend.Split(' '), "")) sb.AppendLine(line);
        if (!result.Exhaustive) ReportScope.AppendWrapped(sb, CutLegend(result));
        sb.AppendLine();
        foreach (var line in CoverageLines(result.Coverage)) sb.AppendLine(line);
        return sb.ToString();
    }

    /// <summary>Coverage in words: states, transitions, depth, accepted operations, refusals by reason, operations never enabled.</summary>
    public static IEnumerable<string> CoverageLines(Coverage c)
    {
        var head = $"coverage: {c.States} states, {c.Transitions} transitions, depth {c.MaxDepth}, {c.Catalogs} catalogs, "
            + (c.Cut.Count == 0 ? "every exploration exhaustive" : $"{c.Cut.Count} cut by a cap ({c.Cut[0]})")
            + (c.CollisionProbability > 0 ? $", fingerprint collision probability {c.CollisionProbability:E1}" : "");
        foreach (var l in TextLayout.Wrap(head.Split(' '), "")) yield return l;
        var accepted = string.Join(", ", c.AcceptedByKind.OrderBy(kv => kv.Key).Where(kv => kv.Value > 0).Select(kv => $"{kv.Key.ToString().ToLowerInvariant()} {kv.Value}"));
        foreach (var l in TextLayout.Wrap(("accepted: " + accepted).Split(' '), "  ")) yield return l;
        var refused = string.Join(", ", c.RefusedByReason.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key.Name()} {kv.Value}"));
        foreach (var l in TextLayout.Wrap(("refused: " + (refused.Length == 0 ? "none" : refused)).Split(' '), "  ")) yield return l;
        var never = c.AcceptedByKind.Where(kv => kv.Value == 0).Select(kv => kv.Key.ToString().ToLowerInvariant()).Order().ToList();
        yield return "  never enabled: " + (never.Count == 0 ? "none" : string.Join(", ", never));
    }

    /// <summary>The line on standard error after an exhaustive check: states, seconds and states per second.</summary>
    public static string StatesLine(ReadingResult result)
    {
        var seconds = Math.Max(result.Coverage.Elapsed.TotalSeconds, 1e-9);
        return $"klp-check: {result.Coverage.States} states in {seconds:F2} s ({result.Coverage.States / seconds:N0} states/s)";
    }

    /// <summary>An exhaustive result as Markdown: a table of verdicts with their traces, then the coverage.</summary>
    public static string Markdown(InputSource source, ReadingResult result)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"### klp-check check: {MarkdownText.Code(result.Reading.DisplayName)}");
        sb.AppendLine();
        sb.AppendLine($"Scope: {ReportScope.Markdown(source)}.");
        ReportScope.AppendMarkdown(sb, NotExhaustive(source, result));
        sb.AppendLine();
        sb.AppendLine("| property | verdict | detail | trace |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var v in result.Verdicts)
            sb.AppendLine($"| `{v.Property.Id}` | {(v.Kind == VerdictKind.Violated ? $"**{v.Word}**{(v.Exhaustive ? "" : "?")}" : v.Word)} | {MarkdownText.Plain(v.Detail)} | {(v.Trace is null ? "" : MarkdownText.CellCode(ComparisonReport.TraceText(v)))} |");
        sb.AppendLine();
        foreach (var line in CoverageLines(result.Coverage)) sb.AppendLine(line.TrimStart());
        return sb.ToString();
    }

    /// <summary>An exhaustive result as JSON (docs/json.md): the input, the reading and every verdict.</summary>
    public static string Json(InputSource source, ReadingResult result)
    {
        return JsonReport.Write("check", w =>
        {
            JsonReport.WriteInput(w, source);
            w.WriteString("scope", ReportScope.Of(source));
            w.WriteBoolean("complete", result.Complete);
            JsonReport.WriteExhaustive(w, result.Coverage.Cut.Select(c => ((string?)null, c)));
            w.WritePropertyName("reading");
            ModelJson.WriteReading(w, result.Reading);
            w.WriteStartArray("verdicts");
            foreach (var v in result.Verdicts) ComparisonReport.WriteVerdict(w, v);
            w.WriteEndArray();
        });
    }

    /// <summary>The result of random runs in a format (text, markdown, json): what held or the shrunk counterexample as a scenario, and how to reproduce it.</summary>
    /// <param name="result">The runs and their counterexample, if any.</param>
    /// <param name="reading">The reading checked.</param>
    /// <param name="length">The most operations per run.</param>
    /// <param name="scenario">The counterexample as a scenario file, or null when every run held.</param>
    /// <param name="format">text, markdown or json.</param>
    public static string Random(RandomResult result, Reading reading, int length, string? scenario, string format)
    {
        var (runs, s) = (result.Runs, result.Seed);
        var reproduce = $"--random {runs} --length {length} --seed {s}";
        if (format == "json")
        {
            return JsonReport.Write("check", w =>
            {
                w.WriteString("mode", "random");
                w.WriteNumber("seed", s);
                w.WriteNumber("runs", runs);
                w.WriteBoolean("complete", !result.Interrupted);
                w.WriteNumber("checked", result.Checked);
                w.WriteNumber("length", length);
                w.WritePropertyName("reading");
                ModelJson.WriteReading(w, reading);
                if (result.Counterexample is { } cx)
                {
                    w.WriteString("property", result.Property!.Id);
                    w.WriteString("detail", result.Message);
                    w.WriteStartArray("trace");
                    foreach (var op in cx.Operations) w.WriteStringValue(op.Format(cx.Catalog));
                    w.WriteEndArray();
                    w.WriteString("scenario", scenario);
                }
                else w.WriteNull("property");
            });
        }
        var sb = new StringBuilder();
        void Paragraph(string text, string indent = "")
        {
            foreach (var l in TextLayout.Wrap(text.Split(' '), indent)) sb.AppendLine(l);
        }
        var held = result.Interrupted
            ? $"interrupted after {result.Checked} of {runs} runs: every safety property held on the {result.Checked} runs checked"
            : "every safety property held on every run (liveness and witnesses need exhaustive exploration)";
        var shrunk = result.Interrupted ? "counterexample, shrinking interrupted" : "minimal counterexample after shrinking";
        if (format == "markdown")
        {
            sb.AppendLine($"### klp-check check: `{reading.DisplayName}`, {runs} random runs of up to {length} operations, seed {s}");
            sb.AppendLine();
            if (scenario is null) sb.AppendLine(char.ToUpperInvariant(held[0]) + held[1..] + ".");
            else
            {
                sb.AppendLine($"**`{result.Property!.Id}` violated**: {result.Message}");
                sb.AppendLine();
                sb.AppendLine($"{char.ToUpperInvariant(shrunk[0]) + shrunk[1..]} ({result.Counterexample!.Operations.Count} operations):");
                sb.AppendLine();
                sb.AppendLine("```");
                sb.Append(scenario);
                sb.AppendLine("```");
            }
            sb.AppendLine();
            sb.AppendLine($"Reproduce with `{reproduce}`.");
            return sb.ToString();
        }
        Paragraph($"klp-check check: {reading.DisplayName}, {runs} random runs of up to {length} operations, seed {s}");
        if (scenario is null) Paragraph(held);
        else
        {
            Paragraph($"{result.Property!.Id} VIOLATED: {result.Message}");
            sb.AppendLine($"{shrunk} ({result.Counterexample!.Operations.Count} operations):");
            if (scenario.Split('\n').Any(l => l.Length > TextLayout.Width))
                Paragraph("(long lines are wrapped here, with their continuation indented; --traces DIR writes the file to replay)");
            sb.AppendLine();
            foreach (var l in scenario.TrimEnd('\n').Split('\n'))
            {
                if (l.Length <= TextLayout.Width) sb.AppendLine(l);
                else Paragraph(l, "    ");
            }
        }
        sb.AppendLine();
        sb.AppendLine("reproduce with: " + reproduce);
        return sb.ToString();
    }
}
