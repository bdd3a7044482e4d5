using System.Globalization;
using System.Text;
using Klp.Check.Model;
using Klp.Check.Proofs;
using Klp.Check.Scenarios;

namespace Klp.Check.Reports;

/// <summary>Renders the proofs of a reading as plain text, Markdown or JSON (docs/proofs.md); every form states the scope (the page is <see cref="Html.ProofPage"/>).</summary>
public static class ProofReport
{
    /// <summary>What the three verdicts mean.</summary>
    public const string Legend = "proved: holds for every input of the scope and every sequence of operations (k-induction, relative to the lemmas, each proved inductive). "
        + "violated: the input and the shortest trace found break it; the trace was replayed through Kernel.Step and the property's own check. "
        + "unknown: neither; the counterexample to induction is a state the lemmas allow from which the property fails within k steps, and it may be unreachable.";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString(t.TotalSeconds < 10 ? "F1" : "F0", CultureInfo.InvariantCulture) + " s";

    /// <summary>One line on how a verdict was reached.</summary>
    public static string How(ProofVerdict v) => v.Outcome switch
    {
        ProofOutcome.Proved => $"{v.Method}, k={v.K}, {v.Lemmas.Count} lemmas, N={v.Scope.Patches}{(v.EveryN ? " (so every N, by the cutoff)" : "")}, {v.Solver}, {Seconds(v.Time)}",
        ProofOutcome.Violated => $"{v.Detail} ({v.Trace!.Count} operations, found by {v.Solver} in {Seconds(v.Time)})",
        ProofOutcome.Unknown => $"{v.Detail} ({v.Solver}, {Seconds(v.Time)})",
        _ => v.Detail,
    };

    /// <summary>How many of each verdict, and the time they took.</summary>
    public static string Summary(ReadingProof r)
    {
        int Count(ProofOutcome o) => r.Verdicts.Count(v => v.Outcome == o);
        return $"{Count(ProofOutcome.Proved)} proved, {Count(ProofOutcome.Violated)} violated, {Count(ProofOutcome.Unknown)} unknown, {Count(ProofOutcome.NotApplicable)} n/a; "
            + $"{Seconds(r.Elapsed)} (the lemmas {Seconds(r.LemmaTime)} of it), solver processor time {Seconds(r.SolverCpu)}";
    }

    /// <summary>Plain text that fits 80 columns.</summary>
    public static string Text(ReadingProof r)
    {
        var sb = new StringBuilder();
        void Paragraph(string text, string indent = "")
        {
            foreach (var line in TextLayout.Wrap(text.Split(' '), indent)) sb.AppendLine(line);
        }
        sb.AppendLine($"klp-check prove: {r.Reading.DisplayName}, mode {ReadingOptionText.ModeName(r.Reading.Options.Granularity)}, solver {r.Solver}");
        Paragraph("scope: " + r.Scope.Describe(r.Reading));
        sb.AppendLine();
        foreach (var v in r.Verdicts)
        {
            var word = v.Outcome is ProofOutcome.Violated or ProofOutcome.Unknown ? v.Word.ToUpperInvariant() : v.Word;
            var lines = TextLayout.Wrap(How(v).Split(' '), new string(' ', 34)).ToList();
            sb.AppendLine($"{v.Property.Id,-22}{word,-12}{lines[0].TrimStart()}");
            foreach (var l in lines.Skip(1)) sb.AppendLine(l);
            if (v.Outcome == ProofOutcome.Violated)
            {
                Paragraph("input: " + v.Input!.TrimEnd().Replace("\n", "; "), "    ");
                Paragraph("$ " + v.TraceText, "    ");
            }
            if (v.CounterexampleToInduction is { } cti)
            {
                sb.AppendLine("    counterexample to induction:");
                foreach (var l in cti) Paragraph(l, "      ");
            }
        }
        sb.AppendLine();
        if (r.Lemmas.Count > 0 || r.Dropped.Count > 0)
        {
            Paragraph($"lemmas proved inductive, assumed by every proof above: {(r.Lemmas.Count == 0 ? "none" : string.Join(", ", r.Lemmas))}");
            if (r.Dropped.Count > 0) Paragraph($"candidates that are not invariants here: {string.Join(", ", r.Dropped)}");
        }
        Paragraph(Legend);
        Paragraph(Summary(r));
        return sb.ToString();
    }

