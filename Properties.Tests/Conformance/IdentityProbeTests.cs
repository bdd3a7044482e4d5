using Klp.Check.Commands;
using Klp.Check.Conformance;
using Klp.Check.Model;
using Klp.Check.Scenarios;
using Klp.Check.Tests.Architecture.Violating.Properties;

namespace Klp.Check.Tests.Conformance;

public class IdentityProbeTests
{
    [Fact]
    public void Probe_IsTheFirstTwoLoadsOfItsScenarioFile()
    {
        var s = ScenarioParser.ParseFile(RepositoryFiles.Full(IdentityProbe.ScenarioFile));
        var loads = s.Steps.Where(x => x.Operation is { Kind: OpKind.Load }).Take(2).Select(x => x.Operation!.Value.Format(s.Catalog));

        Assert.Equal(loads, IdentityProbe.Operations.Select(o => o.Format(IdentityProbe.Catalog)));
        Assert.Equal(2, IdentityProbe.Catalog.Count);
        for (var p = 0; p < IdentityProbe.Catalog.Count; p++)
        {
            Assert.Equal(s.Catalog[p].Name, IdentityProbe.Catalog[p].Name);
            Assert.Equal(s.Catalog[p].Replace, IdentityProbe.Catalog[p].Replace);
            Assert.Equal(s.Catalog[p].Funcs.ToArray(), IdentityProbe.Catalog[p].Funcs.ToArray());
            Assert.Empty(IdentityProbe.Catalog[p].States);
        }
    }

    [Fact]
    public void Probe_WritesSympos1WhereOtherTracesWriteNone()
    {
        var probe = IdentityProbe.Trace(1).Realisation;
        var plain = Realisation.TryCreate(IdentityProbe.Catalog, out _)!;

        Assert.Contains(".old_name = \"cmdline_proc_show\", .new_func = klp_check_fn0, .old_sympos = 1,", probe.ModuleSource(1));
        Assert.DoesNotContain("old_sympos", probe.ModuleSource(0));
        Assert.DoesNotContain("old_sympos", plain.ModuleSource(1));
    }

    private static StepObservation Step(int status, string message, string[] enabled, string code, string[] modules) =>
        new(status, message, true, [.. enabled.Select(e => new LivepatchDir(e, true, false, null, null))], [code], modules, []);

    private static IdentityResult Judge(StepObservation second)
    {
        var trace = IdentityProbe.Trace(7);
        var first = Step(0, "", ["test_klp_livepatch"], "patched-by-test_klp_livepatch", ["test_klp_livepatch"]);
        return IdentityProbe.Judge(trace, new TraceObservation(7, [first, second], true), new Observability(false, false), "x");
    }

    [Fact]
    public void Judge_KernelLoadsTheReplaceAtSympos1_Normalized()
    {
        var r = Judge(Step(0, "", ["test_klp_livepatch2"], "patched-by-test_klp_livepatch2", ["test_klp_livepatch2", "test_klp_livepatch"]));

        Assert.Equal(FunctionIdentity.Normalized, r.Identity);
        Assert.Equal(Agreement.Disagree, r.Exact.Agreement);
    }

    // A kernel before commit 139560e8b973: the nop for cmdline_proc_show,1 clashes (EEXIST).
    [Fact]
    public void Judge_KernelRefusesTheReplaceWithEexist_Exact()
    {
        var r = Judge(Step(17, "insmod: can't insert 'test_klp_livepatch2.ko': File exists", ["test_klp_livepatch"], "patched-by-test_klp_livepatch", ["test_klp_livepatch"]));

        Assert.Equal(FunctionIdentity.Exact, r.Identity);
        Assert.StartsWith("exact:", r.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_KernelDoesSomethingElse_NeitherAndSaysWhere()
    {
        var r = Judge(Step(22, "insmod: can't insert 'test_klp_livepatch2.ko': Invalid argument", ["test_klp_livepatch"], "patched-by-test_klp_livepatch", ["test_klp_livepatch"]));

        Assert.Null(r.Identity);
        Assert.Contains("step 2, load test_klp_livepatch2: result model accepted, kernel refused EINVAL", r.Description);
        Assert.False(ConformKernels.Agrees(new ConformResult("x", ConformTraces.Upstream, [], new Observability(false, false), 1, TimeSpan.Zero) { Identity = r }));
    }
}
