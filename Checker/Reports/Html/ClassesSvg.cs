using System.Globalization;
using System.Text;
using Klp.Check.Equivalence;

namespace Klp.Check.Reports.Html;

/// <summary>Draws equivalence classes as a graph: a node per class, an edge per pair of classes labelled with its shortest distinguishing trace.</summary>
/// <remarks>Nodes sit on a circle; each edge carries a numbered badge that links to the trace's section, and the same number keys the legend under the graph.</remarks>
public static class ClassesSvg
{
    private const int Pad = 8;
    private const int MaxWidth = 1180;

    private static string F(double x) => x.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>The SVG of the classes; each edge is an <c>a.edge</c> linking to <c>#{anchor(difference index)}</c>.</summary>
    public static string Render(EquivalenceResult r, Func<int, string> anchor)
    {
        var k = r.Classes.Count;
        var labels = r.Classes.Select((c, i) => new List<string> { $"class {i + 1}" }
            .Concat(TraceSvg.WrapLabel(string.Join(", ", c.Members.Select(m => m.DisplayName)), 22)).ToList()).ToList();
        var nodeW = labels.SelectMany(l => l).Max(s => s.Length) * TraceSvg.CharWidth + 2 * Pad;
        var nodeH = labels.Select(l => l.Count).Max() * TraceSvg.LineHeight + 2 * Pad;
        var radius = k <= 1 ? 0 : Math.Max(nodeW * 0.8, k * 42);
        var cx = radius + nodeW / 2 + Pad;
        var cy = radius + nodeH / 2 + Pad;
        var centres = Enumerable.Range(0, k).Select(i =>
        {
            var a = -Math.PI / 2 + 2 * Math.PI * i / k;
            return k == 2 ? (X: cx + (i == 0 ? -radius : radius), Y: cy) : (X: cx + radius * Math.Cos(a), Y: cy + radius * Math.Sin(a));
        }).ToList();
        if (k == 2) cy = nodeH / 2 + Pad + 2 * TraceSvg.LineHeight;
        if (k == 2) centres = [.. centres.Select(c => (c.X, cy))];
        var graphH = k == 2 ? nodeH + 4 * TraceSvg.LineHeight + 2 * Pad : 2 * cy;
        var legend = r.Differences.Select((d, i) =>
            $"{i + 1}. classes {d.First + 1}\u2013{d.Second + 1}: {EquivalenceReport.TraceText(d.Divergence)}").ToList();
        var legendW = legend.Select(s => s.Length).DefaultIfEmpty(0).Max() * TraceSvg.CharWidth + 2 * Pad;
        var legendH = legend.Count * TraceSvg.LineHeight + (legend.Count > 0 ? 2 * Pad : 0);
        // The key goes beside the graph when both fit a 1280-pixel window, else under it.
        var beside = 2 * cx + legendW <= MaxWidth;
        var (keyX, keyY) = beside ? (2 * cx + Pad, Math.Max(0, (graphH - legendH) / 2)) : (Pad, graphH);
        var width = beside ? 2 * cx + legendW : Math.Max(2 * cx, legendW);
        var height = beside ? Math.Max(graphH, legendH) : graphH + legendH;

        var sb = new StringBuilder();
        sb.Append($"<svg class=\"classes\" width=\"{F(width)}\" height=\"{F(height)}\" viewBox=\"0 0 {F(width)} {F(height)}\" role=\"img\">");
        sb.Append($"<title>{r.Classes.Count} equivalence classes and the shortest trace between each pair</title>");
        sb.Append($"<rect class=\"bg\" x=\"0\" y=\"0\" width=\"{F(width)}\" height=\"{F(height)}\"/>");
        for (var i = 0; i < r.Differences.Count; i++)
        {
            var d = r.Differences[i];
            var (a, b) = (centres[d.First], centres[d.Second]);
            sb.Append($"<line class=\"edge\" x1=\"{F(a.X)}\" y1=\"{F(a.Y)}\" x2=\"{F(b.X)}\" y2=\"{F(b.Y)}\"/>");
        }
        for (var i = 0; i < k; i++)
        {
            var (x, y) = centres[i];
            sb.Append($"<g class=\"node\"><rect x=\"{F(x - nodeW / 2)}\" y=\"{F(y - nodeH / 2)}\" width=\"{F(nodeW)}\" height=\"{F(nodeH)}\" rx=\"6\"/>");
            for (var j = 0; j < labels[i].Count; j++)
                sb.Append($"<text class=\"{(j == 0 ? "nodehead" : "lane")}\" x=\"{F(x - nodeW / 2 + Pad)}\" y=\"{F(y - nodeH / 2 + Pad + (j + 1) * TraceSvg.LineHeight - 3)}\">{HtmlText.Escape(labels[i][j])}</text>");
            sb.Append("</g>");
        }
        for (var i = 0; i < r.Differences.Count; i++)
        {
            var d = r.Differences[i];
            var (a, b) = (centres[d.First], centres[d.Second]);
            var (mx, my) = ((a.X + b.X) / 2, (a.Y + b.Y) / 2);
            var trace = EquivalenceReport.TraceText(d.Divergence);
            sb.Append($"<a class=\"edge\" href=\"#{anchor(i)}\"><title>classes {d.First + 1} and {d.Second + 1}: {HtmlText.Escape(trace)}</title>");
            sb.Append($"<circle cx=\"{F(mx)}\" cy=\"{F(my)}\" r=\"10\"/><text class=\"badge\" x=\"{F(mx)}\" y=\"{F(my + 4)}\">{i + 1}</text>");
            if (k == 2) sb.Append($"<text class=\"edgelabel\" x=\"{F(mx)}\" y=\"{F(Pad + TraceSvg.LineHeight)}\">{HtmlText.Escape(trace)}</text>");
            sb.Append("</a>");
        }
        for (var i = 0; i < legend.Count; i++)
            sb.Append($"<a href=\"#{anchor(i)}\"><text class=\"key\" x=\"{F(keyX)}\" y=\"{F(keyY + Pad + (i + 1) * TraceSvg.LineHeight - 3)}\">{HtmlText.Escape(legend[i])}</text></a>");
        sb.Append("</svg>");
        return sb.ToString();
    }
}
