using System.Text;
using Klp.Check.Model;
using Klp.Check.Proofs;

namespace Klp.Check.Reports.Html;

/// <summary>The proofs of a reading as one self-contained HTML page, in the style of <see cref="HtmlReport"/>.</summary>
public static class ProofPage
{
    /// <summary>One self-contained HTML page: the scope, a table of verdicts, then every trace and counterexample to induction.</summary>
    public static string Render(ReadingProof r)
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
            sb.AppendLine($"<tr><th>{E(v.Property.Id)}</th><td class=\"{cls}\"><a href=\"#p-{E(v.Property.Id)}\">{symbol} {E(v.Word)}</a></td><td style=\"text-align:left\">{E(ProofReport.How(v))}</td></tr>");
        }
        sb.AppendLine("</tbody></table>");
        foreach (var v in r.Verdicts.Where(v => v.Outcome is ProofOutcome.Violated or ProofOutcome.Unknown))
        {
            sb.AppendLine($"<article id=\"p-{E(v.Property.Id)}\" class=\"{(v.Outcome == ProofOutcome.Violated ? "violated" : "inconclusive")}\">");
            sb.AppendLine($"<h3><span class=\"kind\">{E(v.Word)}</span> {E(v.Property.Id)}</h3><p>{E(v.Detail)}</p>");
            if (v.Outcome == ProofOutcome.Violated)
            {
                sb.AppendLine($"<div class=\"muted\">input</div><pre>{E(v.Input!.TrimEnd())}</pre>");
                sb.AppendLine($"<p class=\"muted\">trace: <code>{E(v.TraceText)}</code></p>");
            }
            else sb.AppendLine($"<div class=\"muted\">counterexample to induction</div><pre>{E(string.Join("\n", v.CounterexampleToInduction ?? []))}</pre>");
            sb.AppendLine("</article>");
        }
        if (r.Lemmas.Count > 0) sb.AppendLine($"<p>Lemmas proved inductive: {E(string.Join(", ", r.Lemmas))}.</p>");
        sb.AppendLine($"<p class=\"muted\">{E(ProofReport.Legend)}</p>");
        sb.AppendLine($"<footer>{E(ProofReport.Summary(r))}</footer>");
        return HtmlReport.Page(title, sb.ToString());
    }
}
