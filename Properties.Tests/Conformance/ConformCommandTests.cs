using Klp.Check.Commands;
using Klp.Check.Conformance;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Conformance;

public class ConformCommandTests
{
    [Fact]
    public void Conform_KernelImageMissing_PrintsTheInstallCommandAndExitsUnavailable()
    {
        var (code, output, err) = Run("conform", "--kernel", "/nonexistent/vmlinuz-0.0.0", RepositoryFiles.Full("scenarios/kernel/test-livepatch-1.klp"));

        Assert.Equal(ExitCodes.Unavailable, code);
        Assert.Equal(4, code);
        Assert.Contains("no kernel image at /nonexistent/vmlinuz-0.0.0 (package linux-image-amd64)", err);
        Assert.Contains(Harness.InstallCommand, err);
        Assert.Equal("", output);
    }

    [Fact]
    public void Conform_NoInput_ExitsTwo()
    {
        var (code, _, err) = Run("conform");

        Assert.Equal(2, code);
        Assert.Contains("give scenario files or folders, --catalog FILE, or both", err);
    }

    [Fact]
    public void Conform_CatalogTheHarnessCannotRealise_ExitsTwoBeforeLookingForTheKernel()
    {
        var path = Path.Combine(Path.GetTempPath(), $"klp-{Guid.NewGuid():N}.klp");
        File.WriteAllText(path, "patch a states={1:v1:block_disable}\n");

        var (code, _, err) = Run("conform", "--kernel", "/nonexistent/vmlinuz-0", "--catalog", path);

        Assert.Equal(2, code);
        Assert.Equal($"{path}:1:1: the harness cannot realise this catalog: patch 'a' declares a block_disable state, which upstream's struct klp_state does not have", err.Trim());
    }

    [Fact]
    public void Conform_BadScenarioFile_ExitsTwoWithItsPosition()
    {
        var path = Path.Combine(Path.GetTempPath(), $"klp-{Guid.NewGuid():N}.klp");
        File.WriteAllText(path, "patch a\nload b\n");

        var (code, _, err) = Run("conform", "--kernel", "/nonexistent/vmlinuz-0", path);

        Assert.Equal(2, code);
        Assert.StartsWith($"{path}:2:", err);
    }

    [Theory]
    [InlineData("--traces", "0", "--traces takes a whole number of at least 1, not '0'")]
    [InlineData("--length", "-1", "--length takes a whole number of at least 1, not '-1'")]
    [InlineData("--traces", "abc", "--traces takes a whole number of at least 1, not 'abc'")]
    [InlineData("--seed", "-1", "--seed takes a whole number of at least 0, not '-1'")]
    [InlineData("--jobs", "0", "--jobs takes a whole number from 1 to 1024, not '0'")]
    public void Conform_BadNumber_ExitsTwoWithOneLineNamingTheRange(string option, string value, string message)
    {
        var (code, _, err) = Run("conform", "--catalog", RepositoryFiles.Full("scenarios/conform/mixed.klp"), option, value);

        Assert.Equal(2, code);
        Assert.Equal($"klp-check: {message} (see klp-check --help)", err.TrimEnd());
        Assert.DoesNotContain("System.", err);
    }

    [Fact]
    public void Conform_BootTimeoutBelowOne_ExitsTwo()
    {
        var (code, _, err) = Run("conform", "--boot-timeout", "0", RepositoryFiles.Full("scenarios/kernel/test-livepatch-1.klp"));

        Assert.Equal(2, code);
        Assert.Contains("--boot-timeout takes a whole number from 1 to 86400, not '0'", err);
    }

    [Fact]
    public void Conform_HeadersWithoutAnImage_ExitsTwo()
    {
        var (code, _, err) = Run("conform", "--headers", "/tmp", RepositoryFiles.Full("scenarios/kernel/test-livepatch-1.klp"));

        Assert.Equal(2, code);
        Assert.Contains("--headers goes with --kernel IMAGE", err);
    }

    [Fact]
    public void Conform_TwoPhaseCatalogWithMorePatchesThanBusyFunctions_ExitsTwoBeforeLookingForTheKernel()
    {
        var path = Path.Combine(Path.GetTempPath(), $"klp-{Guid.NewGuid():N}.klp");
        File.WriteAllText(path, string.Concat(Enumerable.Range(0, 17).Select(k => $"patch p{k} funcs={{cmdline_proc_show}}\n")));

        var (code, _, err) = Run("conform", "--kernel", "/nonexistent/vmlinuz-0", "--mode", "two-phase", "--catalog", path);

        Assert.Equal(2, code);
        Assert.Equal($"{path}:1:1: the harness cannot hold this catalog's transitions open: the catalog has 17 patches; the busy module has functions for 16", err.Trim());
    }

    [Fact]
    public void Conform_KernelAllWithHeaders_ExitsTwo()
    {
        var (code, _, err) = Run("conform", "--kernel", "all", "--headers", "/tmp", RepositoryFiles.Full("scenarios/kernel/test-livepatch-1.klp"));

        Assert.Equal(2, code);
        Assert.Contains("--headers goes with --kernel IMAGE", err);
    }
}
