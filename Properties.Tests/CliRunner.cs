using Klp.Check.Commands;

namespace Klp.Check.Tests;

/// <summary>Runs <c>klp-check</c> in process, as a user would from the shell.</summary>
public static class CliRunner
{
    /// <summary>The exit code and everything the command wrote to stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = Cli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
