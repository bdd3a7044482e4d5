using System.Diagnostics;
using Klp.Check.Conformance;

namespace Klp.Check.Tests;

/// <summary>Programs outside .NET that some tests drive (Debian's chromium and graphviz, the dotnet CLI).</summary>
public static class ExternalTools
{
    /// <summary>The full path of the first of these programs found on PATH, or null.</summary>
    public static string? Find(params string[] names)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in names)
            foreach (var dir in dirs)
            {
                var path = Path.Combine(dir, name);
                if (File.Exists(path)) return path;
            }
        return null;
    }

    /// <summary>Runs a program to its end (or kills it after the timeout); returns its exit code and output.</summary>
    /// <param name="file">The program.</param>
    /// <param name="args">Its arguments, each passed as one.</param>
    /// <param name="stdin">Text written to its standard input, or null for none.</param>
    /// <param name="timeoutSeconds">How long it may run.</param>
    /// <param name="workingDirectory">Where it runs (default: the current directory).</param>
    /// <param name="environment">Variables set for it on top of this process's environment.</param>
    public static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, string? stdin = null, int timeoutSeconds = 300, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        return (p.ExitCode, output.Result, error.Result);
    }
}
