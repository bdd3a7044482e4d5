using System.Globalization;
using System.Text;
using Klp.Check.Model;

namespace Klp.Check.Reports.Html;

/// <summary>Draws a trace as an SVG: one column per step, the operation on top, each lane's outcome, enabled patches grouped by sets, replaced and refused patches, active functions.</summary>
/// <remarks>Text is monospace, so widths follow from character counts and need no font metrics.</remarks>
public static class TraceSvg
{
    internal const double CharWidth = 7.3;
    internal const int LineHeight = 16;
    private const int MaxChars = 34;
    private const int MinChars = 14;
    private const int Pad = 8;

    private enum Kind { Ok, Refused, Gone, RefusedPatch, SetHead, Patch, Transition, ActiveHead, Active, Original, State }

    private readonly record struct Line(Kind Kind, string Text);

    private static List<Line> Lines(FrameView v)
    {
        var lines = new List<Line>();
        if (!v.Refused) lines.Add(new(Kind.Ok, "\u2713 " + v.Outcome));
        else
        {
            // "refused EINVAL" on one line and the reason under it keeps columns narrow.
            var words = v.Outcome.Split(' ', 3);
            lines.Add(new(Kind.Refused, $"\u2298 {words[0]} {words[1]}"));
            if (words.Length > 2) lines.Add(new(Kind.Refused, "  " + words[2]));
        }
        foreach (var g in v.Gone)
            lines.Add(g.EndsWith(" refused", StringComparison.Ordinal) ? new(Kind.RefusedPatch, "\u2298 " + g) : new(Kind.Gone, "\u2715 " + g));
        foreach (var g in v.Groups)
        {
            lines.Add(new(Kind.SetHead, g.Sets == "no sets" ? "stack (no sets)" : "set " + g.Sets));
            foreach (var p in g.Patches) lines.Add(new(Kind.Patch, p));
        }
        if (v.Groups.Count == 0) lines.Add(new(Kind.Original, "no patch enabled"));
        if (v.Transition is not null) lines.Add(new(Kind.Transition, "\u21e2 " + v.Transition));
        if (v.Active.Count > 0) lines.Add(new(Kind.ActiveHead, "active:"));
        foreach (var (f, p) in v.Active) lines.Add(new(p == "original" ? Kind.Original : Kind.Active, $"{f} \u2192 {p}"));
        foreach (var s in v.States) lines.Add(new(Kind.State, "state " + s));
        return lines;
    }

    // A replaced patch's name is struck through, the word after it is not.
    private static string Text(Line l)
    {
        var text = Clip(l.Text);
        var space = text.LastIndexOf(' ');
        if (l.Kind != Kind.Gone || space <= 2) return HtmlText.Escape(text);
        return $"{HtmlText.Escape(text[..2])}<tspan class=\"strike\">{HtmlText.Escape(text[2..space])}</tspan>{HtmlText.Escape(text[space..])}";
    }

    private static string Clip(string s) => s.Length <= MaxChars ? s : s[..(MaxChars - 1)] + "\u2026";

    private static string F(double x) => x.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>The labels of lanes, wrapped at commas into lines of about 20 characters.</summary>
    internal static List<string> WrapLabel(string label, int width = 20)
    {
        var lines = new List<string>();
        var current = "";
        foreach (var part in label.Split(", "))
        {
            var piece = current.Length == 0 ? part : current + ", " + part;
            if (current.Length > 0 && piece.Length > width)
            {
                lines.Add(current + ",");
                current = part;
            }
            else current = piece;
        }
        if (current.Length > 0) lines.Add(current);
        return lines;
    }

