using System.Text;
using Klp.Check.Reports;

namespace Klp.Check.Conformance;

/// <summary>Prints a conformance run as text, Markdown or JSON.</summary>
public static class ConformReport
{
    /// <summary>What this kernel does not let the harness see, each with the kernel version that adds it.</summary>
    public static IReadOnlyList<(string What, string Why)> NotObservable(ConformResult result)
    {
        var list = new List<(string, string)>();
        foreach (var o in Observability.Table.Where(o => !result.Observability.Has(o)))
            list.Add((o.Attribute, $"no such attribute before Linux {o.Since}: {o.Without}"));
        list.Add(("forced completion", "the kernel completes a forced transition at its next delayed work, up to a second after the write to force; the harness waits for it, so force and that completion are one step"));
        return list;
    }

    /// <summary>The attributes of <see cref="Observability.Table"/> this kernel has, each compared.</summary>
    public static IReadOnlyList<(string What, string Why)> Compared(ConformResult result) =>
        [.. Observability.Table.Where(result.Observability.Has).Select(o => (o.Attribute, $"since Linux {o.Since}: {o.Fact}"))];

    private static string Heading(ConformInputs inputs, ConformResult result) =>
        $"klp-check conform: {result.Reading.DisplayName} against Linux {result.Release}";

    private static IEnumerable<string> InputWords(ConformInputs inputs, IReadOnlyList<NotRealisable> notRealisable)
    {
        var parts = new List<string>();
        if (inputs.Scenarios.Count > 0)
            parts.Add($"{inputs.Scenarios.Count} scenario files ({inputs.Scenarios.Count - notRealisable.Count} realisable)");
        var mode = inputs.Mode == Klp.Check.Model.Granularity.TwoPhase ? ", two-phase" : "";
        foreach (var (file, n) in inputs.Catalogs) parts.Add($"catalog {file}: {n} traces (seed {inputs.Seed}, length {inputs.Length}{mode})");
        return ("inputs: " + string.Join("; ", parts)).Split(' ');
    }

    // Which kernel ran, and why this one when none was named.
    private static IEnumerable<string> KernelWords(ConformResult result) =>
        (result.Image.Length == 0 ? "" : $"kernel: {result.Image}, modules built against {result.BuildDir}" + (result.Choice is { } c ? $"; {c}" : "")).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string IdentityWord(IdentityResult identity) => identity.Identity switch
    {
        Klp.Check.Model.FunctionIdentity.Normalized => "normalized",
        Klp.Check.Model.FunctionIdentity.Exact => "exact",
        _ => "DISAGREES",
    };

    private static string VerdictWord(TraceResult r) => r.Agreement switch
    {
        Agreement.Agree => "agree",
        Agreement.Disagree => "DISAGREE",
        _ => "NOT RUN",
    };

    private static string Summary(ConformResult result) =>
        $"traces: {result.Results.Count}; agree {result.Count(Agreement.Agree)}; disagree {result.Count(Agreement.Disagree)}; " +
        $"not run {result.Count(Agreement.NotRun)}; steps {result.Results.Sum(r => r.Trace.Ops.Count)}; " +
        $"known differences {result.Results.Sum(r => r.Known.Count)}";

    private static IEnumerable<(KnownDifference Difference, int Steps)> KnownCounts(ConformResult result) =>
        KnownDifference.All.Select(k => (k, result.Results.Sum(r => r.Known.Count(x => x.Difference == k)))).Where(x => x.Item2 > 0);

