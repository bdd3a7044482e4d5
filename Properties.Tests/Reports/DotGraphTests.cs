using System.Text.RegularExpressions;
using Klp.Check.Conformance;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Reports;

public partial class DotGraphTests
{
    private static readonly string Tuesday = RepositoryFiles.Full("scenarios/thread/joe-timeline-tuesday-set2.klp");

    [GeneratedRegex(@"^\s+(\w+) \[(.*)\];$")]
    private static partial Regex NodeLine();

    [GeneratedRegex(@"^\s+(\w+) -> (\w+) \[(.*)\];$")]
    private static partial Regex EdgeLine();

    private sealed record Graph(Dictionary<string, string> Nodes, List<(string From, string To, string Attributes)> Edges);

    // The structure of the DOT this tool writes: one digraph, braces balanced, a statement per line,
    // every edge between declared nodes.
    private static Graph ParseDot(string dot)
    {
        var lines = dot.TrimEnd().Split('\n');
        Assert.Equal("digraph klp {", lines[0]);
        Assert.Equal("}", lines[^1]);
        var depth = 0;
        var nodes = new Dictionary<string, string>();
        var edges = new List<(string, string, string)>();
        foreach (var line in lines)
        {
            depth += line.Count(c => c == '{') - line.Count(c => c == '}');
            // Braces inside quoted labels ({1,2}) balance themselves.
            Assert.True(depth >= 0, line);
            if (EdgeLine().Match(line) is { Success: true } e) edges.Add((e.Groups[1].Value, e.Groups[2].Value, e.Groups[3].Value));
            else if (NodeLine().Match(line) is { Success: true } n && n.Groups[1].Value is not ("graph" or "node" or "edge")) nodes[n.Groups[1].Value] = n.Groups[2].Value;
            Assert.True(Regex.Matches(line, "(?<!\\\\)\"").Count % 2 == 0, $"unbalanced quotes: {line}");
        }
        Assert.Equal(0, depth);
        foreach (var (from, to, _) in edges)
        {
            Assert.True(nodes.ContainsKey(from), $"edge from undeclared {from}");
            Assert.True(nodes.ContainsKey(to), $"edge to undeclared {to}");
        }
        return new Graph(nodes, edges);
    }

    [Fact]
    public void CheckDot_Catalog_DrawsEveryStateAndHighlightsTheViolation()
    {
        var (code, dot, err) = Run("check", "--reading", "flat", "--catalog", Tuesday, "--format", "dot");
        var (_, json, _) = Run("check", "--reading", "flat", "--catalog", Tuesday, "--format", "json");

        var g = ParseDot(dot);

        Assert.Equal(1, code);
        var states = System.Text.Json.JsonDocument.Parse(json).RootElement;
        Assert.Contains($"{g.Nodes.Count} states", err);
        var broken = g.Nodes.Where(n => n.Value.Contains("peripheries=2")).ToList();
        var silent = Assert.Single(broken, n => n.Value.Contains("no-silent-revert"));
        Assert.Contains("\u2717", silent.Value);
        // The trace to it is drawn bold: as many bold edges as the verdict's trace has operations, ending there.
        var trace = states.GetProperty("verdicts").EnumerateArray().Single(v => v.GetProperty("property").GetString() == "no-silent-revert").GetProperty("trace");
        var bold = g.Edges.Where(e => e.Attributes.Contains("penwidth=3")).ToList();
        Assert.Contains(bold, e => e.To == silent.Key);
        Assert.True(bold.Count >= trace.GetArrayLength());
        Assert.Contains("{1,2}: klp-2a", dot);
    }

