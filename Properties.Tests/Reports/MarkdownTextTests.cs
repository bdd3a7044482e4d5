using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Conformance;
using Klp.Check.Properties;
using Klp.Check.Reports;
using Markdig;
using Property = FsCheck.Property;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Reports;

/// <summary>Strings in Markdown reports render as the characters they are, checked with a CommonMark renderer (Markdig, with GitHub's pipe tables).</summary>
public class MarkdownTextTests
{
    private static readonly MarkdownPipeline Gfm = new MarkdownPipelineBuilder().UsePipeTables().Build();

    private static IDocument Render(string markdown) => new HtmlParser().ParseDocument(Markdig.Markdown.ToHtml(markdown, Gfm));

    // The one cell of a table whose only row holds the text.
    private static IElement Cell(string cell)
    {
        var doc = Render($"| a | b |\n|---|---|\n| x | {cell} |\n");
        var cells = doc.QuerySelectorAll("tbody td");
        Assert.Equal(2, cells.Length);
        return cells[1];
    }

    // What the reader should see: the text with control characters as \xNN; a cell drops the spaces around it.
    private static string Shown(string s) => Terminal.Escape(s, keepLineFeeds: false);

    [Theory]
    [InlineData("a | b")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("`code` and ``more``")]
    [InlineData("*em* _em_ **strong** ~~gone~~")]
    [InlineData("[link](javascript:alert(1)) ![img](x)")]
    [InlineData("&lt; &amp; &#60;")]
    [InlineData("- not a list")]
    [InlineData("1. not a list")]
    [InlineData("# not a heading")]
    [InlineData("back\\slash\\| and \\")]
    [InlineData("line\nbreak")]
    [InlineData("klp_1a_fn = klp-1c; enabled {klp-1a}")]
    public void Plain_InATableCell_RendersAsItsTextAlone(string text)
    {
        // Regression: readings --format markdown and replay --format markdown split tables, passed HTML and broke code spans.
        var cell = Cell(MarkdownText.Plain(text));

        Assert.Equal(Shown(text).Trim(), cell.TextContent);
        Assert.Empty(cell.Children);
    }

    [Theory]
    [InlineData("replay a|b `x` <b>")]
    [InlineData("`")]
    [InlineData("``a`")]
    [InlineData(" padded ")]
    [InlineData("   ")]
    public void CodeAndCellCode_AnyBackticks_AreOneCodeSpanOfTheText(string text)
    {
        var paragraph = Render(MarkdownText.Code(text)).QuerySelector("p")!;
        var cell = Cell(MarkdownText.CellCode(text));

        Assert.Equal(text, Assert.Single(paragraph.Children).TextContent);
        Assert.Equal(text, Assert.Single(cell.Children).TextContent);
        Assert.Equal("code", cell.Children[0].LocalName);
    }

    [Property(MaxTest = 1000)]
    public Property Plain_AnyText_IsOneCellOfItsText(string? text)
    {
        var s = new string([.. (text ?? "").Where(ch => !char.IsSurrogate(ch))]);
        var doc = Render($"| a | b |\n|---|---|\n| x | {MarkdownText.Plain(s)} |\n");
        var cells = doc.QuerySelectorAll("tbody td");
        return (cells.Length == 2 && cells[1].TextContent == Shown(s).Trim() && cells[1].Children.Length == 0)
            .Label($"cells {cells.Length}: '{(cells.Length > 1 ? cells[1].InnerHtml : "")}'");
    }

    [Property(MaxTest = 1000)]
    public Property CellCode_AnyText_IsOneCodeSpanOfItsText(string? text)
    {
        var s = new string([.. (text ?? "").Where(ch => !char.IsSurrogate(ch))]);
        var doc = Render($"| a | b |\n|---|---|\n| x | {MarkdownText.CellCode(s)} |\n");
        var cells = doc.QuerySelectorAll("tbody td");
        var expected = Shown(s);
        return (cells.Length == 2 && (expected.Length == 0 ? cells[1].Children.Length == 0
                : cells[1].Children.Length == 1 && cells[1].Children[0].LocalName == "code" && cells[1].Children[0].TextContent == expected))
            .Label($"cells {cells.Length}: '{(cells.Length > 1 ? cells[1].InnerHtml : "")}'");
    }

    [Fact]
    public void ReadingsMarkdown_ProposalWithTableAndHtmlCharacters_StaysOneRowOfItsText()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("klp").FullName, "odd.proposal");
        File.WriteAllText(file, "name: odd\ndescription: a | b <script>alert(1)</script> `tick` *em*\nfields: x|y `z`\nsource: [l](javascript:x) &amp;\n");

        var (code, output, err) = Run("readings", "--format", "markdown", file);

        Assert.True(code == 0, err);
        var rows = Render(output).QuerySelectorAll("tbody tr");
        var cells = Assert.Single(rows).QuerySelectorAll("td");
        Assert.Equal(7, cells.Length);
        Assert.Equal("a | b <script>alert(1)</script> `tick` *em*", cells[1].TextContent);
        Assert.Equal("x|y `z`", cells[2].TextContent);
        Assert.Equal("[l](javascript:x) &amp;", cells[6].TextContent);
        Assert.Empty(Render(output).QuerySelectorAll("script, a, em"));
    }

    [Fact]
    public void ReplayMarkdown_TitleAndNoteWithTableAndHtmlCharacters_RenderAsText()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("klp").FullName, "s.klp");
        File.WriteAllText(file, "title a | b <img src=x onerror=alert(1)> `t`\npatch a\nload a <- note | with <b>bold</b> and `tick`\n");

        var (code, output, err) = Run("replay", "--reading", "flat", "--format", "markdown", file);

        Assert.True(code == 0, err);
        var doc = Render(output);
        Assert.Equal("a | b <img src=x onerror=alert(1)> `t`", doc.QuerySelector("h3")!.TextContent);
        var row = Assert.Single(doc.QuerySelectorAll("tbody tr"));
        Assert.Equal(4, row.QuerySelectorAll("td").Length);
        Assert.Equal("note | with <b>bold</b> and `tick`", row.QuerySelectorAll("td")[3].TextContent);
        Assert.Empty(doc.QuerySelectorAll("img, b"));
    }

    [Fact]
    public void MermaidRender_LabelsThatCouldEndTheLabelTheLineOrTheFence_StayInsideTheirLabels()
    {
        const string hostile = "a\"] --> X[\"b\n```\n%% c `d` <i>e</i> | #quot; &amp;";
        FrameView View(string patch) => new("accepted", false, [], [new SetGroup("{1}", [patch])], null, [], []);
        var picture = new TracePicture([hostile], [new TraceLane(hostile, [View(hostile)])], new HashSet<int> { 0 }, hostile, true);

        var mermaid = MermaidTrace.Render(picture);
        var lines = mermaid.TrimEnd().Split('\n');

        Assert.Equal(("```mermaid", "```"), (lines[0], lines[^1]));
        Assert.DoesNotContain(lines[1..^1], l => l.TrimStart().StartsWith("```", StringComparison.Ordinal) || l.Contains("%%"));
        // Each label is one quoted string: no quote, backtick, angle bracket or pipe of the text survives.
        Assert.All(lines[1..^1], l => Assert.DoesNotContain("<i>", l));
        Assert.DoesNotContain(lines, l => l.Contains('`') && !l.StartsWith("```", StringComparison.Ordinal));
        Assert.Equal(lines.Length, mermaid.TrimEnd().Count(ch => ch == '\n') + 1);
    }
}