    /// <summary>The SVG of a trace; its step columns are <c>g.step</c> elements with <c>data-step</c> 1, 2, ...</summary>
    /// <param name="picture">What to draw.</param>
    /// <param name="title">The accessible title.</param>
    /// <param name="width">The picture's width in pixels.</param>
    public static string Render(TracePicture picture, string title, out double width)
    {
        var steps = picture.Operations.Count;
        var cells = picture.Lanes.Select(l => l.Views.Select(Lines).ToList()).ToList();
        var labels = picture.Lanes.Select(l => WrapLabel(l.Label)).ToList();
        var gutterChars = Math.Max(10, labels.SelectMany(l => l).Select(s => s.Length).DefaultIfEmpty(0).Max());
        var gutter = gutterChars * CharWidth + 2 * Pad;

        var widths = new double[steps];
        for (var i = 0; i < steps; i++)
        {
            var chars = Math.Max(MinChars, Math.Max(Clip(picture.Operations[i]).Length, picture.Mark.Length + 2));
            foreach (var lane in cells) foreach (var l in lane[i]) chars = Math.Max(chars, Clip(l.Text).Length + (l.Kind == Kind.Patch ? 2 : 0));
            widths[i] = Math.Min(chars, MaxChars + 2) * CharWidth + 2 * Pad + 6;
        }
        const int header = 2 * LineHeight + 2 * Pad;
        var laneHeights = cells.Select((lane, k) => Math.Max(labels[k].Count, lane.Count == 0 ? 1 : lane.Max(c => c.Count)) * LineHeight + 2 * Pad + 4).ToList();
        width = gutter + widths.Sum();
        var height = header + laneHeights.Sum();

        var sb = new StringBuilder();
        sb.Append($"<svg class=\"trace\" width=\"{F(width)}\" height=\"{height}\" viewBox=\"0 0 {F(width)} {height}\" role=\"img\">");
        sb.Append($"<title>{HtmlText.Escape(title)}</title>");
        sb.Append($"<rect class=\"bg\" x=\"0\" y=\"0\" width=\"{F(width)}\" height=\"{height}\"/>");
        // The lane labels.
        var y = header;
        sb.Append($"<text class=\"muted\" x=\"{Pad}\" y=\"{Pad + LineHeight}\">step</text>");
        sb.Append($"<text class=\"muted\" x=\"{Pad}\" y=\"{Pad + 2 * LineHeight - 2}\">operation</text>");
        for (var k = 0; k < picture.Lanes.Count; k++)
        {
            sb.Append($"<line class=\"rule\" x1=\"0\" y1=\"{y}\" x2=\"{F(width)}\" y2=\"{y}\"/>");
            for (var j = 0; j < labels[k].Count; j++)
                sb.Append($"<text class=\"lane\" x=\"{Pad}\" y=\"{y + Pad + (j + 1) * LineHeight - 3}\">{HtmlText.Escape(labels[k][j])}</text>");
            y += laneHeights[k];
        }
        var x = gutter;
        for (var i = 0; i < steps; i++)
        {
            var marked = picture.Marked.Contains(i);
            var w = widths[i];
            sb.Append($"<g class=\"step{(marked ? picture.Broken ? " broken" : " reached" : "")}\" data-step=\"{i + 1}\" transform=\"translate({F(x)},0)\">");
            sb.Append($"<line class=\"rule\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"{height}\"/>");
            if (marked) sb.Append($"<rect class=\"mark\" x=\"2\" y=\"2\" width=\"{F(w - 4)}\" height=\"{height - 4}\" rx=\"4\"/>");
            var head = marked ? $"{i + 1}  {(picture.Broken ? "\u2717" : "\u2713")} {picture.Mark}" : $"{i + 1}";
            sb.Append($"<text class=\"{(marked ? "markhead" : "muted")}\" x=\"{Pad}\" y=\"{Pad + LineHeight}\">{HtmlText.Escape(head)}</text>");
            var op = picture.Operations[i];
            sb.Append($"<text class=\"op\" x=\"{Pad}\" y=\"{Pad + 2 * LineHeight - 2}\">{(op.Length > MaxChars ? $"<title>{HtmlText.Escape(op)}</title>" : "")}{HtmlText.Escape(Clip(op))}</text>");
            var top = header;
            for (var k = 0; k < cells.Count; k++)
            {
                var lines = cells[k][i];
                var ly = top + Pad;
                var groupStart = -1.0;
                for (var j = 0; j < lines.Count; j++)
                {
                    var l = lines[j];
                    var baseline = ly + (j + 1) * LineHeight - 3;
                    if (l.Kind == Kind.SetHead) groupStart = ly + j * LineHeight + 2;
                    var indent = l.Kind == Kind.Patch ? 2 * CharWidth : 0;
                    sb.Append($"<text class=\"{l.Kind.ToString().ToLowerInvariant()}\" x=\"{F(Pad + indent)}\" y=\"{baseline}\">{Text(l)}</text>");
                    var groupEnds = groupStart >= 0 && (j + 1 == lines.Count || lines[j + 1].Kind != Kind.Patch);
                    if (groupEnds)
                    {
                        var bottom = ly + (j + 1) * LineHeight + 1;
                        sb.Append($"<rect class=\"set\" x=\"{Pad - 4}\" y=\"{F(groupStart)}\" width=\"{F(w - 2 * Pad + 6)}\" height=\"{F(bottom - groupStart)}\" rx=\"3\"/>");
                        groupStart = -1;
                    }
                }
                top += laneHeights[k];
            }
            sb.Append("</g>");
            x += w;
        }
        sb.Append("</svg>");
        return sb.ToString();
    }
}
