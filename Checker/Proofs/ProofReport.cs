using System.Globalization;
using System.Text;
using Klp.Check.Exploration;
using Klp.Check.Model;
using Klp.Check.Output;
using Klp.Check.Output.Html;

namespace Klp.Check.Proofs;

/// <summary>Renders the proofs of a reading as plain text, Markdown, JSON (docs/proofs.md) or an HTML page; every form states the scope.</summary>
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

    private static string Summary(ReadingProof r)
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
            sb.AppendLine($"{v.Invariant.Id,-22}{word,-12}{lines[0].TrimStart()}");
            foreach (var l in lines.Skip(1)) sb.AppendLine(l);
            if (v.Outcome == ProofOutcome.Violated)
            {
                Paragraph("input: " + v.Input!.TrimEnd().Replace("\n", "; "), "    ");
                Paragraph("$ " + string.Join("; ", v.Trace!.Select(o => o.Format(v.Catalog!))), "    ");
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
            sb.AppendLine($"| {MarkdownText.CellCode(v.Invariant.Id)} | {(v.Outcome is ProofOutcome.Violated or ProofOutcome.Unknown ? $"**{v.Word}**" : v.Word)} | {MarkdownText.Plain(How(v))} |");
        foreach (var v in r.Verdicts.Where(v => v.Outcome is ProofOutcome.Violated or ProofOutcome.Unknown))
        {
            sb.AppendLine();
            sb.AppendLine($"#### {MarkdownText.Code(v.Invariant.Id)} {v.Word}");
            sb.AppendLine();
            var lines = v.Outcome == ProofOutcome.Violated
                ? [.. v.Input!.TrimEnd().Split('\n'), "$ " + string.Join("; ", v.Trace!.Select(o => o.Format(v.Catalog!)))]
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
        w.WriteString("property", v.Invariant.Id);
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
            w.WriteString("scenario", CatalogText.Scenario($"{v.Invariant.Id} under {v.Reading.DisplayName}", v.Catalog!, v.Reading, v.Trace!, v.Detail));
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

    /// <summary>One self-contained HTML page: the scope, a table of verdicts, then every trace and counterexample to induction.</summary>
    public static string Html(ReadingProof r)
    {
        static string E(string s) => HtmlText.Escape(s);
        var sb = new StringBuilder();
        var title = $"klp-check prove: {r.Reading.DisplayName}, mode {ReadingOptionText.ModeName(r.Reading.Options.Granularity)}";
        sb.AppendLine($"<h1>{E(title)}</h1>");
        sb.AppendLine($"<p class=\"input\">scope: {E(r.Scope.Describe(r.Reading))}; solver {E(r.Solver)}</p>");
        sb.AppendLine("<table class=\"matrix narrow\"><thead><tr><th class=\"prop\">property</th><th>verdict</th><th>how</th></tr></thead><tbody>");
        foreach (var v in r.Verdicts)
        {
            var (cls, symbol) = v.Outcome switch
            {
                ProofOutcome.Proved => ("holds", "\u2713"),
                ProofOutcome.Violated => ("violated", "\u2717"),
                ProofOutcome.Unknown => ("inconclusive", "?"),
                _ => ("notapplicable", "\u2013"),
            };
            sb.AppendLine($"<tr><th>{E(v.Invariant.Id)}</th><td class=\"{cls}\"><a href=\"#p-{E(v.Invariant.Id)}\">{symbol} {E(v.Word)}</a></td><td style=\"text-align:left\">{E(How(v))}</td></tr>");
        }
        sb.AppendLine("</tbody></table>");
        foreach (var v in r.Verdicts.Where(v => v.Outcome is ProofOutcome.Violated or ProofOutcome.Unknown))
        {
            sb.AppendLine($"<article id=\"p-{E(v.Invariant.Id)}\" class=\"{(v.Outcome == ProofOutcome.Violated ? "violated" : "inconclusive")}\">");
            sb.AppendLine($"<h3><span class=\"kind\">{E(v.Word)}</span> {E(v.Invariant.Id)}</h3><p>{E(v.Detail)}</p>");
            if (v.Outcome == ProofOutcome.Violated)
            {
                sb.AppendLine($"<div class=\"muted\">input</div><pre>{E(v.Input!.TrimEnd())}</pre>");
                sb.AppendLine($"<p class=\"muted\">trace: <code>{E(string.Join("; ", v.Trace!.Select(o => o.Format(v.Catalog!))))}</code></p>");
            }
            else sb.AppendLine($"<div class=\"muted\">counterexample to induction</div><pre>{E(string.Join("\n", v.CounterexampleToInduction ?? []))}</pre>");
            sb.AppendLine("</article>");
        }
        if (r.Lemmas.Count > 0) sb.AppendLine($"<p>Lemmas proved inductive: {E(string.Join(", ", r.Lemmas))}.</p>");
        sb.AppendLine($"<p class=\"muted\">{E(Legend)}</p>");
        sb.AppendLine($"<footer>{E(Summary(r))}</footer>");
        return HtmlReport.Page(title, sb.ToString());
    }
}
