using System.Diagnostics;
using System.Text.RegularExpressions;
using Klp.Check.Conformance;

namespace Klp.Check.Tests.Export;

/// <summary>Runs SPIN on a Promela model: <c>spin -a</c>, gcc on the generated verifier, then the verifier itself.</summary>
public static partial class Spin
{
    /// <summary>Why SPIN cannot run here (a tool missing from PATH), or null.</summary>
    public static string? Missing { get; } = FindMissing();

    private static string? FindMissing()
    {
        var absent = new[] { "spin", "gcc" }.Where(tool => !OnPath(tool)).ToList();
        return absent.Count == 0 ? null : $"{string.Join(" and ", absent)} not on PATH (Debian: apt-get install spin gcc)";
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));

    /// <summary>The "states, stored" SPIN reports for an exhaustive search of <paramref name="promela"/>.</summary>
    /// <remarks>Compiled without optimisation (these models are small, so compiling costs more than searching), as a safety search without partial-order reduction.</remarks>
    public static long StoredStates(string promela)
    {
        var dir = Directory.CreateTempSubdirectory("klp-spin").FullName;
        try
        {
            return StoredStates(promela, dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>As <see cref="StoredStates(string)"/>, in <paramref name="dir"/>, which is left as the tools left it (model.pml, pan.c, pan and whatever they wrote).</summary>
    public static long StoredStates(string promela, string dir)
    {
        File.WriteAllText(Path.Combine(dir, "model.pml"), promela);
        Run(dir, "spin", "-a", "model.pml");
        Run(dir, "gcc", "-O0", "-DSAFETY", "-DNOREDUCE", "-DMEMLIM=1024", "-o", "pan", "pan.c");
        var output = Run(dir, Path.Combine(dir, "pan"), "-m1000000", "-w20");
        Assert.DoesNotContain("max search depth too small", output);
        var m = StoredLine().Match(output);
        Assert.True(m.Success, "pan printed no \"states, stored\":\n" + output);
        return long.Parse(m.Groups[1].Value);
    }

    private static string Run(string dir, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(" ", args)} exited {p.ExitCode}:\n{stdout}\n{stderr.Result}");
        return stdout;
    }

    [GeneratedRegex(@"^\s*(\d+) states, stored", RegexOptions.Multiline)]
    private static partial Regex StoredLine();
}

/// <summary>A fact that is skipped, with the reason, when SPIN or gcc is not installed.</summary>
public sealed class SpinFactAttribute : FactAttribute
{
    /// <summary>Marks the test, skipping it when <see cref="Spin.Missing"/> says why it cannot run.</summary>
    public SpinFactAttribute()
    {
        if (Spin.Missing is { } why) Skip = why;
    }
}

/// <summary>A theory that is skipped, with the reason, when SPIN or gcc is not installed.</summary>
public sealed class SpinTheoryAttribute : TheoryAttribute
{
    /// <summary>Marks the test, skipping it when <see cref="Spin.Missing"/> says why it cannot run.</summary>
    public SpinTheoryAttribute()
    {
        if (Spin.Missing is { } why) Skip = why;
    }
}
