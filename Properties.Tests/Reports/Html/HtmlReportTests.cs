using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Klp.Check.Conformance;
using Klp.Check.Model;
using Klp.Check.Properties;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Reports.Html;

public class HtmlReportTests
{
    private static readonly Lazy<string> compare = new(() => Run("compare", "--bounds", "releases=3", "--no-scenarios", "--format", "html").Out);

    /// <summary>The compare page of a small run (every reading, release plans of three releases).</summary>
    public static string ComparePage => compare.Value;

    private static IDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    private static void AssertLinksResolve(IDocument doc, IEnumerable<IElement> links)
    {
        foreach (var a in links)
        {
            var href = a.GetAttribute("href");
            Assert.NotNull(href);
            Assert.StartsWith("#", href);
            Assert.True(doc.GetElementById(href[1..]) is not null, $"no element has id {href[1..]}");
        }
    }

    // Every trace drawn: its SVG has one step column per operation of the trace written under it.
    private static int AssertTracesHaveOneColumnPerStep(IDocument doc)
    {
        var pictures = 0;
        foreach (var article in doc.QuerySelectorAll("article"))
        {
            var svg = article.QuerySelector("svg.trace");
            var trace = article.QuerySelectorAll("p").FirstOrDefault(p => p.TextContent.StartsWith("trace:", StringComparison.Ordinal));
            if (trace is null)
            {
                Assert.Null(svg);
                continue;
            }
            Assert.NotNull(svg);
            var text = trace.QuerySelector("code")!.TextContent;
            var ops = text.Length == 0 ? [] : text.Split("; ");
            var steps = svg.QuerySelectorAll("g.step").ToList();
            Assert.Equal(ops.Length, steps.Count);
            Assert.Equal(Enumerable.Range(1, ops.Length).Select(i => i.ToString()), steps.Select(s => s.GetAttribute("data-step")));
            for (var i = 0; i < ops.Length; i++)
                Assert.Equal(ops[i], steps[i].QuerySelector("text.op")!.TextContent);
            pictures++;
        }
        return pictures;
    }

    [Fact]
    public void CompareHtml_EveryMatrixCellIsPresentAndLinksToItsExplanation()
    {
        var doc = Parse(ComparePage);

        var headers = doc.QuerySelectorAll("table.matrix thead th").Skip(1).Select(th => th.TextContent).ToList();
        var rows = doc.QuerySelectorAll("table.matrix tbody tr").ToList();
        Assert.Equal(Readings.All.Select(r => r.Name), headers);
        Assert.Equal(PropertyRegistry.All.Count, rows.Count);
        foreach (var row in rows)
        {
            var cells = row.QuerySelectorAll("td").ToList();
            Assert.Equal(headers.Count, cells.Count);
            foreach (var cell in cells)
            {
                Assert.Contains(cell.ClassName, new[] { "holds", "vacuous", "violated", "notapplicable", "inconclusive" });
                var link = Assert.Single(cell.QuerySelectorAll("a"));
                Assert.Matches("^[\u2713\u2717\u2013\u25c7] ", link.TextContent);
            }
            AssertLinksResolve(doc, cells.Select(c => c.QuerySelector("a")!));
        }
    }

    [Fact]
    public void CompareHtml_ViolatedCell_LinksIntoTheArticleWithItsTrace()
    {
        var doc = Parse(ComparePage);
        var readings = Readings.All.Select(r => r.Name).ToList();
        var row = PropertyRegistry.All.ToList().FindIndex(i => i.Id == "no-silent-revert");

        var cell = doc.QuerySelectorAll("table.matrix tbody tr")[row].QuerySelectorAll("td")[readings.IndexOf("flat")];
        var target = doc.GetElementById(cell.QuerySelector("a")!.GetAttribute("href")![1..])!;
        var article = target.Closest("article");

        Assert.Equal("violated", cell.ClassName);
        Assert.NotNull(article);
        Assert.Contains("no-silent-revert", article.QuerySelector("h3")!.TextContent);
        Assert.NotNull(article.QuerySelector("svg.trace g.step.broken"));
        Assert.Contains("input", article.QuerySelector(".inputs")!.TextContent);
    }

    [Fact]
    public void CompareHtml_EveryTraceHasAnSvgWithOneColumnPerStep()
    {
        var doc = Parse(ComparePage);

        var pictures = AssertTracesHaveOneColumnPerStep(doc);

        Assert.True(pictures > 10, $"{pictures} traces drawn");
        // The equivalence classes: one badge per pair of classes, each linking to its trace.
        var edges = doc.QuerySelectorAll("svg.classes a.edge").ToList();
        Assert.Equal(doc.QuerySelectorAll("article.differs").Length, edges.Count);
        AssertLinksResolve(doc, edges);
    }

    [Fact]
    public void CompareHtml_HasNoExternalReference()
    {
        AssertSelfContained(ComparePage);
    }

