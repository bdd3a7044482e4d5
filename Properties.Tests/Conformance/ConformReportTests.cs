using System.Text.Json;
using Klp.Check.Conformance;
using Klp.Check.Model;

namespace Klp.Check.Tests.Conformance;

/// <summary>What the kernel and the model show, compared fact by fact, and the report per kernel.</summary>
public class ConformReportTests
{
    private static readonly Catalog catalog = RealisationTests.Catalog("patch a funcs={cmdline_proc_show}\npatch b funcs={version_proc_show}\n");
    private static readonly Realisation realisation = Realisation.TryCreate(catalog, out _)!;

    // Regression: on 6.12 the replace attribute was compared as a list in stack order, and the
    // kernel lists /sys/kernel/livepatch in ls order: 77 of 77 disagreements were this.
    [Fact]
    public void StepView_KernelListsTheEnabledPatchesInAnotherOrder_ReplaceAgreesAsASet()
    {
        var state = Kernel.Step(catalog, ConformTraces.Upstream, Kernel.Step(catalog, ConformTraces.Upstream, KernelState.Empty, Operation.Load(0)).State, Operation.Load(1));
        var observed = new StepObservation(0, "", true,
            [new LivepatchDir("b", true, false, null, false), new LivepatchDir("a", true, false, null, false)],
            ["patched-by-a", "patched-by-b"], ["b", "a"], []);
        var observable = new Observability(StackOrder: false, Replace: true);

        var model = StepView.Model(realisation, state, observable);
        var kernel = StepView.Kernel(realisation, observed, observable);

        Assert.Equal("{a=0, b=0}", model["replace"]);
        Assert.Equal(model.Facts, kernel.Facts);
    }

    [Fact]
    public void StepView_KernelWithoutTheReplaceAttribute_HasNoReplaceFact()
    {
        var model = StepView.Model(realisation, Kernel.Step(catalog, ConformTraces.Upstream, KernelState.Empty, Operation.Load(0)), new Observability(false, false));

        Assert.Null(model["replace"]);
        Assert.Null(model["order"]);
    }

    private static ConformResult Result(string release, Observability observable) =>
        new(release, ConformTraces.Upstream, [], observable, 1, TimeSpan.FromSeconds(1))
        {
            Image = $"/boot/vmlinuz-{release}",
            BuildDir = $"/lib/modules/{release}/build",
            Choice = "one of 2 installed kernels with headers (--kernel all)",
        };

    private static readonly ConformInputs inputs = new(["scenarios/kernel/test-livepatch-1.klp"], [], 1, 8);

    [Fact]
    public void Text_TwoKernels_EachReportSaysWhichKernelAndWhatItComparesThenOneLinePerKernel()
    {
        var r61 = Result("6.1.0-57-amd64", new Observability(false, false));
        var r612 = Result("6.12.95+deb12-amd64", new Observability(false, true));

        var text = string.Join("\n", new[] { r61, r612 }.Select(r => ConformReport.Text(inputs, r, [], new Dictionary<int, string>(), Terminal.Plain)))
            + ConformReport.KernelsText([r61, r612]);

        Assert.Contains("kernel: /boot/vmlinuz-6.12.95+deb12-amd64, modules built", text);
        Assert.Contains("Compared where this kernel has them\n  replace: since Linux 6.11", text);
        Assert.Contains("  replace: no such attribute before Linux 6.11", text);
        Assert.Contains("  stack_order: no such attribute before Linux 6.14", text);
        Assert.Contains("Per kernel\n  Linux 6.1.0-57-amd64: traces: 0;", text);
        Assert.Contains("\n  Linux 6.12.95+deb12-amd64: traces: 0;", text);
    }

    [Fact]
    public void Json_TwoKernels_OneObjectPerKernel()
    {
        var json = ConformReport.Json(inputs, [(Result("6.1.0-57-amd64", new Observability(false, false)), new Dictionary<int, string>()), (Result("6.12.95+deb12-amd64", new Observability(false, true)), new Dictionary<int, string>())], []);

        var kernels = JsonDocument.Parse(json).RootElement.GetProperty("kernels");
        Assert.Equal(["6.1.0-57-amd64", "6.12.95+deb12-amd64"], kernels.EnumerateArray().Select(k => k.GetProperty("kernel").GetString()));
        Assert.Equal(0, kernels[0].GetProperty("compared").GetArrayLength());
        Assert.Equal("replace", kernels[1].GetProperty("compared")[0].GetProperty("what").GetString());
        Assert.Equal("/boot/vmlinuz-6.12.95+deb12-amd64", kernels[1].GetProperty("image").GetString());
    }
}
