using System.Text.Json;
using System.Text;
using Klp.Check.Equivalence;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Reports;

/// <summary>Renders equivalence classes and distinguishing traces as plain text, Markdown or JSON (docs/json.md, "diff").</summary>
public static class EquivalenceReport
{
    private static string ModeName(EquivalenceResult r) =>
        ReadingOptionText.ModeName(r.Readings.Any(x => x.Options.Granularity == Granularity.TwoPhase) ? Granularity.TwoPhase : Granularity.Atomic);

    private static string Names(EquivalenceClass c) => string.Join(", ", c.Members.Select(m => m.DisplayName));

    private static string Plural(long n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";

    private static string Cap(string cut) => cut[(cut.IndexOf(": ", StringComparison.Ordinal) + 2)..];

    /// <summary>The header line of classes a cap cut, or null: the classes then hold only within the explored part.</summary>
    public static string? NotExhaustive(EquivalenceResult r) => r.Exhaustive ? null
        : $"not exhaustive: {string.Join(", ", r.Cut.Select(Cap).Distinct())} cut the lockstep exploration of {r.Cut.Count} of {Plural(r.Source.Count, "input")}: "
            + "readings in one class differ in no trace of the explored part, which does not show them equivalent";

    // What a class of several readings claims, with its evidence.
    internal static string Evidence(EquivalenceResult r, EquivalenceClass k) => r.Exhaustive
        ? $"equivalent over {Plural(k.Inputs, "input")}, {Plural(k.ProductStates, "product state")} compared"
        : $"no difference in the explored part of {Plural(k.Inputs, "input")}, {Plural(k.ProductStates, "product state")} compared";

    internal static string ClassesHead(EquivalenceResult r)
    {
        var within = r.Exhaustive ? "" : " in the explored part";
        return r.Classes.Count == 1
            ? $"1 class: no trace{within} tells these readings apart"
            : $"{r.Classes.Count} classes; no trace{within} tells the readings of one class apart";
    }

    /// <summary>The trace of a divergence as one line of scenario operations.</summary>
    public static string TraceText(Divergence d) => string.Join("; ", d.Trace.Select(o => o.Format(d.Views[0].Catalog)));

    /// <summary>A reading's observable state in one line: enabled patches, occupied sets, active states.</summary>
    public static string StateText(Catalog catalog, Reading reading, in KernelState state, Observed observed)
    {
        var enabled = Observables.Enabled(state);
        var sb = new StringBuilder("enabled ");
        sb.Append(enabled.Count == 0 ? "none" : string.Join(" ", enabled.Select(p => catalog[p].Name)));
        if (state.InTransition)
            sb.Append($" (transition {catalog[state.TransitionPatch].Name} -> {(state.TargetPatched ? "patched" : "unpatched")})");
        if ((observed & Observed.Sets) != 0 && enabled.Count > 0)
            sb.Append("; sets ").Append(string.Join(" ", Observables.OccupiedSets(catalog, reading, state)
                .Select(o => $"{catalog[o.Patch].Name} {{{string.Join(",", catalog.SetsOf(o.Sets))}}}")));
        var states = Observables.ActiveStates(catalog, state);
        if ((observed & Observed.States) != 0 && states.Count > 0) sb.Append("; states ").Append(string.Join(" ", states.Values));
        return sb.ToString();
    }

    /// <summary>What differs after the last step, one line per difference, naming each reading's value.</summary>
    public static List<string> DifferenceLines(Divergence d)
    {
        var lines = new List<string>();
        var views = d.Views;
        var last = d.Trace[^1];
        string Values(Func<LockstepView, string> value)
        {
            var groups = new List<(List<string> Readings, string Value)>();
            foreach (var v in views)
            {
                var text = value(v);
                var g = groups.FindIndex(x => x.Value == text);
                if (g < 0) groups.Add(([v.Reading.DisplayName], text));
                else groups[g].Readings.Add(v.Reading.DisplayName);
            }
            return string.Join("; ", groups.Select(g => $"{string.Join(", ", g.Readings)}: {g.Value}"));
        }
        if ((d.Differs & Observed.Outcome) != 0) lines.Add("outcome: " + Values(v => KernelStateText.Outcome(v.Catalog, last, v.After)));
        if ((d.Differs & Observed.Enabled) != 0)
            lines.Add("enabled: " + Values(v => Observables.Enabled(v.After.State) is { Count: > 0 } e ? string.Join(" ", e.Select(p => v.Catalog[p].Name)) : "none"));
        var c0 = views[0].Catalog;
        if ((d.Differs & Observed.Active) != 0)
            for (var f = 0; f < c0.Functions.Length; f++)
            {
                var fn = c0.Functions[f];
                string Active(LockstepView v)
                {
                    var p = Observables.ActiveImplementation(v.Catalog, v.After.State, v.Catalog.IndexOfFunction(fn));
                    return p < 0 ? "original" : v.Catalog[p].Name;
                }
                if (views.Select(Active).Distinct().Count() > 1) lines.Add($"active {fn}: {Values(Active)}");
            }
        if ((d.Differs & Observed.Runs) != 0)
            for (var f = 0; f < c0.Functions.Length; f++)
            {
                var fn = c0.Functions[f];
                string Runs(LockstepView v)
                {
                    var bit = v.Catalog.IndexOfFunction(fn);
                    int sw = FunctionStack.Runs(v.Catalog, v.After.State, bit, switched: true), un = FunctionStack.Runs(v.Catalog, v.After.State, bit, switched: false);
                    string Name(int p) => p < 0 ? "original" : v.Catalog[p].Name;
                    return sw == un ? $"{Name(sw)} for all tasks" : $"{Name(sw)} switched, {Name(un)} unswitched";
                }
                if (views.Select(Runs).Distinct().Count() == 1) continue;
                lines.Add($"runs {fn}: {Values(Runs)}");
                lines.Add($"stack of {fn}: {Values(v => StackText(v.Catalog, FunctionStack.Of(v.Catalog, v.After.State, v.Catalog.IndexOfFunction(fn))))}");
            }
        if ((d.Differs & Observed.States) != 0)
            foreach (var id in c0.StateIds)
            {
                string State(LockstepView v) => Observables.ActiveStates(v.Catalog, v.After.State).TryGetValue(id, out var s) ? s.ToString() : "none";
                if (views.Select(State).Distinct().Count() > 1) lines.Add($"state {id}: {Values(State)}");
            }
        if ((d.Differs & Observed.Sets) != 0)
        {
            string Occupied(LockstepView v) => string.Join(" ", Observables.OccupiedSets(v.Catalog, v.Reading, v.After.State)
                .Select(o => $"{v.Catalog[o.Patch].Name} {{{string.Join(",", v.Catalog.SetsOf(o.Sets))}}}")) is { Length: > 0 } text ? text : "none";
            var sameEnabled = views.Select(v => string.Join(" ", Observables.Enabled(v.After.State))).Distinct().Count() == 1;
            if (!sameEnabled) lines.Add($"sets: {Values(Occupied)}");
            else
                for (var p = 0; p < c0.Count; p++)
                {
                    var patch = p;
                    if (!Observables.IsEnabled(views[0].After.State, patch)) continue;
                    string Sets(LockstepView v)
                    {
                        var o = Observables.OccupiedSets(v.Catalog, v.Reading, v.After.State).First(x => x.Patch == patch);
                        return "{" + string.Join(",", v.Catalog.SetsOf(o.Sets)) + "}";
                    }
                    if (views.Select(Sets).Distinct().Count() > 1) lines.Add($"sets of {c0[p].Name}: {Values(Sets)}");
                }
        }
        return lines;
    }

    /// <summary>A function stack, head first: <c>nop of a2 (transition), b1, a1</c>, or <c>empty</c>.</summary>
    public static string StackText(Catalog catalog, IReadOnlyList<StackEntry> stack) =>
        stack.Count == 0 ? "empty" : string.Join(", ", stack.Select(e =>
            (e.Nop ? "nop of " : "") + catalog[e.Patch].Name + (e.Transition ? " (transition)" : "")));

    private static IEnumerable<string> InputLines(string input) =>
        input.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void Grouped(StringBuilder sb, IEnumerable<(string Reading, string Text)> rows, string indent)
    {
        var groups = new List<(List<string> Readings, string Text)>();
        foreach (var (reading, text) in rows)
        {
            var g = groups.FindIndex(x => x.Text == text);
            if (g < 0) groups.Add(([reading], text));
            else groups[g].Readings.Add(reading);
        }
        foreach (var (readings, text) in groups)
            foreach (var line in TextLayout.Wrap($"{string.Join(", ", readings)}: {text}".Split(' '), indent + "  ").Select((l, i) => i == 0 ? indent + l.TrimStart() : l))
                sb.AppendLine(line);
    }

    private static string Headline(EquivalenceResult r, ClassDifference d)
    {
        var a = r.Classes[d.First].Representative.DisplayName;
        var b = r.Classes[d.Second].Representative.DisplayName;
        return $"{a} vs {b}: {Plural(d.Divergence.Length, "operation")}, differ in {string.Join(", ", ObservedText.Format(d.Divergence.Differs))}";
    }

    /// <summary>Plain text for an 80-column email: the classes with their evidence, then each pair of classes with its shortest distinguishing trace.</summary>
    /// <param name="r">The result.</param>
    /// <param name="standalone">True for <c>klp-check diff</c>: a heading, and each reading's state before and after the last step; false for a section of another report.</param>
    public static string Text(EquivalenceResult r, bool standalone = true)
    {
        var sb = new StringBuilder();
        if (standalone)
        {
            sb.AppendLine($"klp-check diff: {Plural(r.Readings.Count, "reading")}, mode {ModeName(r)}");
            ReportScope.AppendWrapped(sb, "scope: " + ReportScope.Of(r.Source));
            ReportScope.AppendWrapped(sb, NotExhaustive(r));
        }
        else sb.AppendLine("Equivalence classes (klp-check diff):");
        foreach (var line in TextLayout.Wrap($"observables: {string.Join(", ", ObservedText.Format(r.Observed))}".Split(' '), "")) sb.AppendLine(line);
        if (r.SetsNote is not null)
            foreach (var line in TextLayout.Wrap($"({r.SetsNote})".Split(' '), "")) sb.AppendLine(line);
        if (!r.Complete && r.Classes.Count == 0)
        {
            sb.AppendLine();
            sb.AppendLine("interrupted: the classes were not established");
            return sb.ToString();
        }
        sb.AppendLine();
        ReportScope.AppendWrapped(sb, ClassesHead(r) + (r.Classes.Count == 1 ? "" : ":"));
        for (var c = 0; c < r.Classes.Count; c++)
        {
            var k = r.Classes[c];
            var label = $"{c + 1,3}. ";
            foreach (var line in TextLayout.Wrap(Names(k).Split(' '), "     ").Select((l, i) => i == 0 ? label + l.TrimStart() : l)) sb.AppendLine(line);
            if (k.Members.Count > 1)
                ReportScope.AppendWrapped(sb, Evidence(r, k), "     ");
        }
        if (!r.Complete) sb.AppendLine("interrupted: the distinguishing traces were not finished");
        if (r.Differences.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(r.Differences.Count == 1
                ? "The shortest trace that tells them apart:"
                : "For each pair of classes, the shortest trace that tells them apart:");
            foreach (var d in r.Differences) AppendDifference(sb, r, d, standalone);
        }
        sb.AppendLine();
        foreach (var line in TextLayout.Wrap(Totals(r).Split(' '), "")) sb.AppendLine(line);
        return sb.ToString();
    }

    private static void AppendDifference(StringBuilder sb, EquivalenceResult r, ClassDifference d, bool detail)
    {
        var div = d.Divergence;
        sb.AppendLine();
        foreach (var line in TextLayout.Wrap(Headline(r, d).Split(' '), "  ").Select((l, i) => i == 0 ? l.TrimStart() : l)) sb.AppendLine(line);
        var where = $"classes {d.First + 1} and {d.Second + 1}; they differ on {d.DistinguishingInputs} of {Plural(r.Source.Count, "input")}; input {d.Input + 1}:";
        foreach (var line in TextLayout.Wrap(where.Split(' '), "  ")) sb.AppendLine(line);
        foreach (var input in InputLines(d.InputText))
            foreach (var line in TextLayout.Wrap(input.Split(' '), "      ").Select((l, i) => i == 0 ? "    " + l.TrimStart() : l)) sb.AppendLine(line);
        foreach (var line in TextLayout.Wrap(TraceText(div).Split(' '), "    $ ")) sb.AppendLine(line);
        if (detail)
        {
            var last = div.Trace[^1].Format(div.Views[0].Catalog);
            sb.AppendLine($"  before {last}:");
            Grouped(sb, div.Views.Select(v => (v.Reading.DisplayName, StateText(v.Catalog, v.Reading, v.Before, r.Observed))), "    ");
            sb.AppendLine("  after:");
            Grouped(sb, div.Views.Select(v => (v.Reading.DisplayName,
                $"{KernelStateText.Outcome(v.Catalog, div.Trace[^1], v.After)}; {StateText(v.Catalog, v.Reading, v.After.State, r.Observed)}")), "    ");
        }
        sb.AppendLine("  differs:");
        foreach (var diff in DifferenceLines(div))
            foreach (var line in TextLayout.Wrap(diff.Split(' '), "      ").Select((l, i) => i == 0 ? "    " + l.TrimStart() : l)) sb.AppendLine(line);
    }

    /// <summary>The closing line: product states explored, and whether any cap cut an exploration.</summary>
    public static string Totals(EquivalenceResult r) =>
        $"{r.ProductStates} product states and {r.Transitions} transitions explored over {Plural(r.Source.Count, "input")}"
        + (r.Cut.Count > 0 ? $"; {r.Cut.Count} explorations cut by a cap ({Cap(r.Cut[0])}): equivalence holds only within the caps" : "; every exploration exhaustive");

    /// <summary>Markdown: a table of the classes, then the distinguishing traces.</summary>
    /// <param name="r">The result.</param>
    /// <param name="standalone">True for <c>klp-check diff</c>: a heading and a before/after table per trace; false for a section of another report.</param>
    public static string Markdown(EquivalenceResult r, bool standalone = true)
    {
        var sb = new StringBuilder();
        var h = standalone ? "###" : "####";
        sb.AppendLine(standalone ? $"### klp-check diff: {Plural(r.Readings.Count, "reading")}" : "#### Equivalence classes");
        sb.AppendLine();
        if (standalone) sb.AppendLine($"Scope: {ReportScope.Markdown(r.Source)}, mode {ModeName(r)}.");
        if (standalone && NotExhaustive(r) is { } cut)
        {
            ReportScope.AppendMarkdown(sb, cut);
            sb.AppendLine();
        }
        sb.AppendLine($"Observables: {string.Join(", ", ObservedText.Format(r.Observed))}{(r.SetsNote is null ? "" : $" ({r.SetsNote})")}.");
        sb.AppendLine();
        if (!r.Complete && r.Classes.Count == 0)
        {
            sb.AppendLine("Interrupted: the classes were not established.");
            return sb.ToString();
        }
        if (!r.Exhaustive) sb.AppendLine(ClassesHead(r) + ".").AppendLine();
        sb.AppendLine("| class | readings | inputs | product states compared |");
        sb.AppendLine("|---|---|---|---|");
        for (var c = 0; c < r.Classes.Count; c++)
        {
            var k = r.Classes[c];
            sb.AppendLine($"| {c + 1} | {string.Join(", ", k.Members.Select(m => MarkdownText.CellCode(m.DisplayName)))} | {k.Inputs} | {(k.Members.Count > 1 ? k.ProductStates.ToString() : "-")} |");
        }
        if (r.Differences.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine($"{h}# Distinguishing traces");
            foreach (var d in r.Differences)
            {
                var div = d.Divergence;
                sb.AppendLine();
                sb.AppendLine($"- classes {d.First + 1} and {d.Second + 1}, {MarkdownText.Plain(Headline(r, d))} (differ on {d.DistinguishingInputs} of {r.Source.Count} inputs)");
                sb.AppendLine($"  - input {d.Input + 1}: {MarkdownText.Plain(string.Join("; ", InputLines(d.InputText)))}");
                sb.AppendLine($"  - trace: {MarkdownText.Code(TraceText(div))}");
                foreach (var line in DifferenceLines(div)) sb.AppendLine($"  - {MarkdownText.Plain(line)}");
                if (!standalone) continue;
                sb.AppendLine();
                sb.AppendLine("  | reading | before | outcome | after |");
                sb.AppendLine("  |---|---|---|---|");
                foreach (var v in div.Views)
                    sb.AppendLine($"  | {MarkdownText.CellCode(v.Reading.DisplayName)} | {MarkdownText.Plain(StateText(v.Catalog, v.Reading, v.Before, r.Observed))} | {MarkdownText.Plain(KernelStateText.Outcome(v.Catalog, div.Trace[^1], v.After))} | {MarkdownText.Plain(StateText(v.Catalog, v.Reading, v.After.State, r.Observed))} |");
            }
        }
        sb.AppendLine();
        sb.AppendLine(Totals(r));
        return sb.ToString();
    }

    /// <summary>The JSON document of <c>klp-check diff</c> (docs/json.md).</summary>
    public static string Json(EquivalenceResult r, string command = "diff")
    {
        return JsonReport.Write(command, w =>
        {
            w.WriteBoolean("complete", r.Complete);
            JsonReport.WriteInput(w, r.Source);
            w.WriteString("scope", ReportScope.Of(r.Source));
            w.WriteString("mode", ModeName(r));
            w.WriteStartArray("readings");
            foreach (var reading in r.Readings) ModelJson.WriteReading(w, reading);
            w.WriteEndArray();
            WriteBody(w, r);
        });
    }

    /// <summary>Writes the classes and traces as one JSON object, for embedding in another document (docs/json.md, "diff").</summary>
    public static void Write(Utf8JsonWriter w, EquivalenceResult r)
    {
        w.WriteStartObject();
        WriteBody(w, r);
        w.WriteEndObject();
    }

    private static void WriteBody(Utf8JsonWriter w, EquivalenceResult r)
    {
        w.WriteStartArray("observables");
        foreach (var o in ObservedText.Format(r.Observed)) w.WriteStringValue(o);
        w.WriteEndArray();
        if (r.SetsNote is null) w.WriteNull("setsNote");
        else w.WriteString("setsNote", r.SetsNote);
        w.WriteStartArray("classes");
        foreach (var k in r.Classes)
        {
            w.WriteStartObject();
            w.WriteStartArray("readings");
            foreach (var m in k.Members) w.WriteStringValue(m.DisplayName);
            w.WriteEndArray();
            w.WriteNumber("inputs", k.Inputs);
            w.WriteNumber("productStates", k.ProductStates);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("differences");
        foreach (var d in r.Differences) WriteDifference(w, r, d);
        w.WriteEndArray();
        if (r.Shortest is { } s) w.WriteNumber("shortest", r.Differences.ToList().IndexOf(s));
        else w.WriteNull("shortest");
        w.WriteNumber("productStates", r.ProductStates);
        w.WriteNumber("transitions", r.Transitions);
        w.WriteStartArray("cut");
        foreach (var c in r.Cut) w.WriteStringValue(c);
        w.WriteEndArray();
        w.WriteBoolean("exhaustive", r.Exhaustive);
    }

    private static void WriteDifference(Utf8JsonWriter w, EquivalenceResult r, ClassDifference d)
    {
        var div = d.Divergence;
        var last = div.Trace[^1];
        w.WriteStartObject();
        w.WriteStartArray("classes");
        w.WriteNumberValue(d.First);
        w.WriteNumberValue(d.Second);
        w.WriteEndArray();
        w.WriteNumber("length", div.Length);
        w.WriteStartArray("differs");
        foreach (var o in ObservedText.Format(div.Differs)) w.WriteStringValue(o);
        w.WriteEndArray();
        w.WriteStartArray("details");
        foreach (var line in DifferenceLines(div)) w.WriteStringValue(line);
        w.WriteEndArray();
        w.WriteNumber("input", d.Input);
        w.WriteString("inputText", d.InputText);
        w.WriteNumber("distinguishingInputs", d.DistinguishingInputs);
        w.WriteStartArray("trace");
        foreach (var op in div.Trace) w.WriteStringValue(op.Format(div.Views[0].Catalog));
        w.WriteEndArray();
        w.WriteStartArray("views");
        foreach (var v in div.Views)
        {
            w.WriteStartObject();
            w.WriteString("reading", v.Reading.DisplayName);
            w.WriteStartObject("before");
            ModelJson.WriteState(w, v.Catalog, v.Reading, v.Before);
            w.WriteEndObject();
            w.WriteStartObject("outcome");
            ModelJson.WriteOutcome(w, v.Catalog, v.After);
            w.WriteEndObject();
            w.WriteStartObject("after");
            ModelJson.WriteState(w, v.Catalog, v.Reading, v.After.State);
            w.WriteEndObject();
            w.WriteString("scenario", ScenarioWriter.Write($"{last.Format(v.Catalog)} distinguishes {string.Join(" from ", div.Views.Select(x => x.Reading.DisplayName))}", v.Catalog, v.Reading, div.Trace));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
