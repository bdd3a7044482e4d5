using System.Net;
using System.Text;
using Klp.Check.Comparison;
using Klp.Check.Equivalence;
using Klp.Check.Model;
using Klp.Check.Scenarios;
using Klp.Check.Verdicts;

namespace Klp.Check.Reports.Html;

/// <summary>Escaping for HTML text and attributes.</summary>
public static class HtmlText
{
    /// <summary>The text with <c>&amp; &lt; &gt; " '</c> escaped.</summary>
    public static string Escape(string s) => WebUtility.HtmlEncode(s);
}

/// <summary>Renders reports as one self-contained HTML page: inline CSS and SVG, no script, no request leaves the file.</summary>
/// <remarks>
/// Every verdict is a cell of the matrix, coloured and marked with a symbol (so colour is never the
/// only cue), linked to its explanation and, where it has one, to its trace drawn by <see cref="TraceSvg"/>.
/// </remarks>
public static class HtmlReport
{
    // Okabe and Ito's palette, which readers with any common colour-vision deficiency tell apart;
    // each verdict also carries a symbol and a word.
    private const string Style = """
        :root { --ink:#1b1b1b; --muted:#5f5f5f; --rule:#c8c8c8; --paper:#ffffff;
          --holds:#0072B2; --holds-bg:#dcebf7; --violated:#D55E00; --violated-bg:#fbe1d0;
          --vacuous-bg:#eef3f7; --na-bg:#eeeeee; --inconclusive:#9a6b00; --inconclusive-bg:#fbefc9;
          --set:#009E73; --reached:#009E73; --reached-bg:#dcf2ea; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--ink); background: var(--paper); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
        main { max-width: 1240px; margin: 0 auto; padding: 16px 20px 48px; }
        h1 { font-size: 1.45rem; margin: 0.2em 0; } h2 { font-size: 1.2rem; margin-top: 2em; border-bottom: 2px solid var(--rule); }
        h3 { font-size: 1.02rem; margin: 0 0 0.3em; } code, pre, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
        pre { background: #f6f6f6; padding: 6px 10px; margin: 4px 0; white-space: pre-wrap; }
        a { color: #0b5cad; } nav a { margin-right: 1em; }
        .input, .muted, footer { color: var(--muted); }
        table { border-collapse: collapse; } th, td { border: 1px solid var(--rule); padding: 3px 6px; vertical-align: top; }
        table.matrix { font-size: 13px; width: 100%; table-layout: fixed; }
        table.matrix th { font-weight: 600; text-align: left; overflow-wrap: anywhere; }
        table.matrix thead th { font-size: 12px; }
        table.matrix th.prop { width: 13.5em; }
        table.matrix.narrow { width: auto; table-layout: auto; } table.matrix.narrow td { min-width: 8em; }
        table.matrix td { text-align: center; padding: 0; }
        table.matrix td a { display: block; padding: 4px 2px; text-decoration: none; color: var(--ink); font-family: "DejaVu Sans Mono", Menlo, monospace; font-weight: 600; }
        td.holds { background: var(--holds-bg); } td.holds a { color: var(--holds); }
        td.vacuous { background: var(--vacuous-bg); } td.vacuous a { color: var(--holds); font-weight: 400; }
        td.violated { background: var(--violated-bg); } td.violated a { color: var(--violated); }
        td.notapplicable { background: var(--na-bg); } td.notapplicable a { color: var(--muted); font-weight: 400; }
        td.inconclusive { background: var(--inconclusive-bg); } td.inconclusive a { color: var(--inconclusive); }
        td a:hover, td a:focus { outline: 2px solid var(--ink); }
        .legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 10px 0; font-size: 13px; }
        .legend span.sw { display: inline-block; min-width: 3.2em; text-align: center; font-family: monospace; font-weight: 600; border: 1px solid var(--rule); margin-right: 4px; }
        article { border: 1px solid var(--rule); border-left: 6px solid var(--rule); border-radius: 4px; padding: 10px 12px; margin: 14px 0; break-inside: avoid; }
        article.violated, article.differs, article.failed { border-left-color: var(--violated); }
        article.holds, article.passed { border-left-color: var(--holds); }
        article .kind { font-family: monospace; font-weight: 700; }
        article.violated .kind, article.differs .kind, article.failed .kind { color: var(--violated); }
        article.holds .kind, article.passed .kind { color: var(--holds); }
        .cols { display: flex; gap: 14px; align-items: flex-start; flex-wrap: wrap; }
        .cols > .inputs { flex: 0 1 22em; min-width: 16em; }
        .cols > .inputs pre { font-size: 12px; }
        .picture { overflow-x: auto; max-width: 100%; flex: 0 1 auto; }
        svg text { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; fill: var(--ink); }
        svg .bg { fill: #ffffff; } svg .rule { stroke: var(--rule); stroke-width: 1; }
        svg .muted, svg .original, svg .activehead { fill: var(--muted); }
        svg .op { font-weight: 700; } svg .lane, svg .nodehead { font-weight: 700; }
        svg .ok { fill: var(--holds); } svg .refused, svg .refusedpatch { fill: var(--violated); font-weight: 700; }
        svg .gone { fill: var(--muted); } svg .strike { text-decoration: line-through; }
        svg .sethead { fill: var(--set); font-weight: 700; } svg .set { fill: none; stroke: var(--set); stroke-width: 1.2; }
        svg .transition { fill: #8a5a00; font-style: italic; } svg .active { fill: #4b0082; } svg .state { fill: #4b0082; }
        svg .broken .mark { fill: var(--violated-bg); stroke: var(--violated); stroke-width: 2.5; stroke-dasharray: 7 4; }
        svg .reached .mark { fill: var(--reached-bg); stroke: var(--reached); stroke-width: 2.5; }
        svg .markhead { font-weight: 700; } svg .broken .markhead { fill: var(--violated); } svg .reached .markhead { fill: var(--reached); }
        svg line.edge { stroke: #777; stroke-width: 1.5; }
        svg .node rect { fill: #f4f8fb; stroke: var(--holds); stroke-width: 1.5; }
        svg a.edge circle { fill: #ffffff; stroke: var(--violated); stroke-width: 1.5; }
        svg .badge, svg .edgelabel { text-anchor: middle; font-weight: 700; } svg .badge { font-size: 11px; }
        svg a text.key { fill: #0b5cad; }
        ul.diffs { margin: 4px 0; }
        @media print {
          body { font-size: 11pt; } main { max-width: none; padding: 0; }
          nav { display: none; } a { color: inherit; text-decoration: none; }
          .picture { overflow: visible; } svg { max-width: 100%; height: auto; }
          article, table.matrix tr { break-inside: avoid; } h2 { break-after: avoid; }
          td, article { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }
        """;

