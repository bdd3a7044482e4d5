using System.Globalization;
using System.Text.Json;
using System.Text;
using Klp.Check.Comparison;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Reports;

/// <summary>Renders a sweep as plain text, Markdown or JSON (docs/sweep.md, docs/json.md).</summary>
public static class SweepReport
{
    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Title(SweepResult s) =>
        $"{Words.Count(s.Readings.Count, "reading")} x {Words.Count(s.Properties.Count, "property")}, mode {ModeName(s)}".Replace("propertys", "properties");

    private static string ModeName(SweepResult s) =>
        ReadingOptionText.ModeName(s.Readings.Count > 0 ? s.Readings[0].Options.Granularity : Granularity.Atomic);

    private static string Kind(SweepResult s) => s.Base.IsRaw ? "raw catalogs" : "release plans";

    private static IEnumerable<SweepStep> Explored(SweepResult s) => s.Dimensions.SelectMany(d => d.Steps).Where(x => !x.Reused);

    /// <summary>What the sweep's claims range over: each step's bounds, up to the largest value each key reached, and the most patches an input had.</summary>
    public static string Scope(SweepResult s)
    {
        var steps = s.Dimensions.SelectMany(d => d.Steps).ToList();
        var largest = steps.Count > 0 ? steps[0].Point.Bounds : s.Base;
        foreach (var k in s.Base.Keys)
            foreach (var step in steps)
                if (step.Point.Bounds.Value(k.Name) > largest.Value(k.Name)) largest = largest.With(k.Name, step.Point.Bounds.Value(k.Name));
        var patches = Explored(s).Select(x => x.Result.Source.MaxPatches).DefaultIfEmpty(0).Max();
        return $"each step within the {Kind(s)} of its bounds, up to {largest} (at most {patches} patch{(patches == 1 ? "" : "es")} per input)";
    }

    /// <summary>The header line of a sweep a cap cut, or null.</summary>
    public static string? NotExhaustive(SweepResult s) =>
        ReportScope.NotExhaustive([.. Explored(s).SelectMany(x => x.Result.Results.SelectMany(r => r.Coverage.Cut))],
            Explored(s).Sum(x => (long)x.Result.Source.Count * x.Result.Results.Count),
            "a cell whose verdict at its largest bound or the one before depends on them is not decided (?)");

    // The mark after a cell's figure: ! not settled, ? not decided.
    private static string Suffix(SweepCell c) => c.Changed ? "!" : c.Undecided ? "?" : "";

    // A cell shown in the tables and the changes: its verdict changed along the dimension, or a cap left it undecided.
    private static bool Shown(SweepCell c) => !c.Unchanged || c.Undecided;

    /// <summary>How a report names step <paramref name="i"/> of a dimension: the key's value when it moves one key, else <c>#</c> and the step number.</summary>
    public static string StepName(SweepDimension d, int i) =>
        d.Keys.Count == 1 ? d.Points[i].Bounds.Value(d.Keys[0]).ToString(CultureInfo.InvariantCulture) : $"#{i + 1}";

    /// <summary>A cell's verdicts in words: each verdict with the steps it held at, e.g. "holds at 1..2, violated from 3".</summary>
    public static string History(SweepDimension d, SweepCell c)
    {
        var runs = c.Runs();
        var parts = new List<string>();
        for (var i = 0; i < runs.Count; i++)
        {
            var (word, first, last) = runs[i];
            var at = first == last ? StepName(d, first) : $"{StepName(d, first)}..{StepName(d, last)}";
            parts.Add(i == runs.Count - 1 && c.Settled && runs.Count > 1 ? $"{word} from {StepName(d, first)}" : $"{word} at {at}");
        }
        return string.Join(", ", parts) + (c.Changed ? " (not settled)" : c.Undecided ? " (not decided: a cap cut it)" : "");
    }

    private static string Heading(SweepDimension d) => d.Keys.Count == 1
        ? $"{d.Name} (the other bounds at the base)"
        : $"all: {string.Join(", ", d.Keys)} together (the others at the base)";

    private static string StopText(SweepStop stop) => stop.TooMany is { } tooMany
        ? $"stopped before {stop.Before.Label}: {tooMany}"
        : $"stopped before {stop.Before.Label}: that step is estimated to pass the --max-seconds budget";