    [Fact]
    public void CheckDot_OverTheLimit_ExitsTwoSayingHowToNarrow()
    {
        var (code, output, err) = Run("check", "--reading", "flat", "--catalog", Tuesday, "--format", "dot", "--graph-limit", "20");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("more than 20 states", err);
        Assert.Contains("--max-depth", err);
        Assert.Contains("--graph-limit", err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void CheckDot_ManyInputs_ExitsTwo()
    {
        var (code, output, err) = Run("check", "--reading", "flat", "--bounds", "releases=2", "--format", "dot");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("--catalog FILE or --plan FILE", err);
    }

    [Fact]
    public void ReplayDot_DrawsAChainPerLaneWithRefusalsAsLoops()
    {
        var (code, dot, _) = Run("replay", Tuesday, "--format", "dot");

        var g = ParseDot(dot);

        Assert.Equal(0, code);
        // Step 4 (load klp-2a) is refused by the single-set readings: a dashed loop.
        var loops = g.Edges.Where(e => e.From == e.To).ToList();
        Assert.NotEmpty(loops);
        Assert.All(loops, l => Assert.Contains("style=dashed", l.Attributes));
        Assert.Contains(loops, l => l.Attributes.Contains("4. load klp-2a"));
        Assert.Contains("cluster_0_0", dot);
    }

    [Fact]
    public void ReplayDot_OverTheLimit_ExitsTwo()
    {
        var (code, output, err) = Run("replay", Tuesday, "--format", "dot", "--graph-limit", "5");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("--graph-limit", err);
    }

    [SkippableFact]
    public void CheckDot_RendersWithGraphviz()
    {
        var dot = ExternalTools.Find("dot");
        Skip.If(dot is null, "Graphviz's dot is not installed (Debian: apt-get install graphviz; .ci/run installs it)");
        var (_, graph, _) = Run("check", "--reading", "flat", "--catalog", Tuesday, "--format", "dot");

        var (code, svg, err) = ExternalTools.Run(dot, ["-Tsvg"], graph);

        Assert.True(code == 0, err);
        Assert.Contains("<svg", svg);
        // Graphviz writes a hyphen as &#45;.
        Assert.Contains("no&#45;silent&#45;revert", svg);
        Assert.Equal(ParseDot(graph).Nodes.Count, Regex.Matches(svg, "<g id=\"node").Count);
    }

    [Fact]
    public void Markdown_AddsAMermaidDiagramPerTraceAfterTheText()
    {
        var (_, text, _) = Run("replay", Tuesday, "--format", "markdown");
        var (_, check, _) = Run("check", "--reading", "flat", "--catalog", Tuesday, "--format", "markdown");

        var diagram = text[text.IndexOf("```mermaid", StringComparison.Ordinal)..];
        Assert.True(text.IndexOf("expectations checked", StringComparison.Ordinal) < text.IndexOf("```mermaid", StringComparison.Ordinal));
        Assert.StartsWith("```mermaid\nflowchart LR\n", diagram.ReplaceLineEndings("\n"));
        // Five operations: five edges per lane, each numbered.
        var lanes = Regex.Matches(diagram, "subgraph ").Count;
        Assert.Equal(5 * lanes, Regex.Matches(diagram, "-->").Count);
        Assert.Contains("|\"4. load klp-2a: refused EINVAL unexpressible-attributes\"|", diagram);
        var (_, json, _) = Run("check", "--reading", "flat", "--catalog", Tuesday, "--format", "json");
        var traces = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("verdicts").EnumerateArray()
            .Count(v => v.GetProperty("trace").ValueKind == System.Text.Json.JsonValueKind.Array);
        Assert.Equal(traces, Regex.Matches(check, "```mermaid").Count);
        Assert.Contains("class L0S", check);
    }

    [Fact]
    public void Replayed_ScenarioPathWithQuotesBackslashesAndControlCharacters_StaysOneStatementPerLine()
    {
        var file = TempFiles.InFolderNamed("a\"]; x -> y [label=\"\\\u001b[2J\n", "s.klp", "patch a\nload a\n");

        var (code, output, err) = Run("replay", "--reading", "flat", "--format", "dot", file);

        Assert.True(code == 0, err);
        var graph = ParseDot(output);
        Assert.DoesNotContain(graph.Edges, e => e.From == "x" || e.To == "y");
        Assert.DoesNotContain('\u001b', output);
    }
}
