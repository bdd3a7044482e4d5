using System.Text.Json.Nodes;
using Klp.Check.Commands;
using Klp.Check.Conformance;
using Klp.Check.Explore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;

namespace Klp.Check.Tests.Explore;

/// <summary>The explorer's request pipeline in Microsoft.AspNetCore.Mvc.Testing's test server, exactly as <c>klp-check explore</c> installs it.</summary>
/// <param name="setup">What the explorer serves.</param>
public sealed class ExploreFactory(ExploreSetup setup) : WebApplicationFactory<ExploreApi>
{
    /// <summary>What the server reported (unexpected failures).</summary>
    public StringWriter Log { get; } = new();

    /// <inheritdoc/>
    protected override IHostBuilder CreateHostBuilder() =>
        new HostBuilder().ConfigureWebHost(web => web.Configure(app => ExploreServer.Configure(app, setup, Log)));
}

/// <summary>What the explorer tests share: the setups the command line builds, the reference replays.</summary>
public static class ExploreFixtures
{
    /// <summary>Joe's Wed-Tue timeline.</summary>
    public const string Joe = "scenarios/thread/joe-timeline-tuesday-set2.klp";

    /// <summary>Its catalog's id in the explorer.</summary>
    public const string JoeId = "thread/joe-timeline-tuesday-set2";

    /// <summary>What <c>klp-check explore</c> serves without arguments.</summary>
    public static ExploreSetup Shipped { get; } = ExploreCommand.Setup(null, null, null, null, TextWriter.Null)!;

    /// <summary>The <c>results</c> of every step of <c>klp-check replay --format json</c> on a scenario file: per step (from 1), per reading, the outcome and the state.</summary>
    public static List<JsonArray> ReplaySteps(string file, string? mode, params string[] readings)
    {
        var args = new List<string> { "replay", "--format", "json" };
        foreach (var r in readings) args.AddRange(["--reading", r]);
        if (mode is not null) args.AddRange(["--mode", mode]);
        args.Add(file);
        var (_, output, err) = CliRunner.Run([.. args]);
        var doc = JsonNode.Parse(output) ?? throw new InvalidOperationException(err);
        return [.. doc["scenarios"]![0]!["steps"]!.AsArray().Select(s => s!["results"]!.AsArray())];
    }

    /// <summary>Downloads a scenario from <c>/api/scenario</c>, asserts that <c>klp-check replay</c> reproduces it with every expectation holding, and returns it with its answer.</summary>
    public static async Task<(string Text, System.Net.Http.Headers.HttpContentHeaders Headers)> AssertSavedScenarioReplays(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        var (code, output, err) = CliRunner.Run("replay", Temp(text));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.True(code == 0, err + text);
        Assert.Contains("all hold", output);
        return (text, response.Content.Headers);
    }

    /// <summary>A scenario file with this text, in a folder of its own.</summary>
    public static string Temp(string text, string name = "scenario.klp")
    {
        var dir = Directory.CreateTempSubdirectory("klp-explore").FullName;
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
