using System.Collections.Immutable;
using Klp.Check.Conformance;
using Klp.Check.Explore;
using Klp.Check.Model;

namespace Klp.Check.Tests.Explore;

public class UrlTraceTests
{
    private static readonly Catalog catalog = new(
    [
        new Patch("a+1", Origin.Vendor, PatchKind.Cumulative, 0, [new FunctionId(FunctionId.Vmlinux, "f", 0)], [], true, [1u]),
        new Patch("b.2", Origin.Vendor, PatchKind.Hotfix, 1, [new FunctionId(FunctionId.Vmlinux, "g", 0)], [], false, [2u]),
    ], [ImmutableArray.Create(3u, 4u)]);

    [Fact]
    public void Format_EveryKind_WritesTheDocumentedTokens()
    {
        Operation[] ops = [Operation.Load(0), Operation.Load(1, 1), Operation.Disable(0), Operation.Unload(1), Operation.Complete(), Operation.Reverse(), Operation.Force(), Operation.Force(1)];

        var text = UrlTrace.Format(catalog, ops);

        Assert.Equal("load:a+1,load:b.2:3.4,disable:a+1,unload:b.2,complete,reverse,force,force:b.2", text);
        Assert.Equal(ops, UrlTrace.Parse(text, catalog, out var extra, out _));
        Assert.Empty(extra);
    }

    [Fact]
    public void Parse_AddSetsTheCatalogLacks_NumbersThemAfterItsOwn()
    {
        var ops = UrlTrace.Parse("load:a+1:7,load:b.2:3.4,load:b.2:7,load:a+1:9.8", catalog, out var extra, out var error);

        Assert.Null(error);
        Assert.Equal([Operation.Load(0, 2), Operation.Load(1, 1), Operation.Load(1, 2), Operation.Load(0, 3)], ops);
        Assert.Equal([[7u], [9u, 8u]], extra.Select(e => e.ToArray()));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData(null, 0)]
    public void Parse_Nothing_IsTheEmptyTrace(string? text, int count)
    {
        Assert.Equal(count, UrlTrace.Parse(text, catalog, out _, out _)!.Count);
    }

    [Theory]
    [InlineData("load:c", "trace step 1 ('load:c'): unknown patch 'c' (the catalog has a+1, b.2)")]
    [InlineData("complete,load:", "trace step 2 ('load:'): load needs a patch name")]
    [InlineData("load:a+1:", "trace step 1 ('load:a+1:'): add_sets takes set numbers")]
    [InlineData("load:a+1:-1", "add_sets takes set numbers")]
    [InlineData("load:a+1:4294967296", "add_sets takes set numbers")]
    [InlineData("reverse:a+1", "reverse takes no patch")]
    [InlineData("force:a+1:2", "expected force or force:NAME")]
    [InlineData("unload", "expected unload:NAME")]
    [InlineData("Load:a+1", "unknown operation")]
    [InlineData("load a+1", "unknown operation")]
    public void Parse_Malformed_NamesTheStepAndWhy(string text, string message)
    {
        Assert.Null(UrlTrace.Parse(text, catalog, out _, out var error));
        Assert.Contains(message, error);
    }

    [Fact]
    public void Parse_TooManyAddSets_Refused()
    {
        var text = "load:a+1:" + string.Join(".", Enumerable.Range(0, UrlTrace.MaxAddSets + 1));

        Assert.Null(UrlTrace.Parse(text, catalog, out _, out var error));
        Assert.Contains($"at most {UrlTrace.MaxAddSets} sets", error);
    }
}
