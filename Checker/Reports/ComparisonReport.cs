using System.Text.Json;
using System.Text;
using Klp.Check.Comparison;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Scenarios;
using Klp.Check.Verdicts;

namespace Klp.Check.Reports;

/// <summary>Renders the verdict matrix as plain text, Markdown or JSON (docs/json.md).</summary>
public static class ComparisonReport
{
    private static readonly Dictionary<string, string> abbreviations = new()
    {
        ["upstream"] = "upst", ["replace-set"] = "rset", ["zero-replaces-all"] = "zall", ["zero-only-by-zero"] = "zoz",
        ["supersedes"] = "sups", ["positional"] = "posi", ["flat"] = "flat", ["set"] = "set", ["slot"] = "slot",
        ["provides"] = "prov", ["flat-dynamic"] = "fdyn",
    };

    /// <summary>A column heading of at most four characters per reading, no two alike: the built-in readings' usual ones, else the name's
    /// letters (its start, then its initials, then its start and a digit); a star marks options that differ from the reading's own.</summary>
    public static IReadOnlyList<string> Abbreviations(IReadOnlyList<Reading> readings)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var r in readings)
        {
            var star = r.DisplayName != r.Name ? "*" : "";
            var room = 4 - star.Length;
            var letters = r.Name.Replace("-", "");
            var initials = string.Concat(r.Name.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(w => w[0]));
            var candidates = new List<string>();
            if (abbreviations.TryGetValue(r.Name, out var known)) candidates.Add(known);
            candidates.Add(letters);
            if (initials.Length > 1) candidates.Add(initials);
            var pick = candidates.Select(c => c[..Math.Min(room, c.Length)] + star).FirstOrDefault(c => !taken.Contains(c));
            for (var n = 2; pick is null; n++)
            {
                var digits = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var c = letters[..Math.Min(Math.Max(1, room - digits.Length), letters.Length)] + digits + star;
                if (!taken.Contains(c)) pick = c;
            }
            taken.Add(pick);
            result.Add(pick);
        }
        return result;
    }

    /// <summary>The matrix mark of a verdict: ok, (ok), P or (P) where it is also proved beyond the bounds (<c>--prove</c>), X with feature letters, -, or where a cap cut an input it depends on,
    /// ok? (a safety property with no violation in the explored part), ? (a liveness property or witness not established) or X with letters and ?.</summary>
    internal static string Mark(Verdict v) => v.Kind switch
    {
        VerdictKind.Holds when v.Proved => v.Vacuous ? "(P)" : "P",
        VerdictKind.Holds when v.ViolatedBeyond => "X>",
        VerdictKind.Holds => v.Vacuous ? "(ok)" : "ok",
        VerdictKind.Violated => "X" + Verdict.FeatureLetters(v.Features) + (v.Exhaustive ? "" : "?"),
        VerdictKind.Inconclusive => v.Property.IsSafety ? "ok?" : "?",
        _ => "-",
    };

    /// <summary>The marks a cap gives that occur among <paramref name="verdicts"/>, each with what it means.</summary>
    public static IReadOnlyList<(string Mark, string Meaning)> CutMarks(IEnumerable<Verdict> verdicts)
    {
        var marks = verdicts.Where(v => !v.Exhaustive).Select(Mark).ToHashSet();
        var legend = new List<(string, string)>();
        if (marks.Contains("ok?")) legend.Add(("ok?", "no violation in the explored part: a cap cut the exploration, so it is not shown to hold"));
        if (marks.Contains("?")) legend.Add(("?", "inconclusive: a cap cut the exploration and the answer lies beyond it"));
        if (marks.Any(m => m.StartsWith('X'))) legend.Add(("Xf?", "and the like: violated, but a cap cut an input without the letters, so they are not established"));
        return legend;
    }

    /// <summary>The header lines of a comparison a cap cut: one for the readings' explorations, one for the equivalence classes' lockstep explorations.</summary>
    public static IEnumerable<string> NotExhaustive(ComparisonResult c)
    {
        if (ReportScope.NotExhaustive([.. c.Results.SelectMany(r => r.Coverage.Cut)], (long)c.Source.Count * c.Results.Count,
            "where no violation was found, no property is shown to hold") is { } line) yield return line;
        if (c.Equivalence is { } eq && EquivalenceReport.NotExhaustive(eq) is { } classes) yield return classes;
    }

    private static string ModeName(ComparisonResult c) =>
        ReadingOptionText.ModeName(c.Results.Count > 0 ? c.Results[0].Reading.Options.Granularity : Granularity.Atomic);

    /// <summary>The trace of a verdict as one line of scenario operations.</summary>
    public static string TraceText(Verdict v) => v.Trace is null || v.Catalog is null ? "" : string.Join("; ", v.Trace.Select(o => o.Format(v.Catalog)));

    /// <summary>Plain text for an 80-column email: the matrix, a legend, the violations grouped by trace, the replays.</summary>
    public static string Text(ComparisonResult c)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"klp-check compare: {Words.Count(c.Results.Count, "reading")} x {Words.Count(c.Properties.Count, "property")}, mode {ModeName(c)}".Replace("propertys", "properties"));
        ReportScope.AppendWrapped(sb, "scope: " + ReportScope.Of(c.Source, " per reading"));
        foreach (var line in NotExhaustive(c)) ReportScope.AppendWrapped(sb, line);
        sb.AppendLine();
        const int first = 22, width = 5;
        var abbreviated = Abbreviations([.. c.Results.Select(r => r.Reading)]);
        var heads = new Dictionary<ReadingResult, string>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < c.Results.Count; i++) heads[c.Results[i]] = abbreviated[i];
        var chunks = new List<List<ReadingResult>>();
        for (var i = 0; i < c.Results.Count; i += 11) chunks.Add([.. c.Results.Skip(i).Take(11)]);
        foreach (var chunk in chunks)
        {
            sb.Append(new string(' ', first));
            sb.AppendLine(string.Concat(chunk.Select(r => heads[r].PadRight(width))).TrimEnd());
            sb.Append(new string(' ', first)).AppendLine(new string('-', chunk.Count * width - 1));
            for (var k = 0; k < c.Properties.Count; k++)
            {
                sb.Append(c.Properties[k].Id.PadRight(first));
                foreach (var r in chunk) sb.Append(Mark(r.Verdicts[k]).PadRight(width));
                sb.Length = sb.ToString().TrimEnd().Length;
                sb.AppendLine();
            }
            sb.AppendLine();
        }
        sb.AppendLine("ok holds (a witness: reached)   X violated (a witness: never reached)   - n/a");
        sb.AppendLine("(ok) holds vacuously: the case the property is about never happens");
        if (ProvedLegend(c) is { } proved) ReportScope.AppendWrapped(sb, proved);
        sb.AppendLine("Xf, Xs, Xfs: violated only on inputs where a customer patch shares a function");
        sb.AppendLine("with a vendor patch (f), where patches declare states (s), or both (fs)");
        var inconclusive = c.Results.SelectMany(r => r.Verdicts).Where(v => v.Kind == VerdictKind.Inconclusive).ToList();
        var cutMarks = CutMarks(c.Results.SelectMany(r => r.Verdicts));
        foreach (var (mark, meaning) in cutMarks) ReportScope.AppendWrapped(sb, $"{mark} {meaning}");
        if (cutMarks.Count > 0) sb.AppendLine($"({ReportScope.Raise})");
        foreach (var line in TextLayout.Wrap(c.Results.Select(r => $"{heads[r]}={r.Reading.DisplayName}"), "", "  ")) sb.AppendLine(line);

        var violated = c.Results.SelectMany(r => r.Verdicts).Where(v => v.Kind == VerdictKind.Violated).ToList();
        if (violated.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Violations, each with its shortest trace (klp-check check --reading R");
            sb.AppendLine("--invariant ID --traces DIR writes it as a scenario for klp-check replay):");
            foreach (var group in violated.GroupBy(v => (v.Property.Id, v.Detail, Trace: TraceText(v), v.Features, v.Input)))
            {
                sb.AppendLine();
                var needs = group.Key.Features == InputFeatures.None ? "" : $" [{Verdict.FeatureLetters(group.Key.Features)}]";
                var head = $"{group.Key.Id}{needs}: {string.Join(", ", group.Select(v => v.Reading.DisplayName))}";
                foreach (var line in TextLayout.Wrap(head.Split(' '), "")) sb.AppendLine(line);
                foreach (var line in TextLayout.Wrap(group.Key.Detail.Split(' '), "    ")) sb.AppendLine(line);
                if (c.Source.Count > 1) foreach (var line in InputLines(group.First(), "    ")) sb.AppendLine(line);
                if (group.Key.Trace.Length > 0)
                    foreach (var line in TextLayout.Wrap(group.Key.Trace.Split(' '), "    $ ")) sb.AppendLine(line);
            }
        }
        if (ViolatedBeyond(c).Any())
        {
            sb.AppendLine();
            sb.AppendLine("Violated beyond the bounds (klp-check prove --reading R --traces DIR writes");
            sb.AppendLine("each as a scenario):");
            foreach (var line in ViolatedBeyond(c))
            {
                sb.AppendLine();
                foreach (var wrapped in TextLayout.Wrap(line.Split(' '), "")) sb.AppendLine(wrapped);
            }
        }
        if (inconclusive.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Inconclusive, each with the cap that cut it:");
            foreach (var group in inconclusive.GroupBy(v => (v.Property.Id, v.Detail)))
            {
                sb.AppendLine();
                foreach (var line in TextLayout.Wrap($"{group.Key.Id}: {string.Join(", ", group.Select(v => v.Reading.DisplayName))}".Split(' '), "")) sb.AppendLine(line);
                foreach (var line in TextLayout.Wrap(group.Key.Detail.Split(' '), "    ")) sb.AppendLine(line);
            }
        }
        if (c.Equivalence is { } eq)
        {
            sb.AppendLine();
            sb.Append(EquivalenceReport.Text(eq, standalone: false));
        }
        if (c.Replays.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Scenario replays:");
            foreach (var r in c.Replays)
                foreach (var line in TextLayout.Wrap($"{r.Scenario.Path}: {ReplayReport.Summary(r)}".Split(' '), "  ")) sb.AppendLine(line);
        }
        sb.AppendLine();
        foreach (var line in TextLayout.Wrap(Totals(c).Split(' '), "")) sb.AppendLine(line);
        foreach (var u in c.Unfinished())
            foreach (var line in TextLayout.Wrap(u.Split(' '), "")) sb.AppendLine(line);
        return sb.ToString();
    }

    /// <summary>With <c>--prove N</c>, what P means and which cells hold only within the bounds; null without.</summary>
    public static string? ProvedLegend(ComparisonResult c) => c.ProvedUpTo is { } n
        ? $"P, (P): holds, and proved for every release plan of at most {n} releases and every sequence of operations (klp-check prove); "
            + $"ok, (ok): hold only within the bounds above (the proof was unknown, or the property is not a safety property); "
            + (c.Results.Any(r => r.Verdicts.Any(v => v.ViolatedBeyond)) ? "X>: holds within the bounds, violated on a larger input that prove found (below); " : "")
            + ProvedCount(c)
        : null;

    /// <summary>The cells that hold within the bounds and that prove found violated beyond them, each as one line: property, reading, and the proof's input and trace.</summary>
    public static IEnumerable<string> ViolatedBeyond(ComparisonResult c) =>
        c.Results.SelectMany(r => r.Verdicts).Where(v => v.ViolatedBeyond).Select(v => $"{v.Property.Id} under {v.Reading.DisplayName}: {v.Proof!.Detail}");

    private static string ProvedCount(ComparisonResult c)
    {
        var safety = c.Results.SelectMany(r => r.Verdicts).Where(v => v.Kind == VerdictKind.Holds && v.Property.IsSafety).ToList();
        return $"{safety.Count(v => v.Proved)} of {Words.Count(safety.Count, "holding safety cell")} proved";
    }

    /// <summary>The input a verdict's trace ran on (the plan, or the catalog's patches), as wrapped lines <c>input: ...</c>; none without one.</summary>
    public static IEnumerable<string> InputLines(Verdict v, string indent) =>
        v.Input is null ? [] : TextLayout.Wrap(("input: " + v.Input.Trim().Replace("\n", "; ")).Split(' '), indent);

    /// <summary>The closing line: states explored, and whether any cap cut a run.</summary>
    public static string Totals(ComparisonResult c)
    {
        var cut = c.Results.Sum(r => r.Coverage.Cut.Count);
        var collision = c.Results.Sum(r => r.Coverage.CollisionProbability);
        return $"{c.States} states and {c.Results.Sum(r => r.Coverage.Transitions)} transitions explored over {c.Results.Sum(r => r.Coverage.Catalogs)} catalogs"
            + (cut > 0 ? $"; {cut} explorations cut by a cap ({ReportScope.Caps(c.Results.SelectMany(r => r.Coverage.Cut))})" : "; every exploration exhaustive")
            + (collision > 0 ? $"; fingerprint collision probability {collision:E1}" : "");
    }

    /// <summary>Markdown: the matrix with full reading names, then the violations.</summary>
    public static string Markdown(ComparisonResult c)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"### klp-check compare: {Words.Count(c.Results.Count, "reading")} x {Words.Count(c.Properties.Count, "property")}".Replace("propertys", "properties"));
        sb.AppendLine();
        sb.AppendLine($"Scope: {ReportScope.Markdown(c.Source, " per reading")}, mode {ModeName(c)}.");
        foreach (var line in NotExhaustive(c)) ReportScope.AppendMarkdown(sb, line);
        sb.AppendLine();
        sb.Append("| property |");
        foreach (var r in c.Results) sb.Append($" {MarkdownText.Plain(r.Reading.DisplayName)} |");
        sb.AppendLine().Append("|---|");
        foreach (var _ in c.Results) sb.Append("---|");
        sb.AppendLine();
        for (var k = 0; k < c.Properties.Count; k++)
        {
            sb.Append($"| `{c.Properties[k].Id}` |");
            foreach (var r in c.Results)
            {
                var v = r.Verdicts[k];
                sb.Append(v.Kind switch
                {
                    VerdictKind.Holds when v.Proved => v.Vacuous ? " holds (vacuous), **P** |" : " holds, **P** |",
                    VerdictKind.Holds when v.ViolatedBeyond => " holds, **violated beyond** |",
                    VerdictKind.Holds => v.Vacuous ? " holds (vacuous) |" : " holds |",
                    VerdictKind.Violated => $" **{v.Word}**{(v.Exhaustive ? "" : "?")} |",
                    VerdictKind.Inconclusive => v.Property.IsSafety ? " ok? |" : " inconclusive |",
                    _ => " n/a |",
                });
            }
            sb.AppendLine();
        }
        if (ProvedLegend(c) is { } proved) sb.AppendLine().AppendLine(MarkdownText.Plain(proved) + ".");
        var cutMarks = CutMarks(c.Results.SelectMany(r => r.Verdicts));
        if (cutMarks.Count > 0)
            sb.AppendLine().AppendLine(string.Join("; ", cutMarks.Select(m => m.Mark == "?" ? m.Meaning : $"`{m.Mark}` {m.Meaning}")) + $" ({ReportScope.Raise}).");
        var violations = ViolationGroups(c);
        if (violations.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("#### Violations");
            foreach (var group in violations)
            {
                sb.AppendLine();
                sb.AppendLine($"- `{group.Key.Id}` ({group.Key.Word}) under {string.Join(", ", group.Select(v => MarkdownText.Code(v.Reading.DisplayName)))}: {MarkdownText.Plain(group.Key.Detail)}");
                if (group.Key.Trace.Length > 0) sb.AppendLine($"  {MarkdownText.Code(group.Key.Trace)}" + (c.Source.Count > 1 && group.Key.Input is { } input ? $" on {MarkdownText.Code(input.Trim().Replace("\n", "; "))}" : ""));
            }
        }
        if (ViolatedBeyond(c).Any())
        {
            sb.AppendLine();
            sb.AppendLine("#### Violated beyond the bounds (`klp-check prove`)");
            sb.AppendLine();
            foreach (var line in ViolatedBeyond(c)) sb.AppendLine($"- {MarkdownText.Plain(line)}");
        }
        var undecided = c.Results.SelectMany(r => r.Verdicts).Where(v => v.Kind == VerdictKind.Inconclusive).ToList();
        if (undecided.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("#### Inconclusive (a cap cut the exploration; raise `--max-states` or `--max-depth`)");
            foreach (var group in undecided.GroupBy(v => (v.Property.Id, v.Detail)))
            {
                sb.AppendLine();
                sb.AppendLine($"- `{group.Key.Id}` under {string.Join(", ", group.Select(v => MarkdownText.Code(v.Reading.DisplayName)))}: {MarkdownText.Plain(group.Key.Detail)}");
            }
        }
        if (c.Equivalence is { } eq)
        {
            sb.AppendLine();
            sb.Append(EquivalenceReport.Markdown(eq, standalone: false));
        }
        if (c.Replays.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("#### Scenario replays");
            sb.AppendLine();
            foreach (var r in c.Replays) sb.AppendLine($"- {MarkdownText.Code(r.Scenario.Path)}: {ReplayReport.Summary(r)}");
        }
        sb.AppendLine();
        sb.AppendLine(Totals(c));
        if (!c.Complete) sb.AppendLine().AppendLine(string.Join("; ", c.Unfinished()));
        return sb.ToString();
    }

    /// <summary>The violations grouped by property, detail, trace, verdict word and input, in matrix order: one group per trace shared by several readings.</summary>
    public static List<IGrouping<(string Id, string Detail, string Trace, string Word, string? Input), Verdict>> ViolationGroups(ComparisonResult c) =>
        [.. c.Results.SelectMany(r => r.Verdicts).Where(v => v.Kind == VerdictKind.Violated).GroupBy(v => (v.Property.Id, v.Detail, TraceText(v), v.Word, v.Input))];

    /// <summary>The JSON document of docs/json.md.</summary>
    public static string Json(ComparisonResult c, string command = "compare")
    {
        return JsonReport.Write(command, w =>
        {
            w.WriteBoolean("complete", c.Complete);
            if (!c.Complete)
            {
                w.WriteStartArray("unfinished");
                foreach (var u in c.Unfinished()) w.WriteStringValue(u);
                w.WriteEndArray();
            }
            JsonReport.WriteInput(w, c.Source);
            w.WriteString("scope", ReportScope.Of(c.Source, " per reading"));
            w.WriteBoolean("exhaustive", c.Exhaustive);
            w.WriteString("mode", ModeName(c));
            if (c.ProvedUpTo is { } n) w.WriteNumber("provedUpTo", n);
            w.WriteStartArray("properties");
            foreach (var inv in c.Properties)
            {
                w.WriteStartObject();
                w.WriteString("id", inv.Id);
                w.WriteString("kind", inv.Kind.ToString().ToLowerInvariant());
                w.WriteString("summary", inv.Summary);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("readings");
            foreach (var r in c.Results)
            {
                w.WriteStartObject();
                w.WritePropertyName("reading");
                ModelJson.WriteReading(w, r.Reading);
                JsonReport.WriteExhaustive(w, r.Coverage.Cut.Select(x => ((string?)null, x)));
                w.WriteStartArray("verdicts");
                foreach (var v in r.Verdicts) WriteVerdict(w, v);
                w.WriteEndArray();
                WriteCoverage(w, r.Coverage);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (c.Equivalence is { } eq)
            {
                w.WritePropertyName("equivalence");
                EquivalenceReport.Write(w, eq);
            }
            else w.WriteNull("equivalence");
            w.WriteStartArray("replays");
            foreach (var r in c.Replays)
            {
                w.WriteStartObject();
                w.WriteString("file", r.Scenario.Path);
                w.WriteNumber("checked", r.Checked);
                w.WriteNumber("failed", r.Failures.Count);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    /// <summary>Writes one verdict; a trace carries its operations and, for a preset reading, a scenario that replays it.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="v">The verdict.</param>
    /// <param name="scenario">False for a policy combination that is no preset: a scenario file could not name its reading.</param>
    public static void WriteVerdict(Utf8JsonWriter w, Verdict v, bool scenario = true)
    {
        w.WriteStartObject();
        w.WriteString("property", v.Property.Id);
        w.WriteString("verdict", v.Word);
        w.WriteBoolean("vacuous", v.Vacuous);
        w.WriteString("detail", v.Detail);
        w.WriteBoolean("exhaustive", v.Exhaustive);
        if (!v.Exhaustive)
        {
            w.WriteString("cap", v.Cap);
            w.WriteNumber("frontier", v.FrontierStates);
        }
        if (v.Trace is not null && v.Catalog is not null)
        {
            w.WriteStartArray("trace");
            foreach (var op in v.Trace) w.WriteStringValue(op.Format(v.Catalog));
            w.WriteEndArray();
            w.WriteString("input", v.Input);
            if (scenario)
                w.WriteString("scenario", ScenarioWriter.Write($"{v.Property.Id} under {v.Reading.DisplayName}", v.Catalog, v.Reading, v.Trace, v.Detail));
        }
        else
        {
            w.WriteNull("trace");
        }
        if (v.Proof is { } p)
        {
            w.WriteStartObject("proof");
            w.WriteString("verdict", p.Verdict);
            w.WriteNumber("patches", p.Patches);
            w.WriteString("detail", p.Detail);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteCoverage(Utf8JsonWriter w, Coverage c)
    {
        w.WriteStartObject("coverage");
        w.WriteNumber("catalogs", c.Catalogs);
        w.WriteNumber("states", c.States);
        w.WriteNumber("transitions", c.Transitions);
        w.WriteNumber("maxDepth", c.MaxDepth);
        w.WriteStartObject("accepted");
        foreach (var (k, n) in c.AcceptedByKind.OrderBy(kv => kv.Key)) w.WriteNumber(k.ToString().ToLowerInvariant(), n);
        w.WriteEndObject();
        w.WriteStartObject("refused");
        foreach (var (k, n) in c.RefusedByReason.OrderBy(kv => kv.Key)) w.WriteNumber(k.Name(), n);
        w.WriteEndObject();
        w.WriteStartArray("neverEnabled");
        foreach (var (k, n) in c.AcceptedByKind.OrderBy(kv => kv.Key)) if (n == 0) w.WriteStringValue(k.ToString().ToLowerInvariant());
        w.WriteEndArray();
        w.WriteStartArray("cut");
        foreach (var s in c.Cut) w.WriteStringValue(s.ToString());
        w.WriteEndArray();
        w.WriteNumber("collisionProbability", c.CollisionProbability);
        w.WriteEndObject();
    }
}