    internal static string Page(string title, string body)
    {
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html>");
        sb.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        // Nothing may load from outside the page: the policy forbids every fetch, script included.
        sb.AppendLine("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
        sb.AppendLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.AppendLine($"<title>{HtmlText.Escape(title)}</title>");
        sb.AppendLine("<style>").Append(Style).AppendLine("</style>");
        sb.AppendLine("</head><body><main>");
        sb.Append(body);
        sb.AppendLine("</main></body></html>");
        return sb.ToString();
    }

    private static string Symbol(Verdict v) => v.Kind switch
    {
        VerdictKind.Holds when v.ViolatedBeyond => "\u2717",
        VerdictKind.Holds => "\u2713",
        VerdictKind.Violated => "\u2717",
        VerdictKind.NotApplicable => "\u2013",
        _ => "\u25c7",
    };

    private static string CellClass(Verdict v) => v.ViolatedBeyond ? "violated" : v.Vacuous ? "vacuous" : v.Kind.ToString().ToLowerInvariant();

    // The legend entry of a mark a cap gives: a violation with open letters in the colours of a violation, the others of inconclusive.
    private static string CutSwatch(string mark, string meaning)
    {
        var (kind, symbol) = mark.StartsWith('X') ? ("violated", "\u2717") : ("inconclusive", "\u25c7");
        return $"<span><span class=\"sw\" style=\"background:var(--{kind}-bg);color:var(--{kind})\">{symbol} {HtmlText.Escape(mark)}</span>{HtmlText.Escape(meaning)} ({HtmlText.Escape(ReportScope.Raise)})</span>";
    }

    private static string CellText(Verdict v) => $"{Symbol(v)} {(v.Kind == VerdictKind.NotApplicable ? "n/a" : ComparisonReport.Mark(v))}";

    /// <summary>The anchor of a verdict: its reading's and its property's index.</summary>
    public static string VerdictAnchor(int reading, int property) => $"v-{reading}-{property}";

    private static void Trace(StringBuilder sb, TracePicture picture, string title, string? input, string traceText)
    {
        sb.Append("<div class=\"cols\">");
        if (input is not null)
            sb.Append($"<div class=\"inputs\"><div class=\"muted\">input</div><pre>{HtmlText.Escape(input.TrimEnd())}</pre></div>");
        var svg = TraceSvg.Render(picture, title, out var width);
        // The picture asks for its own width, so it wraps under the input rather than scrolling when both do not fit.
        sb.Append($"<div class=\"picture\" style=\"flex-basis:{Math.Ceiling(width)}px\">{svg}</div>");
        sb.AppendLine("</div>");
        sb.AppendLine($"<p class=\"muted\">trace: <code>{HtmlText.Escape(traceText)}</code></p>");
    }

    /// <summary>The page of <c>compare</c> (and of <c>check</c>, a matrix of one reading): matrix, legend, every trace, the classes, the replays.</summary>
    /// <param name="c">The comparison.</param>
    /// <param name="command">The command the page reports.</param>
    /// <param name="closing">Lines for the footer after the totals (coverage, for <c>check</c>).</param>
    public static string Comparison(ComparisonResult c, string command = "compare", IEnumerable<string>? closing = null)
    {
        var title = $"klp-check {command}: {c.Results.Count} reading{(c.Results.Count == 1 ? "" : "s")} \u00d7 {c.Properties.Count} properties";
        var mode = ReadingOptionText.ModeName(c.Results.Count > 0 ? c.Results[0].Reading.Options.Granularity : Granularity.Atomic);
        var sb = new StringBuilder();
        sb.AppendLine($"<h1>{HtmlText.Escape(title)}</h1>");
        sb.AppendLine($"<p class=\"input\">scope: {HtmlText.Escape(ReportScope.Of(c.Source, " per reading"))}, mode {mode}</p>");
        foreach (var line in ComparisonReport.NotExhaustive(c)) sb.AppendLine($"<p><strong>{HtmlText.Escape(line)}</strong> ({HtmlText.Escape(ReportScope.Raise)})</p>");
        sb.Append("<nav><a href=\"#matrix\">verdicts</a><a href=\"#traces\">traces</a><a href=\"#others\">other verdicts</a>");
        if (c.Equivalence is not null) sb.Append("<a href=\"#classes\">equivalence classes</a>");
        if (c.Replays.Count > 0) sb.Append("<a href=\"#replays\">scenario replays</a>");
        sb.AppendLine("</nav>");
        if (!c.Complete) sb.AppendLine($"<p><strong>interrupted:</strong> {c.Results.Count} readings verified; the rest were not checked</p>");

        // Traces are grouped as in the text report: one picture per (property, detail, trace, input), a lane per group of readings that run it alike.
        var groups = c.Results.SelectMany((r, ri) => r.Verdicts.Select((v, k) => (v, ri, k)))
            .Where(x => x.v.Trace is not null && x.v.Catalog is not null)
            .OrderBy(x => x.v.Kind == VerdictKind.Violated ? 0 : 1).ThenBy(x => x.k).ThenBy(x => x.ri)
            .GroupBy(x => (x.v.Property.Id, x.v.Kind, x.v.Detail, Trace: ComparisonReport.TraceText(x.v), x.v.Input))
            .ToList();
        var home = new Dictionary<(int, int), string>();
        for (var g = 0; g < groups.Count; g++)
            foreach (var (_, ri, k) in groups[g]) home[(ri, k)] = $"t-{g + 1}";

        sb.AppendLine("<section id=\"matrix\"><h2>Verdicts</h2>");
        // A few readings make a compact table; many fill the width.
        sb.Append($"<table class=\"matrix{(c.Results.Count < 6 ? " narrow" : "")}\"><thead><tr><th class=\"prop\" scope=\"col\">property</th>");
        foreach (var r in c.Results) sb.Append($"<th scope=\"col\">{HtmlText.Escape(r.Reading.DisplayName)}</th>");
        sb.AppendLine("</tr></thead><tbody>");
        for (var k = 0; k < c.Properties.Count; k++)
        {
            var inv = c.Properties[k];
            sb.Append($"<tr><th scope=\"row\" title=\"{HtmlText.Escape(inv.Summary)}\">{HtmlText.Escape(inv.Id)} <span class=\"muted\">({inv.Kind.ToString().ToLowerInvariant()})</span></th>");
            for (var ri = 0; ri < c.Results.Count; ri++)
            {
                var v = c.Results[ri].Verdicts[k];
                sb.Append($"<td class=\"{CellClass(v)}\"><a href=\"#{VerdictAnchor(ri, k)}\" title=\"{HtmlText.Escape(c.Results[ri].Reading.DisplayName)}: {HtmlText.Escape(v.Word)}: {HtmlText.Escape(v.Detail)}{(v.Proof is { } p ? $"; prove at {p.Patches} releases: {HtmlText.Escape(p.Verdict)}: {HtmlText.Escape(p.Detail)}" : "")}\">{HtmlText.Escape(CellText(v))}</a></td>");
            }
            sb.AppendLine("</tr>");
        }
        sb.AppendLine("</tbody></table>");
        sb.AppendLine("<div class=\"legend\">"
            + "<span><span class=\"sw\" style=\"background:var(--holds-bg);color:var(--holds)\">\u2713 ok</span>holds (a witness: reached)</span>"
            + "<span><span class=\"sw\" style=\"background:var(--vacuous-bg);color:var(--holds)\">\u2713 (ok)</span>holds vacuously: its case never happens</span>"
            + (ComparisonReport.ProvedLegend(c) is { } proved ? $"<span><span class=\"sw\" style=\"background:var(--holds-bg);color:var(--holds)\">\u2713 P</span>{HtmlText.Escape(proved)}</span>" : "")
            + "<span><span class=\"sw\" style=\"background:var(--violated-bg);color:var(--violated)\">\u2717 X</span>violated (a witness: never reached)</span>"
            + "<span><span class=\"sw\" style=\"background:var(--na-bg)\">\u2013 n/a</span>does not apply</span>"
            + string.Concat(ComparisonReport.CutMarks(c.Results.SelectMany(r => r.Verdicts)).Select(m => CutSwatch(m.Mark, m.Meaning)))
            + "<span><span class=\"sw\">Xf Xs</span>violated only where a customer patch shares a function with a vendor patch (f) or patches declare states (s)</span>"
            + "</div>");
        sb.AppendLine("<p class=\"muted\">Each cell links to its explanation and, where there is one, its shortest trace. In a trace, each column is a step: the operation on top, then per reading its outcome, the enabled patches grouped by the sets they occupy, the patches it replaced (struck through) or refused, and the patch whose code runs for each function.</p>");
        sb.AppendLine("</section>");

        sb.AppendLine("<section id=\"traces\"><h2>Violations and witnesses, each with its shortest trace</h2>");
        if (groups.Count == 0) sb.AppendLine("<p>No verdict has a trace.</p>");
        for (var g = 0; g < groups.Count; g++)
        {
            var members = groups[g].ToList();
            var first = members[0].v;
            var violated = first.Kind == VerdictKind.Violated;
            var readings = string.Join(", ", members.Select(m => m.v.Reading.DisplayName));
            sb.Append($"<article id=\"t-{g + 1}\" class=\"{(violated ? "violated" : "holds")}\">");
            foreach (var (_, ri, k) in members) sb.Append($"<span id=\"{VerdictAnchor(ri, k)}\"></span>");
            sb.AppendLine($"<h3><span class=\"kind\">{(violated ? "\u2717 " + HtmlText.Escape(first.Word) : "\u2713 witness reached")}</span> {HtmlText.Escape(first.Property.Id)} under {HtmlText.Escape(readings)}</h3>");
            sb.AppendLine($"<p>{HtmlText.Escape(first.Detail)} <span class=\"muted\">({HtmlText.Escape(first.Property.Summary)})</span></p>");
            Trace(sb, TracePicture.OfVerdicts([.. members.Select(m => m.v)]), $"{first.Property.Id} under {readings}", first.Input, groups[g].Key.Trace);
            sb.AppendLine($"<p class=\"muted\">as a scenario: <code>klp-check check --reading {HtmlText.Escape(first.Reading.DisplayName)} --invariant {HtmlText.Escape(first.Property.Id)} --traces DIR</code></p>");
            sb.AppendLine("</article>");
        }
        sb.AppendLine("</section>");

        sb.AppendLine("<section id=\"others\"><h2>Verdicts without a trace</h2>");
        sb.AppendLine("<table><thead><tr><th>property</th><th>reading</th><th>verdict</th><th>why</th></tr></thead><tbody>");
        for (var k = 0; k < c.Properties.Count; k++)
            for (var ri = 0; ri < c.Results.Count; ri++)
            {
                if (home.ContainsKey((ri, k))) continue;
                var v = c.Results[ri].Verdicts[k];
                sb.AppendLine($"<tr id=\"{VerdictAnchor(ri, k)}\"><td>{HtmlText.Escape(v.Property.Id)}</td><td>{HtmlText.Escape(v.Reading.DisplayName)}</td><td class=\"{CellClass(v)}\">{HtmlText.Escape(CellText(v))}</td><td>{HtmlText.Escape(v.Detail)}</td></tr>");
            }
        sb.AppendLine("</tbody></table></section>");

        if (c.Equivalence is { } eq)
        {
            sb.AppendLine("<section id=\"classes\"><h2>Equivalence classes</h2>");
            Classes(sb, eq);
            sb.AppendLine("</section>");
        }
        if (c.Replays.Count > 0)
        {
            sb.AppendLine("<section id=\"replays\"><h2>Scenario replays</h2><ul>");
            foreach (var r in c.Replays)
                sb.AppendLine($"<li>{(r.Failures.Count > 0 ? "<strong>\u2717</strong> " : "\u2713 ")}<code>{HtmlText.Escape(r.Scenario.Path)}</code>: {HtmlText.Escape(ReplayReport.Summary(r))}</li>");
            sb.AppendLine("</ul></section>");
        }
        sb.Append("<footer><p>").Append(HtmlText.Escape(ComparisonReport.Totals(c))).AppendLine("</p>");
        foreach (var line in closing ?? []) sb.AppendLine($"<p class=\"mono\">{HtmlText.Escape(line)}</p>");
        sb.AppendLine("</footer>");
        return Page(title, sb.ToString());
    }

    private static void Classes(StringBuilder sb, EquivalenceResult r)
    {
        sb.AppendLine($"<p>observables: {HtmlText.Escape(string.Join(", ", ObservedText.Format(r.Observed)))}{(r.SetsNote is null ? "" : $" ({HtmlText.Escape(r.SetsNote)})")}</p>");
        if (!r.Complete)
        {
            sb.AppendLine("<p><strong>interrupted:</strong> the classes were not established</p>");
            return;
        }
        sb.AppendLine(r.Classes.Count == 1
            ? $"<p>{HtmlText.Escape(EquivalenceReport.ClassesHead(r))}.</p>"
            : $"<p>{HtmlText.Escape(EquivalenceReport.ClassesHead(r))}. Each edge is numbered; its number leads to the shortest trace that tells the two classes apart.</p>");
        sb.AppendLine($"<div class=\"picture\">{ClassesSvg.Render(r, i => $"d-{i + 1}")}</div>");
        sb.AppendLine("<ol class=\"classes\">");
        foreach (var k in r.Classes)
            sb.AppendLine($"<li>{HtmlText.Escape(string.Join(", ", k.Members.Select(m => m.DisplayName)))}{(k.Members.Count > 1 ? $" <span class=\"muted\">({HtmlText.Escape(EquivalenceReport.Evidence(r, k))})</span>" : "")}</li>");
        sb.AppendLine("</ol>");
        for (var i = 0; i < r.Differences.Count; i++)
        {
            var d = r.Differences[i];
            var div = d.Divergence;
            var a = r.Classes[d.First].Representative.DisplayName;
            var b = r.Classes[d.Second].Representative.DisplayName;
            sb.AppendLine($"<article id=\"d-{i + 1}\" class=\"differs\">");
            sb.AppendLine($"<h3><span class=\"kind\">{i + 1}. \u2260</span> {HtmlText.Escape(a)} vs {HtmlText.Escape(b)} <span class=\"muted\">(classes {d.First + 1} and {d.Second + 1})</span>: {div.Length} operation{(div.Length == 1 ? "" : "s")}, differ in {HtmlText.Escape(string.Join(", ", ObservedText.Format(div.Differs)))}</h3>");
            sb.AppendLine($"<p class=\"muted\">they differ on {d.DistinguishingInputs} of {r.Source.Count} inputs; this is input {d.Input + 1}</p>");
            Trace(sb, TracePicture.OfDivergence(div), $"{a} vs {b}", d.InputText, EquivalenceReport.TraceText(div));
            sb.AppendLine("<ul class=\"diffs\">");
            foreach (var line in EquivalenceReport.DifferenceLines(div)) sb.AppendLine($"<li>{HtmlText.Escape(line)}</li>");
            sb.AppendLine("</ul></article>");
        }
        sb.AppendLine($"<p class=\"muted\">{HtmlText.Escape(EquivalenceReport.Totals(r))}</p>");
    }

