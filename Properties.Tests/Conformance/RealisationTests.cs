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
    public void ModuleSource_Busy_AlsoPatchesThePatchsOwnBusyFunctionWithOneThatSleepsTheSameWay()
    {
        var c = Catalog("patch a funcs={f}\npatch b replace funcs={}\n");
        var plain = Realisation.TryCreate(c, out _)!;
        var busy = plain.WithBusy(out var why)!;

        var source = busy.ModuleSource(1);

        Assert.Null(why);
        Assert.True(busy.Busy);
        Assert.DoesNotContain(Realisation.BusyModule, plain.ModuleSource(1));
        Assert.Contains("{ .old_name = \"klp_check_busy_fn1\", .new_func = klp_check_busy_new, },", source);
        Assert.Contains("{ .name = \"klp_check_busy\", .funcs = busy_funcs, },", source);
        Assert.Contains("while (klp_check_busy_held(1))\n\t\tmsleep(10);", source);
        Assert.NotEqual(Realisation.Key("r", plain.ModuleSource(1)), Realisation.Key("r", source));
    }

    // The kernel refuses a module whose klp_func list names one function twice; the harness
    // must build that module to see it do so.
    [Fact]
    public void ModuleSource_PatchNamingFunctionAtSympos0And1_HasOneEntryPerSpellingEachWithItsOwnFunction()
    {
        var r = Realisation.TryCreate(Catalog("patch dup funcs={cmdline_proc_show, version_proc_show, cmdline_proc_show@1}\n"), out _)!;

        var source = r.ModuleSource(0);

        Assert.Contains("\t{ .old_name = \"cmdline_proc_show\", .new_func = klp_check_fn0, .old_sympos = 0, },\n"
            + "\t{ .old_name = \"cmdline_proc_show\", .new_func = klp_check_fn0_1, .old_sympos = 1, },\n"
            + "\t{ .old_name = \"version_proc_show\", .new_func = klp_check_fn1, },\n", source);
        Assert.Contains("static int klp_check_fn0(struct seq_file *m, void *v)", source);
        Assert.Contains("static int klp_check_fn0_1(struct seq_file *m, void *v)", source);
    }

    [Fact]
    public void ModuleSource_FunctionNamedOnceAtSympos1_HasNoOldSympos()
    {
        var r = Realisation.TryCreate(Catalog("patch a funcs={cmdline_proc_show@1}\n"), out _)!;

        Assert.DoesNotContain("old_sympos", r.ModuleSource(0));
    }

    [Fact]
    public void WithBusy_MorePatchesThanBusyFunctions_IsRefused()
    {
        var text = string.Concat(Enumerable.Range(0, Realisation.MaxBusyPatches + 1).Select(i => $"patch p{i} funcs={{}}\n"));

        var busy = Realisation.TryCreate(Catalog(text), out _)!.WithBusy(out var why);

        Assert.Null(busy);
        Assert.Equal($"the catalog has {Realisation.MaxBusyPatches + 1} patches; the busy module has functions for {Realisation.MaxBusyPatches}", why);
    }

    [Fact]
    public void BusyModuleSource_OneDistinctBusyFunctionPerPatchTwoThreadsAndEveryPoolFile()
    {
        var source = Realisation.BusyModuleSource();

        for (var n = 0; n < Realisation.MaxBusyPatches; n++)
        {
            Assert.Contains($"noinline void klp_check_busy_fn{n}(void)\n{{\n\twhile (klp_check_busy_held({n}))\n\t\tmsleep(10);\n}}", source);
            Assert.Contains($"\tklp_check_busy_fn{n},\n", source);
        }
        Assert.All(FunctionPool.Functions, f => Assert.Contains($"\t\"{f.ProcFile}\",\n", source));
        Assert.Contains("EXPORT_SYMBOL_GPL(klp_check_busy_held);", source);
        foreach (var p in new[] { "hold_a", "hold_b", "holding_a", "holding_b", "probe", "probed_a", "probed_b" })
            Assert.Contains($"module_param({p}, int, ", source);
        Assert.Contains("kthread_create(klp_check_busy_thread, (void *)t,", source);
        Assert.DoesNotContain("MODULE_INFO(livepatch", source);
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
