
namespace Klp.Check.Tests.ScaleOut;

/// <summary>What a recipe script did: its exit code, its output, and every call of a stand-in program in order.</summary>
/// <param name="Code">The exit code of the shell.</param>
/// <param name="Out">What it wrote to stdout.</param>
/// <param name="Err">What it wrote to stderr.</param>
/// <param name="Calls">Each call of a stand-in: the program's name, then its arguments.</param>
public sealed record ScriptRun(int Code, string Out, string Err, IReadOnlyList<string[]> Calls)
{
    /// <summary>The arguments of every call of the stand-in <paramref name="program"/>.</summary>
    public IEnumerable<string[]> Of(string program) => Calls.Where(c => c[0] == program).Select(c => c[1..]);
}

/// <summary>A temporary folder to run recipe scripts in, with stand-ins for the programs they call.</summary>
/// <remarks>
/// A stand-in is a small <c>sh</c> script that logs its name and arguments and exits with
/// <c>STAND_IN_EXIT</c> (default 0); the stand-in for <c>klp-check</c> runs the built tool
/// (<c>dotnet klp-check.dll</c>) instead when <see cref="Run"/> is given it.
/// </remarks>
public sealed class ScriptSandbox : IDisposable
{
    private readonly string calls;

    /// <summary>Creates the folder with stand-ins for <paramref name="programs"/> in <see cref="Bin"/>.</summary>
    public ScriptSandbox(params string[] programs)
    {
        Root = Directory.CreateTempSubdirectory("klp-scale-out").FullName;
        Bin = Path.Combine(Root, "bin");
        calls = Path.Combine(Root, "calls");
        File.WriteAllText(calls, "");
        foreach (var program in programs) AddStandIn(Bin, program);
    }

    /// <summary>The folder.</summary>
    public string Root { get; }

    /// <summary>The folder that stands for the recipes' RESULTS: the workspace's results folder, the shared volume.</summary>
    public string Results => Path.Combine(Root, "results");

    /// <summary>The folder of the stand-ins, first on the PATH of every run.</summary>
    public string Bin { get; }

    /// <summary>Writes a stand-in for <paramref name="program"/> into <paramref name="folder"/>.</summary>
    public void AddStandIn(string folder, string program)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, program);
        File.WriteAllText(path, """
            #!/bin/sh
            { printf '%s' "${0##*/}"; for a in "$@"; do printf '\037%s' "$a"; done; printf '\n'; } >> "$STAND_IN_CALLS"
            if [ "${0##*/}" = klp-check ] && [ -n "${KLP_CHECK_DLL:-}" ]; then exec "$KLP_CHECK_DOTNET" "$KLP_CHECK_DLL" "$@"; fi
            exit "${STAND_IN_EXIT:-0}"

            """.Replace("\r", ""));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Runs the <c>run</c> script of a workflow step as a GitHub runner does with <c>shell: bash</c> (<c>bash --noprofile --norc -eo pipefail {0}</c>); the arguments after the script are those of <see cref="Run"/>.</summary>
    public ScriptRun RunBashStep(string script, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null, int exit = 0, bool tool = false)
    {
        var path = Path.Combine(Root, "step.sh");
        File.WriteAllText(path, script);
        return Run(["bash", "--noprofile", "--norc", "-eo", "pipefail", path], environment, workingDirectory, exit, tool);
    }

    /// <summary>Runs a command (a shell and its script) with <paramref name="environment"/> and the stand-ins first on PATH.</summary>
    /// <param name="command">The program and its arguments, e.g. <c>sh -c SCRIPT</c>.</param>
    /// <param name="environment">Variables set for the run.</param>
    /// <param name="workingDirectory">Where it runs (default: the sandbox).</param>
    /// <param name="exit">The exit code of every stand-in.</param>
    /// <param name="tool">When true, the stand-in for <c>klp-check</c> runs the built tool.</param>
    public ScriptRun Run(string[] command, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null, int exit = 0, bool tool = false)
    {
        var shell = ExternalTools.Find(command[0]) ?? throw new InvalidOperationException($"{command[0]} is not on PATH");
        var env = new Dictionary<string, string>(environment, StringComparer.Ordinal)
        {
            ["PATH"] = Bin + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH"),
            ["STAND_IN_CALLS"] = calls,
            ["STAND_IN_EXIT"] = exit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (tool)
        {
            env["KLP_CHECK_DOTNET"] = ExternalTools.Find("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH");
            env["KLP_CHECK_DLL"] = BuiltTool;
        }
        File.WriteAllText(calls, "");
        var (code, output, error) = ExternalTools.Run(shell, command[1..], workingDirectory: workingDirectory ?? Root, environment: env);
        var logged = File.ReadAllText(calls).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\u001f')).ToList();
        return new ScriptRun(code, output, error, logged);
    }

    /// <summary>The klp-check the tests were built with.</summary>
    public static string BuiltTool => Path.Combine(AppContext.BaseDirectory, "klp-check.dll");

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process a timeout killed may still hold a file; the folder is temporary.
        }
    }
}