    /// <summary>The page of <c>diff</c>: the classes as a graph, then each pair's shortest distinguishing trace, the readings side by side per step.</summary>
    public static string Equivalence(EquivalenceResult r)
    {
        var title = $"klp-check diff: {r.Readings.Count} readings";
        var sb = new StringBuilder();
        sb.AppendLine($"<h1>{HtmlText.Escape(title)}</h1>");
        sb.AppendLine($"<p class=\"input\">scope: {HtmlText.Escape(ReportScope.Of(r.Source))}</p>");
        if (EquivalenceReport.NotExhaustive(r) is { } cut) sb.AppendLine($"<p><strong>{HtmlText.Escape(cut)}</strong> ({HtmlText.Escape(ReportScope.Raise)})</p>");
        sb.AppendLine("<section id=\"classes\"><h2>Equivalence classes</h2>");
        Classes(sb, r);
        sb.AppendLine("</section>");
        return Page(title, sb.ToString());
    }

    /// <summary>The page of <c>replay</c>: per scenario its catalog and its steps drawn under every reading, readings that agree merged into one lane.</summary>
    public static string Replay(IReadOnlyList<ReplayResult> results)
    {
        var title = results.Count == 1 ? $"klp-check replay: {results[0].Scenario.Title}" : $"klp-check replay: {results.Count} scenarios";
        var sb = new StringBuilder();
        sb.AppendLine($"<h1>{HtmlText.Escape(title)}</h1>");
        if (results.Count > 1)
        {
            sb.Append("<nav>");
            for (var i = 0; i < results.Count; i++) sb.Append($"<a href=\"#s-{i + 1}\">{HtmlText.Escape(results[i].Scenario.Path)}</a>");
            sb.AppendLine("</nav>");
        }
        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            var s = result.Scenario;
            var failed = result.Failures.Count > 0;
            sb.AppendLine($"<article id=\"s-{i + 1}\" class=\"{(failed ? "failed" : "passed")}\">");
            sb.AppendLine($"<h3><span class=\"kind\">{(failed ? "\u2717" : "\u2713")}</span> {HtmlText.Escape(s.Title)}</h3>");
            sb.AppendLine($"<p class=\"muted\"><code>{HtmlText.Escape(s.Path)}</code>, mode {ReadingOptionText.ModeName(result.Readings.Count > 0 ? result.Readings[0].Options.Granularity : Granularity.Atomic)}</p>");
            var ops = s.Steps.Where(x => x.Operation is not null).Select(x => x.Operation!.Value.Format(s.Catalog));
            Trace(sb, TracePicture.OfReplay(result), s.Title, CatalogText.Describe(s.Catalog), string.Join("; ", ops));
            var notes = s.Steps.Where(x => x.Operation is not null).Select((x, j) => (x, j)).Where(p => p.x.Note is not null).ToList();
            if (notes.Count > 0)
            {
                sb.AppendLine("<ul class=\"diffs\">");
                foreach (var (x, j) in notes) sb.AppendLine($"<li>step {j + 1}, <code>{HtmlText.Escape(x.Text)}</code>: {HtmlText.Escape(x.Note!)}</li>");
                sb.AppendLine("</ul>");
            }
            if (failed)
            {
                sb.AppendLine("<ul class=\"diffs\">");
                foreach (var f in result.Failures)
                    sb.AppendLine($"<li><strong>\u2717 FAIL</strong> <code>{HtmlText.Escape($"{s.Path}:{f.Expectation.Line}:{f.Expectation.Column}")}</code> [{HtmlText.Escape(f.Reading.DisplayName)}] expected <code>{HtmlText.Escape(f.Expectation.Text)}</code>, got <code>{HtmlText.Escape(f.Actual)}</code></li>");
                sb.AppendLine("</ul>");
            }
            sb.AppendLine($"<p>{HtmlText.Escape(ReplayReport.Summary(result))}</p>");
            sb.AppendLine("</article>");
        }
        return Page(title, sb.ToString());
    }
}
