using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Text;

namespace Klp.Check.Tests.Explore;

/// <summary><c>klp-check explore</c> run as its own process, as a user starts it: the built tool under <c>dotnet</c>.</summary>
public sealed partial class ExploreProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output;
    private readonly StringBuilder errors;

    private ExploreProcess(Process process, Uri url, StringBuilder output, StringBuilder errors)
    {
        this.process = process;
        this.output = output;
        this.errors = errors;
        Url = url;
    }

    /// <summary>The URL the tool printed.</summary>
    public Uri Url { get; }

    /// <summary>The process id.</summary>
    public int Id => process.Id;

    /// <summary>Starts the tool with these arguments after <c>explore</c> and waits for the URL it prints.</summary>
    public static ExploreProcess Start(params string[] args)
    {
        var dotnet = ExternalTools.Find("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH");
        // SIGINT must reach the tool even when the test runner was started with it ignored (a
        // background job of a shell): perl puts the default disposition back before exec.
        var perl = ExternalTools.Find("perl");
        var info = new ProcessStartInfo(perl ?? dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (perl is not null)
            foreach (var a in new[] { "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"", dotnet }) info.ArgumentList.Add(a);
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "klp-check.dll"));
        info.ArgumentList.Add("explore");
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(info)!;
        var output = new StringBuilder();
        var errors = new StringBuilder();
        var first = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            first.TrySetResult(e.Data);
        };
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!first.Task.Wait(TimeSpan.FromSeconds(60)) || first.Task.Result is not { } line || UrlLine().Match(line) is not { Success: true } m)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (errors) throw new InvalidOperationException($"explore printed no URL: '{(first.Task.IsCompleted ? first.Task.Result : "")}' {errors}");
        }
        var started = new ExploreProcess(process, new Uri(m.Groups[1].Value), output, errors);
        return started;
    }

    [GeneratedRegex(@"^klp-check explore: (http://\S+)$")]
    private static partial Regex UrlLine();

    /// <summary>Sends a signal (INT for Ctrl-C, TERM) and waits for the tool to end: its exit code, stdout and stderr.</summary>
    public (int Code, string Out, string Err) Stop(string signal)
    {
        var kill = ExternalTools.Find("kill") ?? throw new InvalidOperationException("kill is not on PATH");
        ExternalTools.Run(kill, [$"-{signal}", Id.ToString(CultureInfo.InvariantCulture)]);
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"explore did not stop on SIG{signal}");
        }
        process.WaitForExit();
        lock (output) lock (errors) return (process.ExitCode, output.ToString(), errors.ToString());
    }

    /// <summary>The TCP and UDP sockets the process listens on or has bound, as <c>ADDRESS:PORT</c>, from /proc (Linux).</summary>
    public IReadOnlyList<string> ListeningSockets()
    {
        var inodes = new HashSet<string>();
        foreach (var fd in Directory.EnumerateFiles($"/proc/{Id}/fd"))
            if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                inodes.Add(target["socket:[".Length..^1]);
        var found = new List<string>();
        foreach (var table in new[] { "tcp", "tcp6", "udp", "udp6" })
        {
            var path = $"/proc/{Id}/net/{table}";
            if (!File.Exists(path)) continue;
            foreach (var row in File.ReadLines(path).Skip(1))
            {
                var f = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // Columns: sl local_address rem_address st ... inode (the tenth).
                var listening = table.StartsWith("udp", StringComparison.Ordinal) || f[3] == "0A";
                if (listening && inodes.Contains(f[9])) found.Add(table + " " + Address(f[1]));
            }
        }
        return found;
    }

    // "0100007F:1F95" is 127.0.0.1:8085: the address in the machine's byte order, the port in hex.
    private static string Address(string hex)
    {
        var (ip, port) = (hex[..hex.IndexOf(':')], int.Parse(hex[(hex.IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        var bytes = Convert.FromHexString(ip);
        for (var i = 0; i < bytes.Length; i += 4) Array.Reverse(bytes, i, 4);
        return $"{new System.Net.IPAddress(bytes)}:{port}";
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
