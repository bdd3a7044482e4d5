using System.Globalization;
using System.Text;
using System.Text.Json;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Output;

/// <summary>Renders replays as plain text, Markdown or JSON (docs/json.md).</summary>
public static class ReplayReport
{
    /// <summary>One reading's result of a step, in words: "accepted, replaces klp-1b" or "refused EINVAL function-conflict".</summary>
    public static string Outcome(Catalog catalog, Operation? op, Outcome? outcome)
    {
        if (outcome is not { } o) return "initial state";
        if (!o.Accepted) return $"refused {o.Errno} {o.Reason.Name()}";
        if (o.Affected == 0) return "accepted";
        var verb = op?.Kind switch { OpKind.Load => "replaces", OpKind.Unload => "unloads", _ => "removes" };
        return $"accepted, {verb} {string.Join(" ", catalog.NamesOf(o.Affected))}";
    }

    /// <summary>The enabled patches after a step, and the transition if one is running.</summary>
    public static string Enabled(Catalog catalog, in KernelState state)
    {
        var names = Observables.Enabled(state).Select(p => catalog[p].Name).ToList();
        var text = names.Count == 0 ? "none" : string.Join(" ", names);
        if (state.InTransition)
            text += $" (transition {catalog[state.TransitionPatch].Name} -> {(state.TargetPatched ? "patched" : "unpatched")})";
        return text;
    }

    /// <summary>Every observable after a step, one line each: the outcome, then clauses an <c>expect</c> line takes (enabled and transition, stack order, occupied sets, active code, active states, modules).</summary>
    public static IEnumerable<string> Observed(Catalog catalog, Reading reading, Operation? op, Outcome? outcome, KernelState state)
    {
        static string Set(IEnumerable<string> names) => "{" + string.Join(", ", names) + "}";
        yield return Outcome(catalog, op, outcome);
        var transition = state.InTransition
            ? $"transition {catalog[state.TransitionPatch].Name} {(state.TargetPatched ? "patched" : "unpatched")}"
            : "transition none";
        yield return $"enabled {Set(Observables.Enabled(state).Select(p => catalog[p].Name))}; {transition}";
        if (state.Count > 0)
            yield return string.Join("; ", Enumerable.Range(0, state.Count).Select(i => $"stack_order {catalog[state.PatchAt(i)].Name} = {i + 1}"));
        var occupied = Observables.OccupiedSets(catalog, reading, state);
        if (reading.HasSets && occupied.Count > 0)
            yield return string.Join("; ", occupied.Select(o => $"occupies {catalog[o.Patch].Name} {{{string.Join(",", catalog.SetsOf(o.Sets))}}}"));
        if (catalog.Functions.Length > 0)
            yield return string.Join("; ", Enumerable.Range(0, catalog.Functions.Length).Select(f =>
            {
                var p = Observables.ActiveImplementation(catalog, state, f);
                return $"active {catalog.Functions[f]} = {(p < 0 ? "original" : catalog[p].Name)}";
            }));
        if (state.InTransition)
            foreach (var f in StackFunctions(catalog, state))
                yield return RunsClause.Text(catalog, catalog.Functions[f],
                    FunctionStack.Runs(catalog, state, f, switched: true), FunctionStack.Runs(catalog, state, f, switched: false));
        yield return $"states {{{string.Join(", ", Observables.ActiveStates(catalog, state).Values)}}}";
        yield return $"loaded {Set(catalog.NamesOf(state.Loaded))}; pinned {Set(catalog.NamesOf(state.Pinned))}";
    }

    // Mid-transition, the functions whose switched and unswitched tasks run different code:
    // "; f: a2 switched, a1 unswitched".
    private static string SplitCode(Catalog catalog, KernelState state)
    {
        if (!state.InTransition) return "";
        var sb = new StringBuilder();
        foreach (var f in StackFunctions(catalog, state))
        {
            var sw = FunctionStack.Runs(catalog, state, f, switched: true);
            var un = FunctionStack.Runs(catalog, state, f, switched: false);
            if (sw == un) continue;
            string Name(int p) => p < 0 ? "original" : catalog[p].Name;
            sb.Append($"; {catalog.Functions[f]}: {Name(sw)} switched, {Name(un)} unswitched");
        }
        return sb.ToString();
    }

