using System.Text.Json;
using System.Text;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Reports;

/// <summary>Renders replays as plain text, Markdown or JSON (docs/json.md).</summary>
public static class ReplayReport
{
    /// <summary>Plain text that fits an 80-column email: per step, the readings grouped by identical result.</summary>
    public static string Text(IReadOnlyList<ReplayResult> results, Terminal terminal)
    {
        var sb = new StringBuilder();
        foreach (var result in results)
        {
            if (sb.Length > 0) sb.AppendLine();
            var s = result.Scenario;
            foreach (var line in TextLayout.Wrap(s.Title.Split(' '), "")) sb.AppendLine(terminal.Bold(line));
            foreach (var line in TextLayout.Wrap($"{s.Path}, mode {ModeName(result)}".Split(' '), "")) sb.AppendLine(line);
            for (var i = 0; i < result.Steps.Count; i++)
            {
                var step = result.Steps[i];
                if (step.Step.Operation is null && step.Step.Expectations.Count == 0) continue;
                sb.AppendLine();
                var head = step.Step.Operation is null ? "   initial state" : $"{i,2}. {step.Step.Text}";
                foreach (var line in TextLayout.Wrap(head.Split(' '), "", " ")) sb.AppendLine(line);
                if (step.Step.Note is { } note)
                    foreach (var line in TextLayout.Wrap(("<- " + note).Split(' '), "    ")) sb.AppendLine(line);
                foreach (var (readings, what) in Groups(result, i))
                {
                    var names = readings.Count == result.Readings.Count && readings.Count > 1 ? ["every reading"] : readings;
                    var single = $"    {string.Join(", ", names)}: {what}";
                    if (single.Length <= TextLayout.Width)
                    {
                        sb.AppendLine(Colourise(single, terminal));
                        continue;
                    }
                    var header = TextLayout.Wrap(names.Select((n, k) => k < names.Count - 1 ? n + "," : n + ":"), "    ").ToList();
                    foreach (var line in header) sb.AppendLine(line);
                    foreach (var line in TextLayout.Wrap(what.Split(' '), "        ")) sb.AppendLine(Colourise(line, terminal));
                }
                foreach (var f in result.Failures.Where(f => f.Expectation.Line > step.Step.Line && BelongsTo(result, f, i)))
                {
                    var msg = $"    FAIL {s.Path}:{f.Expectation.Line}:{f.Expectation.Column} [{f.Reading.DisplayName}] expected '{f.Expectation.Text}', got '{f.Actual}'";
                    foreach (var line in TextLayout.Wrap(msg.Trim().Split(' '), "    ")) sb.AppendLine(terminal.Red(line));
                }
            }
            sb.AppendLine();
            sb.AppendLine(Summary(result));
        }
        return sb.ToString();
    }

    private static string Colourise(string line, Terminal terminal) => line.Contains("refused ") ? terminal.Yellow(line) : line;

    private static bool BelongsTo(ReplayResult result, ExpectationFailure f, int stepIndex) =>
        result.Steps[stepIndex].Step.Expectations.Contains(f.Expectation);

    /// <summary>The closing line of a replay: how many expectations held.</summary>
    public static string Summary(ReplayResult result)
    {
        var n = result.Checked;
        var failed = result.Failures.Count;
        var readings = result.Readings.Count == 1 ? "1 reading" : $"{result.Readings.Count} readings";
        return failed == 0
            ? $"{n} expectation{(n == 1 ? "" : "s")} checked under {readings}: all hold"
            : $"{failed} of {n} expectation{(n == 1 ? "" : "s")} failed under {readings}";
    }

    private static string ModeName(ReplayResult result) =>
        ReadingOptionText.ModeName(result.Readings.Count > 0 ? result.Readings[0].Options.Granularity : Granularity.Atomic);

    private static List<(List<string> Readings, string What)> Groups(ReplayResult result, int stepIndex)
    {
        var step = result.Steps[stepIndex];
        var catalog = result.Scenario.Catalog;
        var groups = new List<(List<string>, string)>();
        for (var r = 0; r < result.Readings.Count; r++)
        {
            var what = $"{KernelStateText.Outcome(catalog, step.Step.Operation, step.Outcomes[r])}; enabled {KernelStateText.Enabled(catalog, result.States[stepIndex][r])}{KernelStateText.SplitCode(catalog, result.States[stepIndex][r])}";
            var g = groups.FindIndex(x => x.Item2 == what);
            if (g < 0) groups.Add(([result.Readings[r].DisplayName], what));
            else groups[g].Item1.Add(result.Readings[r].DisplayName);
        }
        return groups;
    }

