using System.Text;
using Klp.Check.Engine;
using Klp.Check.Model;
using Klp.Check.Scenarios;
using Klp.Check.Verdicts;

namespace Klp.Check.Reports;

/// <summary>Writes state graphs as Graphviz DOT: an explored graph (<c>check --format dot</c>) or replayed runs (<c>replay --format dot</c>).</summary>
/// <remarks>
/// A state is labelled with its enabled patches grouped by the sets they occupy. A violating state has a
/// double border, a red fill and the ids of the properties it breaks; the edges of each violation's shortest
/// trace are drawn bold and red, so the picture reads in black and white as well as in colour. Only the
/// edges of the breadth-first tree (each state's first way in) shape the layout and carry labels; the other
/// transitions are thin grey lines with the operation as tooltip: dot lays out a few hundred states in a
/// second that way, and takes minutes when every edge constrains the ranks.
/// </remarks>
public static class DotGraph
{
    /// <summary>The most states drawn unless the user raises the limit: beyond it Graphviz takes minutes and the picture is unreadable.</summary>
    public const int DefaultLimit = 2000;

    private const string Header = """
          graph [rankdir=LR, fontname="DejaVu Sans Mono", fontsize=11, labelloc=t, labeljust=l];
          node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#5f5f5f", fontname="DejaVu Sans Mono", fontsize=10];
          edge [fontname="DejaVu Sans Mono", fontsize=9, color="#777777"];
        """;

    // A control character (in a file name) is written as \xNN, with its backslash escaped like any other.
    private static string Quote(string s) => "\"" + Terminal.Escape(s).Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\l") + "\"";

    private static string StateLabel(FrameView v)
    {
        var lines = v.Groups.Select(g => $"{g.Sets}: {string.Join(" ", g.Patches)}").ToList();
        if (lines.Count == 0) lines.Add("no patch enabled");
        if (v.Transition is not null) lines.Add(v.Transition);
        return string.Join("\n", lines) + "\n";
    }

    /// <summary>The explored graph of one catalog under one reading, with the states where properties break and their shortest traces highlighted.</summary>
    /// <param name="g">The graph, explored within the limit.</param>
    /// <param name="verdicts">The verdicts of the same catalog and reading; those with a trace are highlighted.</param>
    /// <param name="title">The graph's caption.</param>
    public static string Explored(StateGraph g, IReadOnlyList<Verdict> verdicts, string title)
    {
        var ids = new Dictionary<KernelState, int>(g.States.Count);
        for (var i = 0; i < g.States.Count; i++) ids.TryAdd(g.States[i], i);
        var marks = new Dictionary<int, List<string>>();
        var witnesses = new Dictionary<int, List<string>>();
        var traceEdges = new HashSet<(int, int, string)>();
        foreach (var v in verdicts)
        {
            if (v.Trace is null || v.Catalog is null || v.Kind is not (VerdictKind.Violated or VerdictKind.Holds)) continue;
            var at = 0;
            foreach (var frame in TracePicture.Frames(new Trace(v.Catalog, v.Reading, v.Trace)))
            {
                if (!frame.Outcome.Accepted || !ids.TryGetValue(frame.Outcome.State, out var next)) continue;
                if (v.Kind == VerdictKind.Violated) traceEdges.Add((at, next, frame.Operation.Format(g.Catalog)));
                at = next;
            }
            var into = v.Kind == VerdictKind.Violated ? marks : witnesses;
            if (!into.TryGetValue(at, out var list)) into[at] = list = [];
            list.Add(v.Property.Id);
        }

        var sb = new StringBuilder();
        sb.AppendLine("digraph klp {");
        sb.AppendLine(Header);
        var caption = $"{title}\n{g.States.Count} states, {g.Edges.Count} transitions"
            + (g.CutBy is null ? "" : $", cut by {g.CutBy}")
            + "\nviolating state: double border, fill, property ids; bold edges: each violation's shortest trace"
            + "\nblack edges: the first way into each state; grey: every other transition\n";
        sb.AppendLine($"  label={Quote(caption)};");
        for (var s = 0; s < g.States.Count; s++)
        {
            var state = g.States[s];
            var label = StateLabel(FrameView.Of(g.Catalog, g.Reading, state));
            var idle = state.Loaded & ~Observables.EnabledMask(state);
            if (idle != 0) label += $"loaded, not enabled: {string.Join(" ", g.Catalog.NamesOf(idle))}\n";
            var attrs = new List<string>();
            if (marks.TryGetValue(s, out var broken))
            {
                label = $"\u2717 {string.Join(", ", broken)}\n" + label;
                attrs.Add("peripheries=2, fillcolor=\"#fbe1d0\", color=\"#D55E00\", penwidth=2");
            }
            else if (witnesses.TryGetValue(s, out var reached))
            {
                label = $"\u2713 {string.Join(", ", reached)}\n" + label;
                attrs.Add("fillcolor=\"#dcf2ea\", color=\"#009E73\"");
            }
            if (s == 0) attrs.Add("shape=box, style=\"rounded,filled,bold\"");
            sb.AppendLine($"  s{s} [label={Quote(label)}{string.Concat(attrs.Select(a => ", " + a))}];");
        }
        foreach (var e in g.Edges)
        {
            var op = g.Alphabet[e.Op].Format(g.Catalog);
            var label = op + (e.Affected == 0 ? "" : $"\n{(g.Alphabet[e.Op].Kind == OpKind.Load ? "replaces" : "removes")} {string.Join(" ", g.Catalog.NamesOf(e.Affected))}");
            var onTrace = traceEdges.Contains((e.From, e.To, op));
            var tree = g.Parent[e.To] == e.From && g.Alphabet[g.ParentOp[e.To]] == g.Alphabet[e.Op];
            if (onTrace) sb.AppendLine($"  s{e.From} -> s{e.To} [label={Quote(label + "\n")}, color=\"#D55E00\", penwidth=3, style=bold, fontcolor=\"#D55E00\"];");
            else if (tree) sb.AppendLine($"  s{e.From} -> s{e.To} [label={Quote(label + "\n")}];");
            else sb.AppendLine($"  s{e.From} -> s{e.To} [tooltip={Quote(label)}, constraint=false, color=\"#bbbbbb\", arrowsize=0.6];");
        }
        sb.AppendLine("}");
        return sb.ToString();
    }