    // The functions with a non-empty func_stack, in catalog order.
    private static IEnumerable<int> StackFunctions(Catalog catalog, KernelState state)
    {
        for (var f = 0; f < catalog.Functions.Length; f++)
            if (FunctionStack.Of(catalog, state, f).Count > 0) yield return f;
    }

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
            var what = $"{Outcome(catalog, step.Step.Operation, step.Outcomes[r])}; enabled {Enabled(catalog, result.States[stepIndex][r])}{SplitCode(catalog, result.States[stepIndex][r])}";
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
            sb.AppendLine($"### {Escape(result.Scenario.Title)}");
            sb.AppendLine();
            sb.AppendLine($"`{result.Scenario.Path}`, mode {ModeName(result)}");
            sb.AppendLine();
            sb.Append("| # | operation |");
            foreach (var r in result.Readings) sb.Append($" {Escape(r.DisplayName)} |");
            sb.AppendLine(" note |");
            sb.Append("|---|---|");
            foreach (var _ in result.Readings) sb.Append("---|");
            sb.AppendLine("---|");
            for (var i = 0; i < result.Steps.Count; i++)
            {
                var step = result.Steps[i];
                if (step.Step.Operation is null) continue;
                sb.Append($"| {i} | `{Escape(step.Step.Text)}` |");
                for (var r = 0; r < result.Readings.Count; r++)
                {
                    var failed = result.Failures.Any(f => f.Reading == result.Readings[r] && step.Step.Expectations.Contains(f.Expectation));
                    var cell = string.Join("<br>", Observed(catalog, result.Readings[r], step.Step.Operation, step.Outcomes[r], result.States[i][r]).Select(Escape));
                    sb.Append($" {(failed ? "**FAIL** " : "")}{cell} |");
                }
                sb.AppendLine($" {Escape(step.Step.Note ?? "")} |");
            }
            if (result.Failures.Count > 0)
            {
                sb.AppendLine();
                foreach (var f in result.Failures)
                    sb.AppendLine($"- **FAIL** `{result.Scenario.Path}:{f.Expectation.Line}:{f.Expectation.Column}` [{Escape(f.Reading.DisplayName)}] expected `{f.Expectation.Text}`, got `{f.Actual}`");
            }
            sb.AppendLine();
            sb.AppendLine(Summary(result));
        }
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("|", "\\|").Replace("<-", "&lt;-");

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

    /// <summary>Writes a reading as <c>{"name", "display", "options"}</c>.</summary>
    public static void WriteReading(Utf8JsonWriter w, Reading r)
    {
        w.WriteStartObject();
        w.WriteString("name", r.Name);
        w.WriteString("display", r.DisplayName);
        w.WriteStartObject("options");
        foreach (var setting in ReadingOptionText.Format(r.Options))
        {
            var eq = setting.IndexOf('=');
            w.WriteString(setting[..eq], setting[(eq + 1)..]);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Writes an outcome as properties of the current object: <c>accepted</c>, <c>errno</c>, <c>reason</c>, <c>affected</c>.</summary>
    public static void WriteOutcome(Utf8JsonWriter w, Catalog catalog, Outcome o)
    {
        w.WriteBoolean("accepted", o.Accepted);
        if (o.Accepted)
        {
            w.WriteNull("errno");
            w.WriteNull("reason");
        }
        else
        {
            w.WriteString("errno", o.Errno.ToString());
            w.WriteString("reason", o.Reason.Name());
        }
        WriteNames(w, "affected", catalog, Bits(o.Affected));
    }

    private static void WriteCode(Utf8JsonWriter w, string name, Catalog catalog, int patch)
    {
        if (patch < 0) w.WriteNull(name);
        else w.WriteString(name, catalog[patch].Name);
    }

    /// <summary>Writes every observable of a kernel state as properties of the current object (docs/json.md, STATE).</summary>
    public static void WriteState(Utf8JsonWriter w, Catalog catalog, Reading reading, in KernelState state)
    {
        WriteNames(w, "enabled", catalog, Observables.Enabled(state));
        var patches = new List<int>(state.Count);
        for (var i = 0; i < state.Count; i++) patches.Add(state.PatchAt(i));
        WriteNames(w, "patches", catalog, patches);
        w.WriteStartObject("occupied");
        foreach (var (p, sets) in Observables.OccupiedSets(catalog, reading, state))
        {
            w.WriteStartArray(catalog[p].Name);
            foreach (var n in catalog.SetsOf(sets)) w.WriteNumberValue(n);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteStartObject("active");
        for (var f = 0; f < catalog.Functions.Length; f++)
        {
            var p = Observables.ActiveImplementation(catalog, state, f);
            if (p < 0) w.WriteNull(catalog.Functions[f].ToString());
            else w.WriteString(catalog.Functions[f].ToString(), catalog[p].Name);
        }
        w.WriteEndObject();
        w.WriteStartObject("funcStacks");
        for (var f = 0; f < catalog.Functions.Length; f++)
        {
            var stack = FunctionStack.Of(catalog, state, f);
            if (stack.Count == 0) continue;
            w.WriteStartObject(catalog.Functions[f].ToString());
            w.WriteStartArray("entries");
            foreach (var e in stack)
            {
                w.WriteStartObject();
                w.WriteString("patch", catalog[e.Patch].Name);
                w.WriteBoolean("nop", e.Nop);
                w.WriteBoolean("transition", e.Transition);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteCode(w, "switched", catalog, FunctionStack.Runs(catalog, state, f, switched: true));
            WriteCode(w, "unswitched", catalog, FunctionStack.Runs(catalog, state, f, switched: false));
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartObject("states");
        foreach (var (id, s) in Observables.ActiveStates(catalog, state))
        {
            w.WriteStartObject(id.ToString(CultureInfo.InvariantCulture));
            w.WriteNumber("version", s.Version);
            w.WriteBoolean("blockDisable", s.BlockDisable);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        if (state.InTransition)
        {
            w.WriteStartObject("transition");
            w.WriteString("patch", catalog[state.TransitionPatch].Name);
            w.WriteString("target", state.TargetPatched ? "patched" : "unpatched");
            WriteNames(w, "replacing", catalog, Bits(state.Replacing));
            w.WriteEndObject();
        }
        else w.WriteNull("transition");
        WriteNames(w, "loaded", catalog, Bits(state.Loaded));
        WriteNames(w, "pinned", catalog, Bits(state.Pinned));
    }

    private static void WriteNames(Utf8JsonWriter w, string property, Catalog catalog, IEnumerable<int> patches)
    {
        w.WriteStartArray(property);
        foreach (var p in patches) w.WriteStringValue(catalog[p].Name);
        w.WriteEndArray();
    }

    private static IEnumerable<int> Bits(ulong mask)
    {
        for (var i = 0; i < 64; i++)
            if ((mask & (1UL << i)) != 0) yield return i;
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
        foreach (var r in result.Readings) WriteReading(w, r);
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
                WriteOutcome(w, catalog, step.Outcomes[r]!.Value);
                WriteState(w, catalog, result.Readings[r], result.States[i][r]);
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