    /// <summary>Plain text that fits 80 columns.</summary>
    public static string Text(ConformInputs inputs, ConformResult result, IReadOnlyList<NotRealisable> notRealisable, IReadOnlyDictionary<int, string> written, Terminal term)
    {
        var sb = new StringBuilder();
        sb.AppendLine(term.Bold(Heading(inputs, result)));
        foreach (var line in TextLayout.Wrap(KernelWords(result), "")) sb.AppendLine(line);
        foreach (var line in TextLayout.Wrap(InputWords(inputs, notRealisable), "")) sb.AppendLine(line);
        if (result.Identity is { } identity)
            foreach (var line in TextLayout.Wrap($"function identity: {identity.Description}".Split(' '), "    ").Select((l, i) => i == 0 ? l.TrimStart() : l))
                sb.AppendLine(identity.Identity is null ? term.Red(line) : line);
        sb.AppendLine();
        foreach (var r in result.Results)
        {
            var word = VerdictWord(r);
            var known = r.Known.Count > 0 ? "; known: " + string.Join(", ", r.Known.Select(k => k.Difference.Id).Distinct()) : "";
            var detail = r.Agreement switch
            {
                Agreement.Disagree => $"step {r.First!.Step}: {r.First.Operation}",
                Agreement.NotRun => r.Why ?? "",
                _ => $"{r.Trace.Ops.Count} steps{known}",
            };
            var colored = r.Agreement == Agreement.Agree ? word.PadRight(9) : term.Red(word.PadRight(9));
            foreach (var line in TextLayout.Wrap($"{r.Trace.Label} ({detail})".Split(' '), new string(' ', 10)).Select((l, i) => i == 0 ? colored + " " + l[10..] : l))
                sb.AppendLine(line);
        }
        foreach (var r in result.Results.Where(r => r.Agreement == Agreement.Disagree))
        {
            var f = r.First!;
            sb.AppendLine();
            sb.AppendLine(term.Bold($"{r.Trace.Label}, step {f.Step}{(f.Line > 0 ? $" (line {f.Line})" : "")}: {f.Operation}"));
            sb.AppendLine($"  {"fact",-28} {"model",-24} kernel");
            foreach (var name in f.Differing)
                sb.AppendLine($"  {Cut(name, 28),-28} {Cut(f.Model[name] ?? "-", 24),-24} {Cut(f.Kernel[name] ?? "-", 24)}");
            if (f.Model.Detail.Length > 0) sb.AppendLine($"  model reason: {Cut(f.Model.Detail, 64)}");
            if (f.Kernel.Detail.Length > 0) sb.AppendLine($"  kernel said: {Cut(f.Kernel.Detail, 65)}");
            if (f.Log.Count > 0)
            {
                sb.AppendLine("  kernel log:");
                foreach (var line in f.Log) sb.AppendLine("    " + Cut(line, 74));
            }
            if (written.TryGetValue(r.Trace.Id, out var path)) sb.AppendLine($"  scenario: {path}");
        }
        if (notRealisable.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(term.Bold($"Not realisable ({notRealisable.Count})"));
            foreach (var n in notRealisable)
                foreach (var line in TextLayout.Wrap($"{n.File}: {n.Why}".Split(' '), "    ").Select((l, i) => i == 0 ? "  " + l.TrimStart() : l))
                    sb.AppendLine(line);
        }
        var counts = KnownCounts(result).ToList();
        if (counts.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(term.Bold($"Known differences on Linux {result.Release} (not failures)"));
            foreach (var (k, steps) in counts)
                foreach (var line in TextLayout.Wrap($"{k.Id} ({steps} {(steps == 1 ? "step" : "steps")}): {k.Description}".Split(' '), "    ").Select((l, i) => i == 0 ? "  " + l.TrimStart() : l))
                    sb.AppendLine(line);
        }
        var compared = Compared(result);
        if (compared.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(term.Bold("Compared where this kernel has them"));
            foreach (var (what, why) in compared)
                foreach (var line in TextLayout.Wrap($"{what}: {why}".Split(' '), "    ").Select((l, i) => i == 0 ? "  " + l.TrimStart() : l))
                    sb.AppendLine(line);
        }
        sb.AppendLine();
        sb.AppendLine(term.Bold("Not observable on this kernel"));
        foreach (var (what, why) in NotObservable(result))
            foreach (var line in TextLayout.Wrap($"{what}: {why}".Split(' '), "    ").Select((l, i) => i == 0 ? "  " + l.TrimStart() : l))
                sb.AppendLine(line);
        sb.AppendLine();
        foreach (var line in TextLayout.Wrap(Summary(result).Split(' '), "")) sb.AppendLine(line);
        return sb.ToString();
    }

