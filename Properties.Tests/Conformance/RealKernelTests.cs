using Klp.Check.Commands;
using Klp.Check.Conformance;

namespace Klp.Check.Tests.Conformance;

/// <summary>A fact that needs the conformance harness (a kernel with headers, QEMU, busybox); skipped with the reason and the install command without it.</summary>
public sealed class HarnessFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the harness is missing.</summary>
    public HarnessFactAttribute()
    {
        if (Harness.Find(null, out var missing) is null)
            Skip = $"the conformance harness is missing ({string.Join("; ", missing)}); install it with: {Harness.InstallCommand}";
    }
}

public class RealKernelTests
{
    // test-livepatch-3 is atomic; code-nop-mid-transition is two-phase: its replace transition is
    // held open by the busy module and what switched and unswitched tasks run is compared.
    [HarnessFact]
    public void Conform_SelftestTwoPhaseAndGeneratedTracesOnTheRealKernel_Agree()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = Cli.Run(
        [
            "conform", "--format", "json", "--jobs", "1", "--traces", "1", "--length", "4", "--seed", "3",
            "--catalog", RepositoryFiles.Full("scenarios/conform/stacking.klp"),
            RepositoryFiles.Full("scenarios/kernel/test-livepatch-3.klp"),
            RepositoryFiles.Full("scenarios/kernel/code-nop-mid-transition.klp"),
        ], stdout, stderr);

        Assert.True(code == ExitCodes.Ok, stdout + stderr.ToString());
        var json = System.Text.Json.JsonDocument.Parse(stdout.ToString()).RootElement;
        Assert.Equal(3, json.GetProperty("summary").GetProperty("traces").GetInt32());
        Assert.Equal(3, json.GetProperty("summary").GetProperty("agree").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("kernel").GetString()));
    }
}