    /// <summary>Plain text for an 80-column email: the steps of each dimension with their inputs and states, a table of the cells that change, each change in full, and what is not settled.</summary>
    public static string Text(SweepResult s)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"klp-check sweep: {Title(s)}");
        foreach (var line in TextLayout.Wrap($"base: {Kind(s)} {s.Base}".Split(' '), "")) sb.AppendLine(line);
        ReportScope.AppendWrapped(sb, "scope: " + Scope(s));
        ReportScope.AppendWrapped(sb, NotExhaustive(s));
        foreach (var line in TextLayout.Wrap(("each step is the compare matrix at its bounds; bounds met twice are explored once (marked =). "
            + "A figure in a table is the step from which the cell's last verdict holds; ! marks a cell not settled: its verdict changed at the largest bound"
            + (s.Exhaustive ? "" : $"; ? marks a cell not decided: a cap cut an input its verdict at the largest bound or the one before depends on ({ReportScope.Raise})")).Split(' '), ""))
            sb.AppendLine(line);
        var heads = ComparisonReport.Abbreviations(s.Readings);
        foreach (var d in s.Dimensions)
        {
            sb.AppendLine();
            sb.AppendLine(Heading(d.Dimension));
            if (d.Dimension.Keys.Count > 1)
                for (var i = 0; i < d.Steps.Count; i++) sb.AppendLine($"  #{i + 1} {d.Steps[i].Point.Label}");
            sb.AppendLine($"  {(d.Dimension.Keys.Count == 1 ? "value" : "step"),-8}{"inputs",12}{"states",16}{"transitions",18}{"x states",12}");
            for (var i = 0; i < d.Steps.Count; i++)
            {
                var step = d.Steps[i];
                var growth = i > 0 && d.Steps[i - 1].Result.States > 0 ? ((double)step.Result.States / d.Steps[i - 1].Result.States).ToString("F1", CultureInfo.InvariantCulture) : "";
                var transitions = step.Result.Results.Sum(r => r.Coverage.Transitions);
                sb.AppendLine($"  {StepName(d.Dimension, i) + (step.Reused ? " =" : ""),-8}{N(step.Result.Source.Count),12}{N(step.Result.States),16}{N(transitions),18}{growth,12}".TrimEnd());
            }
            if (d.Stopped is { } stop)
                foreach (var line in TextLayout.Wrap(StopText(stop).Split(' '), "  ")) sb.AppendLine(line);
            var cells = SweepResult.Cells(d);
            if (d.Steps.Count == 0) continue;
            if (!cells.Any(Shown))
            {
                sb.AppendLine("  every verdict is the same at every step");
                continue;
            }
            sb.AppendLine();
            var n = s.Properties.Count;
            var rows = Enumerable.Range(0, n).Where(k => Enumerable.Range(0, s.Readings.Count).Any(r => Shown(cells[r * n + k]))).ToList();
            const int first = 22, width = 5;
            for (var start = 0; start < s.Readings.Count; start += 11)
            {
                var chunk = Enumerable.Range(start, Math.Min(11, s.Readings.Count - start)).ToList();
                sb.Append(new string(' ', first)).AppendLine(string.Concat(chunk.Select(r => heads[r].PadRight(width))).TrimEnd());
                foreach (var k in rows)
                {
                    var line = new StringBuilder(s.Properties[k].Id.PadRight(first));
                    foreach (var r in chunk)
                    {
                        var cell = cells[r * n + k];
                        line.Append(((cell.Unchanged ? "." : StepName(d.Dimension, cell.Since)) + Suffix(cell)).PadRight(width));
                    }
                    sb.AppendLine(line.ToString().TrimEnd());
                }
            }
        }
        sb.AppendLine();
        foreach (var line in TextLayout.Wrap(s.Readings.Select((r, i) => $"{heads[i]}={r.DisplayName}"), "", "  ")) sb.AppendLine(line);
        var groups = Changes(s);
        if (groups.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(s.Exhaustive ? "Changes along each dimension, the verdict at each step:" : "Changes and undecided cells along each dimension, the verdict at each step:");
            foreach (var g in groups)
            {
                sb.AppendLine();
                var readings = g.Count() == s.Readings.Count && s.Readings.Count > 1 ? "every reading" : string.Join(", ", g.Select(c => c.Reading.DisplayName));
                foreach (var line in TextLayout.Wrap($"{g.Key.Dimension} / {g.Key.Property}: {readings}".Split(' '), "")) sb.AppendLine(line);
                foreach (var line in TextLayout.Wrap(g.Key.History.Split(' '), "    ")) sb.AppendLine(line);
            }
        }
        sb.AppendLine();
        foreach (var line in TextLayout.Wrap(Closing(s).Split(' '), "")) sb.AppendLine(line);
        return sb.ToString();
    }

    private static List<IGrouping<(string Dimension, string Property, string History), SweepCell>> Changes(SweepResult s)
    {
        var order = s.Properties.ToList();
        return [.. s.Dimensions.SelectMany(d => SweepResult.Cells(d).Where(Shown).Select(c => (d.Dimension, Cell: c)).OrderBy(x => order.IndexOf(x.Cell.Property)))
            .GroupBy(x => (x.Dimension.Name, x.Cell.Property.Id, History(x.Dimension, x.Cell)), x => x.Cell)];
    }

    /// <summary>The closing line: how many cells are not settled or not decided, and whether the sweep was interrupted or stopped by the budget.</summary>
    public static string Closing(SweepResult s)
    {
        var open = s.NotSettled().Count();
        var undecided = s.Undecided().Count();
        var single = s.Short().ToList();
        var text = open == 0 && undecided == 0 && single.Count == 0
            ? "every cell is settled: no verdict changed at the largest bound of its dimension"
            : string.Join("; ", new[]
            {
                open == 0 ? null : $"{Words.Count(open, "cell")} not settled: the verdict changed at the largest bound of its dimension",
                undecided == 0 ? null : $"{Words.Count(undecided, "cell")} not decided: a cap cut an exploration its verdict at the largest bound or the one before depends on",
                single.Count == 0 ? null : $"{string.Join(", ", single.Select(d => d.Dimension.Name))} explored {(single.Count == 1 ? Words.Count(single[0].Steps.Count, "step") : "fewer than two steps")}: whether {(single.Count == 1 ? "its" : "their")} cells settled is not known",
            }.OfType<string>());
        var stopped = s.Dimensions.Count(d => d.Stopped is { TooMany: null });
        if (stopped > 0) text += $"; {Words.Count(stopped, "dimension")} stopped by --max-seconds";
        var tooLarge = s.Dimensions.Count(d => d.Stopped is { TooMany: not null });
        if (tooLarge > 0) text += $"; {Words.Count(tooLarge, "dimension")} stopped before a step with too many inputs to enumerate";
        if (s.Interrupted is { } p) text += $"; interrupted during {p.Label}, the finished steps are kept";
        return text;
    }

    /// <summary>Markdown: per dimension, a table of the steps and a table of every cell's verdicts along it, full reading names.</summary>
    public static string Markdown(SweepResult s)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"### klp-check sweep: {Title(s)}");
        sb.AppendLine();
        sb.AppendLine($"Base: {Kind(s)} `{s.Base}`. Scope: {Scope(s)}. Each step is the `compare` matrix at its bounds; bounds met twice are explored once.");
        ReportScope.AppendMarkdown(sb, NotExhaustive(s));
        foreach (var d in s.Dimensions)
        {
            sb.AppendLine();
            sb.AppendLine($"#### {Heading(d.Dimension)}");
            sb.AppendLine();
            sb.AppendLine("| step | bounds | inputs | states | transitions |");
            sb.AppendLine("|---|---|--:|--:|--:|");
            for (var i = 0; i < d.Steps.Count; i++)
            {
                var step = d.Steps[i];
                sb.AppendLine($"| {StepName(d.Dimension, i)}{(step.Reused ? " (explored above)" : "")} | `{step.Point.Label}` | {N(step.Result.Source.Count)} | {N(step.Result.States)} | {N(step.Result.Results.Sum(r => r.Coverage.Transitions))} |");
            }
            if (d.Stopped is { } stop) sb.AppendLine().AppendLine(StopText(stop) + ".");
            if (d.Steps.Count == 0) continue;
            sb.AppendLine();
            sb.Append("| property |");
            foreach (var r in s.Readings) sb.Append($" {MarkdownText.Plain(r.DisplayName)} |");
            sb.AppendLine().Append("|---|");
            foreach (var _ in s.Readings) sb.Append("---|");
            sb.AppendLine();
            var cells = SweepResult.Cells(d);
            for (var k = 0; k < s.Properties.Count; k++)
            {
                sb.Append($"| `{s.Properties[k].Id}` |");
                foreach (var c in Enumerable.Range(0, s.Readings.Count).Select(r => cells[r * s.Properties.Count + k]))
                    sb.Append(!Shown(c) ? $" {c.Verdicts[0].Word} |" : c.Settled ? $" {History(d.Dimension, c)} |" : $" **{History(d.Dimension, c)}** |");
                sb.AppendLine();
            }
        }
        sb.AppendLine();
        sb.AppendLine(Closing(s) + ".");
        return sb.ToString();
    }

    /// <summary>The JSON document of docs/json.md.</summary>
    public static string Json(SweepResult s) => JsonReport.Write("sweep", w =>
    {
        w.WriteBoolean("complete", s.Complete);
        if (s.Interrupted is { } p) w.WriteString("interrupted", p.Label);
        else w.WriteNull("interrupted");
        w.WriteStartObject("base");
        w.WriteString("kind", Kind(s));
        w.WriteString("bounds", s.Base.ToString());
        w.WriteEndObject();
        w.WriteString("scope", Scope(s));
        w.WriteBoolean("exhaustive", s.Exhaustive);
        w.WriteString("mode", ModeName(s));
        w.WriteStartArray("readings");
        foreach (var r in s.Readings) ModelJson.WriteReading(w, r);
        w.WriteEndArray();
        w.WriteStartArray("properties");
        foreach (var inv in s.Properties) w.WriteStringValue(inv.Id);
        w.WriteEndArray();
        w.WriteStartArray("dimensions");
        foreach (var d in s.Dimensions) WriteDimension(w, d);
        w.WriteEndArray();
        w.WriteNumber("notSettled", s.NotSettled().Count());
        w.WriteNumber("undecided", s.Undecided().Count());
        w.WriteStartArray("short");
        foreach (var d in s.Short()) w.WriteStringValue(d.Dimension.Name);
        w.WriteEndArray();
    });

    private static void WriteDimension(Utf8JsonWriter w, DimensionResult d)
    {
        w.WriteStartObject();
        w.WriteString("name", d.Dimension.Name);
        w.WriteStartArray("keys");
        foreach (var k in d.Dimension.Keys) w.WriteStringValue(k);
        w.WriteEndArray();
        w.WriteStartArray("steps");
        for (var i = 0; i < d.Steps.Count; i++)
        {
            var step = d.Steps[i];
            w.WriteStartObject();
            w.WriteString("name", StepName(d.Dimension, i));
            w.WriteString("bounds", step.Point.Bounds.ToString());
            w.WriteStartObject("values");
            foreach (var k in d.Dimension.Keys) w.WriteNumber(k, step.Point.Bounds.Value(k));
            w.WriteEndObject();
            w.WriteNumber("inputs", step.Result.Source.Count);
            w.WriteNumber("states", step.Result.States);
            w.WriteNumber("transitions", step.Result.Results.Sum(r => r.Coverage.Transitions));
            w.WriteNumber("cut", step.Result.Results.Sum(r => r.Coverage.Cut.Count));
            JsonReport.WriteExhaustive(w, step.Result.Results.SelectMany(r => r.Coverage.Cut.Select(c => ((string?)r.Reading.DisplayName, c))));
            w.WriteBoolean("reused", step.Reused);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (d.Stopped is { } stop)
        {
            w.WriteStartObject("stopped");
            w.WriteString("before", stop.Before.Label);
            w.WriteString("reason", stop.Reason);
            w.WriteEndObject();
        }
        else w.WriteNull("stopped");
        w.WriteStartArray("cells");
        foreach (var c in SweepResult.Cells(d))
        {
            w.WriteStartObject();
            w.WriteString("reading", c.Reading.DisplayName);
            w.WriteString("property", c.Property.Id);
            w.WriteStartArray("verdicts");
            foreach (var v in c.Verdicts) w.WriteStringValue(v.Word);
            w.WriteEndArray();
            w.WriteString("since", StepName(d.Dimension, c.Since));
            w.WriteNumber("sinceStep", c.Since);
            w.WriteBoolean("settled", c.Settled);
            w.WriteBoolean("decided", !c.Undecided);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
