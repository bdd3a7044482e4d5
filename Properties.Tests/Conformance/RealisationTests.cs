using Klp.Check.Conformance;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Tests.Conformance;

public class RealisationTests
{
    internal static Catalog Catalog(string declarations) => ScenarioParser.Parse(declarations, "test.klp").Catalog;

    [Fact]
    public void ModuleSource_ReplacePatchWithStates_DeclaresReplaceStatesAndTheMappedFunctions()
    {
        var r = Realisation.TryCreate(Catalog("patch lp-a replace funcs={f, version_proc_show} states={1:v2, 7:v0}\n"), out var why)!;

        var source = r.ModuleSource(0);

        Assert.Null(why);
        Assert.Equal("lp_a", r.ModuleNames[0]);
        Assert.Contains(".old_name = \"cmdline_proc_show\"", source);
        Assert.Contains(".old_name = \"version_proc_show\"", source);
        Assert.Contains("\"patched-by-lp_a\"", source);
        Assert.Contains(".replace = true,", source);
        Assert.Contains("{ .id = 1, .version = 2, },", source);
        Assert.Contains("{ .id = 7, .version = 0, },", source);
        Assert.Contains(".states = states,", source);
        Assert.Contains("MODULE_INFO(livepatch, \"Y\");", source);
    }

    [Fact]
    public void TryCreate_FunctionNamedAfterAPoolFunction_MapsOntoIt()
    {
        var r = Realisation.TryCreate(Catalog("patch a funcs={x, meminfo_proc_show, y}\n"), out _)!;

        Assert.Equal(["cmdline_proc_show", "meminfo_proc_show", "version_proc_show"], r.Functions.Select(f => f.Symbol));
    }

    [Fact]
    public void ModuleSource_PatchWithoutFunctionsOrStates_HasAnEmptyFuncsListAndNoStates()
    {
        var r = Realisation.TryCreate(Catalog("patch a replace=false funcs={}\n"), out _)!;

        var source = r.ModuleSource(0);

        Assert.Contains("static struct klp_func funcs[] = {\n\t{ }\n};", source);
        Assert.DoesNotContain("states", source);
        Assert.Contains(".replace = false,", source);
    }

    [Fact]
    public void TryCreate_MoreFunctionsThanThePool_IsRefusedWithBothCounts()
    {
        var funcs = string.Join(", ", Enumerable.Range(0, FunctionPool.Functions.Length + 1).Select(i => $"f{i}"));

        var r = Realisation.TryCreate(Catalog($"patch a funcs={{{funcs}}}\n"), out var why);

        Assert.Null(r);
        Assert.Equal($"the catalog patches {FunctionPool.Functions.Length + 1} functions, the pool of observable vmlinux functions has {FunctionPool.Functions.Length}", why);
    }

    [Theory]
    [InlineData("patch a states={1:v1:block_disable}\n", "block_disable")]
    [InlineData("patch a sets=auto\n", "chosen at load time")]
    [InlineData("patch a-b\npatch a_b\n", "would both be module 'a_b'")]
    public void TryCreate_FeatureUpstreamLacks_IsRefusedSayingWhich(string declarations, string reason)
    {
        var r = Realisation.TryCreate(Catalog(declarations), out var why);

        Assert.Null(r);
        Assert.Contains(reason, why);
    }

    [Fact]
    public void Key_SameSourceOtherKernel_Differs()
    {
        Assert.Equal(Realisation.Key("6.1.0-57-amd64", "x"), Realisation.Key("6.1.0-57-amd64", "x"));
        Assert.NotEqual(Realisation.Key("6.1.0-57-amd64", "x"), Realisation.Key("6.1.0-58-amd64", "x"));
        Assert.NotEqual(Realisation.Key("6.1.0-57-amd64", "x"), Realisation.Key("6.1.0-57-amd64", "y"));
    }
}