    /// <summary>A Markdown table per scenario: one row per step, one column per reading.</summary>
    public static string Markdown(IReadOnlyList<ReplayResult> results)
    {
        var sb = new StringBuilder();
        foreach (var result in results)
        {
            if (sb.Length > 0) sb.AppendLine();
            var catalog = result.Scenario.Catalog;
            sb.AppendLine($"### {MarkdownText.Plain(result.Scenario.Title)}");
            sb.AppendLine();
            sb.AppendLine($"{MarkdownText.Code(result.Scenario.Path)}, mode {ModeName(result)}");
            sb.AppendLine();
            sb.Append("| # | operation |");
            foreach (var r in result.Readings) sb.Append($" {MarkdownText.Plain(r.DisplayName)} |");
            sb.AppendLine(" note |");
            sb.Append("|---|---|");
            foreach (var _ in result.Readings) sb.Append("---|");
            sb.AppendLine("---|");
            for (var i = 0; i < result.Steps.Count; i++)
            {
                var step = result.Steps[i];
                if (step.Step.Operation is null) continue;
                sb.Append($"| {i} | {MarkdownText.CellCode(step.Step.Text)} |");
                for (var r = 0; r < result.Readings.Count; r++)
                {
                    var failed = result.Failures.Any(f => f.Reading == result.Readings[r] && step.Step.Expectations.Contains(f.Expectation));
                    var cell = string.Join("<br>", KernelStateText.Observed(catalog, result.Readings[r], step.Step.Operation, step.Outcomes[r], result.States[i][r]).Select(MarkdownText.Plain));
                    sb.Append($" {(failed ? "**FAIL** " : "")}{cell} |");
                }
                sb.AppendLine($" {MarkdownText.Plain(step.Step.Note ?? "")} |");
            }
            if (result.Failures.Count > 0)
            {
                sb.AppendLine();
                foreach (var f in result.Failures)
                    sb.AppendLine($"- **FAIL** {MarkdownText.Code($"{result.Scenario.Path}:{f.Expectation.Line}:{f.Expectation.Column}")} \\[{MarkdownText.Plain(f.Reading.DisplayName)}\\] expected {MarkdownText.Code(f.Expectation.Text)}, got {MarkdownText.Code(f.Actual)}");
            }
            sb.AppendLine();
            sb.AppendLine(Summary(result));
        }
        return sb.ToString();
    }

    /// <summary>The JSON document of docs/json.md.</summary>
    public static string Json(IReadOnlyList<ReplayResult> results)
    {
        return JsonReport.Write("replay", w =>
        {
            w.WriteStartArray("scenarios");
            foreach (var result in results) WriteScenario(w, result);
            w.WriteEndArray();
        });
    }

    private static void WriteScenario(Utf8JsonWriter w, ReplayResult result)
    {
        var s = result.Scenario;
        var catalog = s.Catalog;
        w.WriteStartObject();
        w.WriteString("file", s.Path);
        w.WriteString("title", s.Title);
        w.WriteString("mode", ModeName(result));
        w.WriteStartArray("readings");
        foreach (var r in result.Readings) ModelJson.WriteReading(w, r);
        w.WriteEndArray();
        w.WriteStartArray("steps");
        for (var i = 0; i < result.Steps.Count; i++)
        {
            var step = result.Steps[i];
            if (step.Step.Operation is null) continue;
            w.WriteStartObject();
            w.WriteNumber("index", i);
            w.WriteNumber("line", step.Step.Line);
            w.WriteString("operation", step.Step.Text);
            w.WriteString("canonical", step.Step.Operation.Value.Format(catalog));
            if (step.Step.Note is null) w.WriteNull("note");
            else w.WriteString("note", step.Step.Note);
            w.WriteStartArray("results");
            for (var r = 0; r < result.Readings.Count; r++)
            {
                w.WriteStartObject();
                w.WriteString("reading", result.Readings[r].DisplayName);
                ModelJson.WriteOutcome(w, catalog, step.Outcomes[r]!.Value);
                ModelJson.WriteState(w, catalog, result.Readings[r], result.States[i][r]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("expectations");
        w.WriteNumber("checked", result.Checked);
        w.WriteNumber("failed", result.Failures.Count);
        w.WriteEndObject();
        w.WriteStartArray("failures");
        foreach (var f in result.Failures)
        {
            w.WriteStartObject();
            w.WriteNumber("line", f.Expectation.Line);
            w.WriteNumber("column", f.Expectation.Column);
            w.WriteString("reading", f.Reading.DisplayName);
            w.WriteString("expected", f.Expectation.Text);
            w.WriteString("actual", f.Actual);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