    private static string Cut(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "~";

    /// <summary>Markdown: a table of traces, the disagreements with both sides, then what is not realisable, known or not observable.</summary>
    public static string Markdown(ConformInputs inputs, ConformResult result, IReadOnlyList<NotRealisable> notRealisable, IReadOnlyDictionary<int, string> written)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# {Heading(inputs, result)}");
        sb.AppendLine();
        if (result.Image.Length > 0) sb.AppendLine(string.Join(" ", KernelWords(result))).AppendLine();
        sb.AppendLine(string.Join(" ", InputWords(inputs, notRealisable)));
        sb.AppendLine();
        if (result.Identity is { } identity) sb.AppendLine($"Function identity: {identity.Description}").AppendLine();
        sb.AppendLine("| trace | steps | verdict | known differences |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var r in result.Results)
        {
            var verdict = r.Agreement switch
            {
                Agreement.Disagree => $"**disagree** at step {r.First!.Step} (`{r.First.Operation}`)",
                Agreement.NotRun => $"**not run**: {MarkdownText.Plain(r.Why ?? "")}",
                _ => "agree",
            };
            sb.AppendLine($"| {MarkdownText.CellCode(r.Trace.Label)} | {r.Trace.Ops.Count} | {verdict} | {string.Join(", ", r.Known.Select(k => k.Difference.Id).Distinct())} |");
        }
        foreach (var r in result.Results.Where(r => r.Agreement == Agreement.Disagree))
        {
            var f = r.First!;
            sb.AppendLine();
            sb.AppendLine($"## {MarkdownText.Code(r.Trace.Label)}, step {f.Step}: `{f.Operation}`");
            sb.AppendLine();
            sb.AppendLine("| fact | model | kernel |");
            sb.AppendLine("|---|---|---|");
            foreach (var name in f.Differing) sb.AppendLine($"| {name} | `{f.Model[name]}` | `{f.Kernel[name]}` |");
            if (f.Log.Count > 0)
            {
                sb.AppendLine();
                sb.AppendLine("```");
                foreach (var line in f.Log) sb.AppendLine(line);
                sb.AppendLine("```");
            }
            if (written.TryGetValue(r.Trace.Id, out var path)) sb.AppendLine().AppendLine($"Scenario: {MarkdownText.Code(path)}");
        }
        if (notRealisable.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Not realisable");
            sb.AppendLine();
            foreach (var n in notRealisable) sb.AppendLine($"* {MarkdownText.Code(n.File)}: {MarkdownText.Plain(n.Why)}");
        }
        var counts = KnownCounts(result).ToList();
        if (counts.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine($"## Known differences on Linux {result.Release}");
            sb.AppendLine();
            foreach (var (k, steps) in counts) sb.AppendLine($"* `{k.Id}` ({steps} steps): {k.Description}");
        }
        var compared = Compared(result);
        if (compared.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Compared where this kernel has them");
            sb.AppendLine();
            foreach (var (what, why) in compared) sb.AppendLine($"* `{what}`: {why}");
        }
        sb.AppendLine();
        sb.AppendLine("## Not observable on this kernel");
        sb.AppendLine();
        foreach (var (what, why) in NotObservable(result)) sb.AppendLine($"* `{what}`: {why}");
        sb.AppendLine();
        sb.AppendLine(Summary(result));
        return sb.ToString();
    }

    /// <summary>JSON (docs/json.md, "conform").</summary>
    public static string Json(ConformInputs inputs, ConformResult result, IReadOnlyList<NotRealisable> notRealisable, IReadOnlyDictionary<int, string> written) =>
        JsonReport.Write("conform", w => WriteKernel(w, result, notRealisable, written));

    /// <summary>JSON for several kernels (<c>--kernel all</c>): one object per kernel under <c>kernels</c>, each as <see cref="Json(ConformInputs, ConformResult, IReadOnlyList{NotRealisable}, IReadOnlyDictionary{int, string})"/> writes it.</summary>
    public static string Json(ConformInputs inputs, IReadOnlyList<(ConformResult Result, Dictionary<int, string> Written)> kernels, IReadOnlyList<NotRealisable> notRealisable) =>
        JsonReport.Write("conform", w =>
        {
            w.WriteStartArray("kernels");
            foreach (var (result, written) in kernels)
            {
                w.WriteStartObject();
                WriteKernel(w, result, notRealisable, written);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });

    /// <summary>One line per kernel: its release and counts, after the per-kernel reports of <c>--kernel all</c>.</summary>
    public static string KernelsText(IEnumerable<ConformResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine("Per kernel");
        foreach (var r in results)
            foreach (var line in TextLayout.Wrap($"Linux {r.Release}: {Summary(r)}{(r.Identity is { } i ? $"; function identity {IdentityWord(i)}" : "")}".Split(' '), "    ").Select((l, k) => k == 0 ? "  " + l.TrimStart() : l))
                sb.AppendLine(line);
        return sb.ToString();
    }

    /// <summary>The per-kernel table after the reports of <c>--kernel all</c>.</summary>
    public static string KernelsMarkdown(IEnumerable<ConformResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine("## Per kernel");
        sb.AppendLine();
        sb.AppendLine("| kernel | traces | agree | disagree | not run | function identity |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in results)
            sb.AppendLine($"| {r.Release} | {r.Results.Count} | {r.Count(Agreement.Agree)} | {r.Count(Agreement.Disagree)} | {r.Count(Agreement.NotRun)} | {(r.Identity is { } i ? IdentityWord(i) : "-")} |");
        return sb.ToString();
    }

    private static void WriteKernel(System.Text.Json.Utf8JsonWriter w, ConformResult result, IReadOnlyList<NotRealisable> notRealisable, IReadOnlyDictionary<int, string> written)
    {
        w.WriteString("kernel", result.Release);
        if (result.Image.Length > 0)
        {
            w.WriteString("image", result.Image);
            w.WriteString("headers", result.BuildDir);
        }
        if (result.Choice is not null) w.WriteString("choice", result.Choice);
        if (result.Identity is { } identity)
        {
            w.WriteStartObject("functionIdentity");
            w.WriteString("identity", identity.Identity switch { Klp.Check.Model.FunctionIdentity.Normalized => "normalized", Klp.Check.Model.FunctionIdentity.Exact => "exact", _ => "neither" });
            w.WriteString("description", identity.Description);
            w.WriteEndObject();
        }
        WhatWhy(w, "compared", Compared(result));
        w.WritePropertyName("reading");
        ModelJson.WriteReading(w, result.Reading);
        w.WriteStartObject("summary");
        w.WriteNumber("traces", result.Results.Count);
        w.WriteNumber("agree", result.Count(Agreement.Agree));
        w.WriteNumber("disagree", result.Count(Agreement.Disagree));
        w.WriteNumber("notRun", result.Count(Agreement.NotRun));
        w.WriteNumber("steps", result.Results.Sum(r => r.Trace.Ops.Count));
        w.WriteNumber("knownDifferences", result.Results.Sum(r => r.Known.Count));
        w.WriteNumber("notRealisable", notRealisable.Count);
        w.WriteEndObject();
        w.WriteStartArray("traces");
        foreach (var r in result.Results)
        {
            w.WriteStartObject();
            w.WriteString("label", r.Trace.Label);
            w.WriteString("source", r.Trace.Source);
            w.WriteString("verdict", r.Agreement switch { Agreement.Agree => "agree", Agreement.Disagree => "disagree", _ => "not-run" });
            w.WriteString("mode", r.Trace.Mode == Klp.Check.Model.Granularity.TwoPhase ? "two-phase" : "atomic");
            w.WriteNumber("steps", r.Trace.Ops.Count);
            w.WriteStartArray("operations");
            foreach (var op in r.Trace.Ops) w.WriteStringValue(op.Format(r.Trace.Realisation.Catalog));
            w.WriteEndArray();
            w.WriteStartArray("known");
            foreach (var (step, k) in r.Known)
            {
                w.WriteStartObject();
                w.WriteNumber("step", step);
                w.WriteString("id", k.Id);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (r.Why is not null) w.WriteString("why", r.Why);
            if (r.First is { } f)
            {
                w.WriteStartObject("first");
                w.WriteNumber("step", f.Step);
                w.WriteString("operation", f.Operation);
                if (f.Line > 0) w.WriteNumber("line", f.Line);
                w.WriteStartArray("differing");
                foreach (var name in f.Differing)
                {
                    w.WriteStartObject();
                    w.WriteString("fact", name);
                    w.WriteString("model", f.Model[name]);
                    w.WriteString("kernel", f.Kernel[name]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteString("modelReason", f.Model.Detail);
                w.WriteString("kernelMessage", f.Kernel.Detail);
                w.WriteStartArray("log");
                foreach (var line in f.Log) w.WriteStringValue(line);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            if (r.Scenario is not null) w.WriteString("scenario", r.Scenario);
            if (written.TryGetValue(r.Trace.Id, out var path)) w.WriteString("written", path);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("notRealisable");
        foreach (var n in notRealisable)
        {
            w.WriteStartObject();
            w.WriteString("file", n.File);
            w.WriteString("why", n.Why);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("knownDifferences");
        foreach (var (k, steps) in KnownCounts(result))
        {
            w.WriteStartObject();
            w.WriteString("id", k.Id);
            w.WriteNumber("steps", steps);
            w.WriteString("description", k.Description);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WhatWhy(w, "notObservable", NotObservable(result));
    }

    // An array of { "what", "why" } objects.
    private static void WhatWhy(System.Text.Json.Utf8JsonWriter w, string name, IEnumerable<(string What, string Why)> items)
    {
        w.WriteStartArray(name);
        foreach (var (what, why) in items)
        {
            w.WriteStartObject();
            w.WriteString("what", what);
            w.WriteString("why", why);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