    /// <summary>Markdown: a table of verdicts, then the traces and counterexamples to induction; every string through <see cref="MarkdownText"/>.</summary>
    public static string Markdown(ReadingProof r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"### klp-check prove: {MarkdownText.Code(r.Reading.DisplayName)}, mode {ReadingOptionText.ModeName(r.Reading.Options.Granularity)}, solver {r.Solver}");
        sb.AppendLine();
        sb.AppendLine($"Scope: {MarkdownText.Plain(r.Scope.Describe(r.Reading))}.");
        sb.AppendLine();
        sb.AppendLine("| property | verdict | how |");
        sb.AppendLine("|---|---|---|");
        foreach (var v in r.Verdicts)
            sb.AppendLine($"| {MarkdownText.CellCode(v.Property.Id)} | {(v.Outcome is ProofOutcome.Violated or ProofOutcome.Unknown ? $"**{v.Word}**" : v.Word)} | {MarkdownText.Plain(How(v))} |");
        foreach (var v in r.Verdicts.Where(v => v.Outcome is ProofOutcome.Violated or ProofOutcome.Unknown))
        {
            sb.AppendLine();
            sb.AppendLine($"#### {MarkdownText.Code(v.Property.Id)} {v.Word}");
            sb.AppendLine();
            var lines = v.Outcome == ProofOutcome.Violated
                ? [.. v.Input!.TrimEnd().Split('\n'), "$ " + v.TraceText]
                : v.CounterexampleToInduction ?? ["(no counterexample to induction: a solver gave up)"];
            foreach (var l in lines) sb.AppendLine("    " + Terminal.Escape(l, keepLineFeeds: false));
        }
        sb.AppendLine();
        if (r.Lemmas.Count > 0) sb.AppendLine($"Lemmas proved inductive: {string.Join(", ", r.Lemmas.Select(MarkdownText.Code))}.");
        if (r.Dropped.Count > 0) sb.AppendLine($"Candidates that are not invariants here: {string.Join(", ", r.Dropped.Select(MarkdownText.Code))}.");
        sb.AppendLine();
        sb.AppendLine(MarkdownText.Plain(Legend));
        sb.AppendLine();
        sb.AppendLine(MarkdownText.Plain(Summary(r)) + ".");
        return sb.ToString();
    }

    /// <summary>JSON with the shape of <c>check</c>'s (docs/proofs.md): the reading, the scope and a <c>verdicts</c> list; no timing, so that the same proof gives the same document.</summary>
    public static string Json(ReadingProof r) => JsonReport.Write("prove", w =>
    {
        w.WritePropertyName("reading");
        ModelJson.WriteReading(w, r.Reading);
        w.WriteStartObject("scope");
        w.WriteString("input", r.Scope.Space == InputSpace.Plans ? "release plans" : "raw catalogs");
        w.WriteNumber("patches", r.Scope.Patches);
        var c = r.Scope;
        w.WriteNumber("functions", c.FunctionCount);
        w.WriteNumber("setNumbers", c.SetCount(r.Reading));
        w.WriteNumber("stateIds", c.StateCount);
        w.WriteNumber("versionBits", c.VersionWidth);
        w.WriteString("text", c.Describe(r.Reading));
        w.WriteEndObject();
        w.WriteString("solver", r.Solver);
        w.WriteStartArray("lemmas");
        foreach (var l in r.Lemmas) w.WriteStringValue(l);
        w.WriteEndArray();
        w.WriteStartArray("verdicts");
        foreach (var v in r.Verdicts) WriteVerdict(w, v);
        w.WriteEndArray();
    });

    /// <summary>Writes one verdict as a JSON object: <c>property</c>, <c>verdict</c>, <c>detail</c>, and the evidence of its kind.</summary>
    public static void WriteVerdict(System.Text.Json.Utf8JsonWriter w, ProofVerdict v)
    {
        w.WriteStartObject();
        w.WriteString("property", v.Property.Id);
        w.WriteString("verdict", v.Word);
        w.WriteString("detail", v.Detail);
        if (v.Outcome == ProofOutcome.Proved)
        {
            w.WriteString("method", v.Method);
            w.WriteNumber("k", v.K);
            w.WriteNumber("patches", v.Scope.Patches);
            w.WriteBoolean("everyN", v.EveryN);
            w.WriteString("solver", v.Solver);
        }
        if (v.Outcome == ProofOutcome.Violated)
        {
            w.WriteStartArray("trace");
            foreach (var op in v.Trace!) w.WriteStringValue(op.Format(v.Catalog!));
            w.WriteEndArray();
            w.WriteString("input", v.Input);
            w.WriteString("scenario", ScenarioWriter.Write($"{v.Property.Id} under {v.Reading.DisplayName}", v.Catalog!, v.Reading, v.Trace!, v.Detail));
        }
        else w.WriteNull("trace");
        if (v.Outcome == ProofOutcome.Unknown)
        {
            w.WriteNumber("k", v.K);
            w.WriteNumber("depth", v.Depth);
            w.WriteStartArray("counterexampleToInduction");
            foreach (var l in v.CounterexampleToInduction ?? []) w.WriteStringValue(l);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
