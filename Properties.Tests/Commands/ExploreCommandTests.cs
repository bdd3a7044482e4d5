using System.Net.Sockets;
using System.Net;
using Klp.Check.Conformance;
using Klp.Check.Tests.Explore;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Commands;

public class ExploreCommandTests
{
    [Theory]
    [InlineData("--catalog,a.klp,--plan,b.plan", "klp-check: give at most one of --catalog, --plan")]
    [InlineData("--catalog,/nonexistent/joe.klp", "/nonexistent/joe.klp:1:1: cannot read file")]
    [InlineData("--plan,/nonexistent/p.plan", "/nonexistent/p.plan:1:1: cannot read file")]
    [InlineData("--reading,nope", "klp-check: --reading: unknown reading 'nope'")]
    [InlineData("--port,70000", "--port takes a whole number from 0 to 65535, not '70000'")]
    [InlineData("--port,-1", "--port takes a whole number from 0 to 65535, not '-1'")]
    public void Explore_BadArgument_OneLineExitTwoBeforeListening(string args, string message)
    {
        var (code, output, err) = Run(["explore", .. args.Split(',')]);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.Contains(message, err);
    }

    [Fact]
    public void Explore_MalformedCatalog_FileLineColumnExitTwo()
    {
        var file = ExploreFixtures.Temp("patch a\nload b\n");

        var (code, output, err) = Run("explore", "--catalog", file, "--port", "0");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith($"{file}:2:", err);
    }

    [Fact]
    public void Explore_PortInUse_OneLineExitTwo()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (code, output, err) = Run("explore", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"klp-check: explore: cannot listen on 127.0.0.1:{port}:", err);
    }

    [SkippableTheory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Explore_ThreadTimelineWithThreeReadings_ListensOnLoopbackOnlyAndStopsOnSignal(string signal)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the listening sockets are read from /proc (Linux)");
        Skip.If(ExternalTools.Find("dotnet") is null, "the dotnet CLI is not on PATH");
        using var explore = ExploreProcess.Start("--catalog", RepositoryFiles.Full(ExploreFixtures.Joe),
            "--reading", "positional", "--reading", "flat", "--reading", "set", "--port", "0");
        var port = explore.Url.Port;

        var sockets = explore.ListeningSockets();
        using var client = new HttpClient { BaseAddress = explore.Url };
        var page = await client.GetStringAsync("/api/view");
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/view");
        rebound.Headers.Host = $"localhost:{port + 1}";
        using var refused = await client.SendAsync(rebound);
        var (code, output, err) = explore.Stop(signal);

        Assert.Equal("127.0.0.1", explore.Url.Host);
        Assert.NotEqual(0, port);
        Assert.Equal([$"tcp 127.0.0.1:{port}"], sockets);
        Assert.Contains("\"id\":\"joe-timeline-tuesday-set2\"", page);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(0, code);
        Assert.Contains("readings: positional, flat, set", output);
        Assert.EndsWith("klp-check explore: stopped\n", output.Replace("\n\n", "\n"));
        Assert.Equal("", err.Trim());
    }
}