    /// <summary>Asserts a page needs nothing from outside itself: links only to its own anchors, no script, stylesheet or image files, no CSS import or url().</summary>
    internal static void AssertSelfContained(string html)
    {
        var doc = Parse(html);
        Assert.Empty(doc.QuerySelectorAll("script, link, img, iframe, object, embed, video, audio, source, base"));
        foreach (var e in doc.All)
            foreach (var attr in e.Attributes)
            {
                if (attr.LocalName is "href" or "src" or "action" or "poster" or "data" or "srcset" or "formaction")
                    Assert.StartsWith("#", attr.Value);
                Assert.DoesNotContain("url(", attr.Value, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("http:", attr.Value, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("https:", attr.Value, StringComparison.OrdinalIgnoreCase);
            }
        foreach (var style in doc.QuerySelectorAll("style"))
        {
            Assert.DoesNotContain("@import", style.TextContent);
            Assert.DoesNotContain("url(", style.TextContent);
        }
        var policy = doc.QuerySelector("meta[http-equiv='Content-Security-Policy']");
        Assert.NotNull(policy);
        Assert.StartsWith("default-src 'none'", policy.GetAttribute("content"));
    }

    [Fact]
    public void DiffHtml_TwoReadings_DrawsBothSideBySideAndMarksTheLastStep()
    {
        var (code, html, _) = Run("diff", "flat", "set", "--bounds", "releases=3", "--format", "html");
        var doc = Parse(html);

        Assert.Equal(1, code);
        AssertSelfContained(html);
        var article = Assert.Single(doc.QuerySelectorAll("article.differs"));
        Assert.Equal(1, AssertTracesHaveOneColumnPerStep(doc));
        var lanes = article.QuerySelectorAll("svg.trace text.lane").Select(t => t.TextContent).ToList();
        Assert.Equal(["flat", "set"], lanes);
        var steps = article.QuerySelectorAll("svg.trace g.step").ToList();
        Assert.Contains("broken", steps[^1].ClassName);
        Assert.All(steps.SkipLast(1), s => Assert.DoesNotContain("broken", s.ClassName));
        AssertLinksResolve(doc, doc.QuerySelectorAll("svg.classes a"));
    }

    [Fact]
    public void ReplayHtml_DrawsEveryStepAndMergesReadingsThatAgree()
    {
        var file = RepositoryFiles.Full("scenarios/thread/joe-timeline-tuesday-set2.klp");

        var (code, html, _) = Run("replay", file, "--format", "html");
        var doc = Parse(html);

        Assert.Equal(0, code);
        AssertSelfContained(html);
        Assert.Equal(1, AssertTracesHaveOneColumnPerStep(doc));
        var lanes = doc.QuerySelectorAll("svg.trace text.lane").Select(t => t.TextContent).ToList();
        Assert.Equal("upstream", lanes[0]);
        Assert.True(lanes.Count < Readings.All.Count, "readings that agree at every step share a lane");
        // Step 4 loads klp-2a, which the single-set readings refuse and the others accept, replacing klp-1a.
        var step4 = doc.QuerySelectorAll("svg.trace g.step")[3];
        Assert.Contains(step4.QuerySelectorAll("text.refusedpatch"), t => t.TextContent.Contains("klp-2a refused"));
        Assert.Contains(step4.QuerySelectorAll("text.gone"), t => t.TextContent.Contains("klp-1a replaced"));
    }

    [Fact]
    public void ReplayHtml_FailedExpectation_MarksItsStep()
    {
        var file = Path.Combine(Path.GetTempPath(), $"klp-{Guid.NewGuid():N}.klp");
        File.WriteAllText(file, "patch a funcs={f}\npatch b funcs={f}\nload a\nload b\nexpect refused\n");

        var (code, html, _) = Run("replay", "--reading", "flat", file, "--format", "html");
        var steps = Parse(html).QuerySelectorAll("svg.trace g.step").ToList();

        Assert.Equal(1, code);
        Assert.Equal(2, steps.Count);
        Assert.DoesNotContain("broken", steps[0].ClassName);
        Assert.Contains("broken", steps[1].ClassName);
        Assert.Contains("expectation failed", steps[1].TextContent);
    }

    [Fact]
    public void CheckHtml_OneReading_IsAMatrixOfOneColumnWithCoverage()
    {
        var (code, html, _) = Run("check", "--reading", "flat", "--bounds", "releases=3", "--format", "html");
        var doc = Parse(html);

        Assert.Equal(1, code);
        AssertSelfContained(html);
        Assert.Equal(["flat"], doc.QuerySelectorAll("table.matrix thead th").Skip(1).Select(th => th.TextContent));
        AssertLinksResolve(doc, doc.QuerySelectorAll("table.matrix td a"));
        Assert.True(AssertTracesHaveOneColumnPerStep(doc) > 0);
        Assert.Contains("coverage:", doc.QuerySelector("footer")!.TextContent);
    }

    [Fact]
    public void CheckHtml_CutByAStateCap_MarksInconclusiveCellsWithTheirOwnColourAndSymbol()
    {
        var catalog = RepositoryFiles.Full("scenarios/thread/joe-timeline-tuesday-set2.klp");

        var (_, html, _) = Run("check", "--reading", "flat", "--catalog", catalog, "--max-states", "20", "--format", "html");
        var doc = Parse(html);

        var cells = doc.QuerySelectorAll("table.matrix td.inconclusive").ToList();
        Assert.NotEmpty(cells);
        // A safety property reads "no violation in the explored part" (ok?), a liveness property or witness "?".
        Assert.All(cells, c => Assert.Equal(c.ParentElement!.TextContent.Contains("(safety)") ? "\u25c7 ok?" : "\u25c7 ?", c.TextContent));
        Assert.Contains(cells, c => c.TextContent == "\u25c7 ok?");
        Assert.Contains("inconclusive", doc.QuerySelector(".legend")!.TextContent);
        Assert.Contains("no violation in the explored part", doc.QuerySelector(".legend")!.TextContent);
        Assert.DoesNotContain(doc.QuerySelectorAll("table.matrix td"), c => c.ClassName == "holds" && c.ParentElement!.TextContent.Contains("(safety)"));
        AssertLinksResolve(doc, doc.QuerySelectorAll("table.matrix td a"));
    }

    [Theory]
    [InlineData("check", "--reading", "flat", "--random", "10", "--format", "html")]
    [InlineData("readings", "--format", "html")]
    [InlineData("design", "--require", "one-per-set", "--format", "html")]
    public void Html_WhereNotOffered_ExitsTwo(params string[] args) => Assert.Equal(2, Run(args).Code);
}