    /// <summary>The number of states <see cref="Replayed"/> draws: per scenario, per lane of readings that agree, the empty kernel and one state per step.</summary>
    public static int ReplayedStates(IReadOnlyList<ReplayResult> results) =>
        results.Sum(r => TracePicture.OfReplay(r) is var p ? p.Lanes.Count * (p.Operations.Count + 1) : 0);

    /// <summary>Replayed runs: a cluster per scenario and group of readings that agree, a chain of states, refusals as dashed loops, steps whose expectation failed highlighted.</summary>
    public static string Replayed(IReadOnlyList<ReplayResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("digraph klp {");
        sb.AppendLine(Header);
        sb.AppendLine($"  label={Quote("klp-check replay\nrefused step: dashed loop; failed expectation: double border, fill\n")};");
        for (var n = 0; n < results.Count; n++)
        {
            var picture = TracePicture.OfReplay(results[n]);
            for (var k = 0; k < picture.Lanes.Count; k++)
            {
                var lane = picture.Lanes[k];
                var id = $"r{n}_{k}_";
                sb.AppendLine($"  subgraph cluster_{n}_{k} {{");
                sb.AppendLine($"    label={Quote($"{results[n].Scenario.Path}\n{lane.Label}\n")}; color=\"#c8c8c8\";");
                sb.AppendLine($"    {id}0 [label=\"no patch enabled\\l\", style=\"rounded,filled,bold\"];");
                var at = 0;
                for (var i = 0; i < lane.Views.Count; i++)
                {
                    var v = lane.Views[i];
                    var op = $"{i + 1}. {picture.Operations[i]}";
                    var failed = picture.Marked.Contains(i);
                    if (v.Refused)
                    {
                        sb.AppendLine($"    {id}{at} -> {id}{at} [label={Quote($"{op}\n\u2298 {v.Outcome}\n")}, style=dashed, color=\"#D55E00\", fontcolor=\"#D55E00\"];");
                        if (failed) sb.AppendLine($"    {id}{at} [peripheries=2, fillcolor=\"#fbe1d0\", color=\"#D55E00\"];");
                        continue;
                    }
                    var label = (failed ? $"\u2717 {picture.Mark}\n" : "") + StateLabel(v);
                    sb.AppendLine($"    {id}{i + 1} [label={Quote(label)}{(failed ? ", peripheries=2, fillcolor=\"#fbe1d0\", color=\"#D55E00\"" : "")}];");
                    var gone = v.Gone.Count == 0 ? "" : "\n" + string.Join("\n", v.Gone);
                    sb.AppendLine($"    {id}{at} -> {id}{i + 1} [label={Quote(op + gone + "\n")}];");
                    at = i + 1;
                }
                sb.AppendLine("  }");
            }
        }
        sb.AppendLine("}");
        return sb.ToString();
    }
}
