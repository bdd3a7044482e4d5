using System.Diagnostics;

namespace Klp.Check.Benchmarks;

/// <summary>Runs a report the way klp-check runs its code: with tiered compilation off.</summary>
/// <remarks>
/// klp-check's runtime configuration turns tiered compilation off; this project's keeps the
/// runtime's default for BenchmarkDotNet. With it on, the explorer's level loops run as code
/// replaced on the stack while they run, which times differently from the tool's
/// (docs/performance.md, "What sharing one graph allows here"). A report started
/// with it on therefore runs again in a child process with <c>DOTNET_TieredCompilation=0</c>,
/// its output and exit code passed on.
/// </remarks>
public static class ReportProcess
{
    /// <summary>Whether this process compiles in tiers (the variable that turns it off is not set to 0).</summary>
    public static bool Tiered => Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") != "0";

    /// <summary>Runs this program again, with the same arguments and tiered compilation off; its exit code.</summary>
    public static int RunUntiered()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown");
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        var command = Environment.GetCommandLineArgs();
        // Under `dotnet Klp.Check.Benchmarks.dll`, the host takes the assembly first; the program's
        // own executable takes only the arguments.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(command[0]);
        foreach (var a in command.Skip(1)) start.ArgumentList.Add(a);
        start.Environment["DOTNET_TieredCompilation"] = "0";
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"{host} did not start");
        child.WaitForExit();
        return child.ExitCode;
    }
}
