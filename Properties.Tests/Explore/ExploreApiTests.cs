using System.Net;
using System.Text.Json.Nodes;
using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Equivalence;
using Klp.Check.Explore;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;
using static Klp.Check.Tests.Explore.ExploreFixtures;

namespace Klp.Check.Tests.Explore;

/// <summary>The explorer's HTTP API, hosted by Microsoft.AspNetCore.Mvc.Testing.</summary>
public sealed class ExploreApiTests : IClassFixture<ExploreApiTests.Host>, IDisposable
{
    /// <summary>One test server for the class: what <c>klp-check explore</c> serves without arguments.</summary>
    public sealed class Host : IDisposable
    {
        /// <summary>The server.</summary>
        public ExploreFactory Factory { get; } = new(Shipped);

        /// <inheritdoc/>
        public void Dispose() => Factory.Dispose();
    }

    private readonly Host host;
    private readonly HttpClient client;

    public ExploreApiTests(Host host)
    {
        this.host = host;
        client = host.Factory.CreateClient();
    }

    public void Dispose()
    {
        client.Dispose();
        // Nothing the tests sent is a server failure.
        Assert.Equal("", host.Factory.Log.ToString());
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> Get(string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!);
    }

    private static string Joined(IEnumerable<string> tokens) => string.Join(",", tokens);

    // Joe's timeline as the URL writes it.
    private static readonly string[] joeTrace = ["load:klp-1a", "load:klp-1b", "load:klp-1c", "load:klp-2a", "load:klp-2b"];

    /// <summary>A view's outcome of a step and the state after it, one object per column, in the shape of replay's <c>results</c>.</summary>
    private static List<JsonObject> Columns(JsonNode view)
    {
        var steps = view["steps"]!.AsArray();
        var states = view["state"]!.AsArray();
        var list = new List<JsonObject>();
        for (var k = 0; k < states.Count; k++)
        {
            var merged = new JsonObject();
            foreach (var (key, value) in steps[^1]!["results"]![k]!.AsObject())
                if (key != "summary") merged[key] = value?.DeepClone();
            foreach (var (key, value) in states[k]!.AsObject())
                if (key != "reading") merged[key] = value?.DeepClone();
            list.Add(merged);
        }
        return list;
    }

    [Theory]
    [InlineData("atomic")]
    [InlineData("two-phase")]
    public async Task View_JoeTimelineStepByStep_ShowsWhatReplayReports(string mode)
    {
        var expected = ReplaySteps(RepositoryFiles.Full(Joe), mode, "positional", "flat", "set");

        for (var k = 1; k <= joeTrace.Length; k++)
        {
            var (status, view) = await Get($"/api/view?c={JoeId}&r=positional&r=flat&r=set&m={mode}&t={Joined(joeTrace.Take(k))}");

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(k, view["steps"]!.AsArray().Count);
            var columns = Columns(view);
            Assert.Equal(3, columns.Count);
            for (var r = 0; r < 3; r++)
                Assert.True(JsonNode.DeepEquals(expected[k - 1][r], columns[r]), $"step {k}, column {r}:\nreplay  {expected[k - 1][r]!.ToJsonString()}\nexplore {columns[r].ToJsonString()}");
        }
    }

    [Fact]
    public async Task View_NoParameters_ShowsTheDefaultCatalogUnderPositionalFlatSet()
    {
        var (status, view) = await Get("/api/view");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(JoeId, (string?)view["catalog"]!["id"]);
        Assert.Equal(["positional", "flat", "set"], view["readings"]!.AsArray().Select(r => (string?)r!["display"]));
        Assert.Equal("atomic", (string?)view["mode"]);
        Assert.Equal(["klp-1a", "klp-1b", "klp-1c", "klp-2a", "klp-2b"], view["catalog"]!["patches"]!.AsArray().Select(p => (string?)p!["name"]));
        Assert.Equal(Joined(joeTrace), (string?)view["catalog"]!["timeline"]);
    }

    [Fact]
    public async Task Catalogs_Listed_AreTheThreadScenariosWithJoesFirst()
    {
        var (_, body) = await Get("/api/catalogs");

        var ids = body["catalogs"]!.AsArray().Select(c => (string)c!["id"]!).ToList();
        var files = RepositoryFiles.Scenarios("scenarios/thread").Select(f => "thread/" + Path.GetFileNameWithoutExtension(f));
        Assert.Equal(files.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        Assert.Equal(JoeId, ids[0]);
        Assert.Equal(JoeId, (string?)body["default"]);
        Assert.Equal(["positional", "flat", "set"], body["columns"]!.AsArray().Select(r => (string?)r));
        Assert.Equal(Readings.All.Count, body["readings"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("c=nope", "unknown catalog 'nope'")]
    [InlineData("c=../../etc/passwd", "unknown catalog '../../etc/passwd'")]
    [InlineData("c=" + JoeId + "&t=load:nope", "trace step 1 ('load:nope'): unknown patch 'nope'")]
    [InlineData("c=" + JoeId + "&t=load:klp-1a,,complete", "trace step 2 (''): unknown operation")]
    [InlineData("c=" + JoeId + "&t=load:klp-1a,fly:klp-1a", "trace step 2 ('fly:klp-1a'): unknown operation")]
    [InlineData("c=" + JoeId + "&t=load:klp-1a:x", "add_sets takes set numbers")]
    [InlineData("c=" + JoeId + "&t=load:klp-1a:1:2", "expected load:NAME or load:NAME:S.S")]
    [InlineData("c=" + JoeId + "&t=complete:klp-1a", "complete takes no patch")]
    [InlineData("c=" + JoeId + "&t=disable", "expected disable:NAME")]
    [InlineData("c=" + JoeId + "&t=load:klp-1a:99999999999", "add_sets takes set numbers")]
    [InlineData("r=my.proposal", "unknown reading 'my.proposal'")]
    [InlineData("r=/etc/passwd", "unknown reading '/etc/passwd'")]
    [InlineData("r=flat(isolation=sideways)", "isolation")]
    [InlineData("r=flat&r=flat", "reading 'flat' is named twice")]
    [InlineData("m=slow", "unknown mode 'slow'")]
    [InlineData("c=a&c=b", "parameter 'c' is given 2 times")]
    public async Task View_BadInput_Answers400WithAMessage(string query, string message)
    {
        var (status, body) = await Get("/api/view?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, (string)body["error"]!);
    }

    [Fact]
    public async Task View_TooLongTrace_Answers400()
    {
        var (status, body) = await Get($"/api/view?t={Joined(Enumerable.Repeat("complete", UrlTrace.MaxOperations + 1))}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"more than {UrlTrace.MaxOperations}", (string)body["error"]!);
    }

    [Fact]
    public async Task View_ArbitraryTraceText_AnswersOkOr400NeverAServerError()
    {
        var tokens = new[] { "load:klp-1a", "load:klp-2a:3", "complete", "force:klp-1b", "disable:", ":", "load", "%", "%2C", "load:klp-1a:1.", "unload:klp-9", "\u00e9", "reverse", "force" };
        var random = new Random(28);
        for (var i = 0; i < 200; i++)
        {
            var parts = Enumerable.Range(0, random.Next(0, 8)).Select(_ => tokens[random.Next(tokens.Length)]);
            var separator = random.Next(3) == 0 ? ";" : ",";
            var trace = Uri.EscapeDataString(string.Join(separator, parts));

            using var response = await client.GetAsync($"/api/view?m=two-phase&t={trace}");

            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{trace}: {response.StatusCode}");
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.True(response.StatusCode == HttpStatusCode.OK || body["error"] is not null);
        }
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:8101")]
    [InlineData("localhost.evil.example")]
    [InlineData("127.0.0.2")]
    public async Task AnyPath_HostNotLoopback_Refused(string hostHeader)
    {
        foreach (var path in new[] { "/", "/api/view", "/explore.js" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = hostHeader;

            using var response = await client.SendAsync(request);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("is not this server's loopback address", (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!);
        }
    }

    [Fact]
    public async Task Api_RequestFromAnotherSite_Refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/properties?r=flat");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AnyPath_NotGet_Answers405()
    {
        using var response = await client.PostAsync("/api/view", new StringContent(""));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task UnknownPath_Answers404()
    {
        var (status, body) = await Get("/api/nothing");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("no endpoint /api/nothing", (string)body["error"]!);
    }

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/explore.js", "text/javascript")]
    [InlineData("/explore.css", "text/css")]
    [InlineData("/api/view?t=bad", "application/json")]
    public async Task AnyAnswer_CarriesTheStrictPolicy(string path, string type)
    {
        using var response = await client.GetAsync(path);

        Assert.Equal(ExploreServer.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.StartsWith(type, response.Content.Headers.ContentType!.ToString());
        Assert.DoesNotContain("unsafe", ExploreServer.ContentSecurityPolicy);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/explore.js")]
    [InlineData("/explore.css")]
    public async Task Assets_FetchNothingFromTheNetwork(string path)
    {
        var text = await client.GetStringAsync(path);

        Assert.DoesNotContain("http://", text);
        Assert.DoesNotContain("https://", text);
        Assert.DoesNotContain("innerHTML", text);
        Assert.DoesNotContain("insertAdjacentHTML", text);
    }

    [Fact]
    public async Task Scenario_JoeTimeline_ReplaysWithEveryExpectationHolding()
    {
        var (text, headers) = await AssertSavedScenarioReplays(client, $"/api/scenario?c={JoeId}&r=positional&r=flat&r=set&t={Joined(joeTrace)}");

        Assert.Equal("attachment", headers.ContentDisposition!.DispositionType);
        Assert.Equal("joe-timeline-tuesday-set2-explored.klp", headers.ContentDisposition.FileNameStar);
        Assert.Contains("expect set: refused EINVAL partial-set-overlap", text);
        Assert.Contains("expect positional, flat, set: accepted replaces {klp-1a, klp-1c}", text);
        Assert.Contains("expect flat: accepted replaces {klp-2a}", text);
    }

    [Theory]
    [InlineData(JoeId, "load:klp-1a,complete,load:klp-2a,reverse,force,load:klp-1b,complete,disable:klp-1b,complete,unload:klp-1b,load:klp-2a,complete")]
    [InlineData("thread/customer-vs-vendor-add-sets", "load:cust-tcp,load:klp-1a:3,complete,load:klp-2a:7.9,complete,load:klp-2a")]
    [InlineData("thread/downgrade-block-disable", "load:klp-5a,complete,load:klp-3a,disable:klp-5a,complete,force:klp-5a")]
    public async Task Scenario_TwoPhaseTraceUnderEveryReading_ReplaysWithEveryExpectationHolding(string catalog, string trace)
    {
        var readings = string.Concat(Readings.All.Select(r => "&r=" + r.Name));

        var (text, _) = await AssertSavedScenarioReplays(client, $"/api/scenario?c={catalog}{readings}&m=two-phase&t={trace}");

        Assert.Contains("mode two-phase", text);
    }

    [Fact]
    public async Task Scenario_UnknownGroup_Answers400()
    {
        var (status, body) = await Get($"/api/scenario?c={JoeId}&g=1");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("unknown group '1'", (string)body["error"]!);
    }

    [Fact]
    public async Task Properties_Flat_AreTheCheckersVerdictsOnTheCatalog()
    {
        var catalog = Shipped.Find(JoeId)!;
        var expected = Verifier.Run(catalog.Source(), Readings.Flat, PropertyRegistry.All, new ExploreLimits(), threads: 1);

        var (status, body) = await Get($"/api/properties?c={JoeId}&r=flat");

        Assert.Equal(HttpStatusCode.OK, status);
        var properties = body["properties"]!.AsArray();
        Assert.Equal(expected.Verdicts.Select(v => v.Property.Id), properties.Select(p => (string?)p!["id"]));
        Assert.Equal(expected.Verdicts.Select(v => v.Word), properties.Select(p => (string?)p!["verdict"]));
        Assert.Equal(expected.Verdicts.Select(v => v.Trace is null ? null : UrlTrace.Format(v.Catalog!, v.Trace)), properties.Select(p => (string?)p!["trace"]));
        Assert.Contains(properties, p => ((string)p!["verdict"]!).StartsWith("violated", StringComparison.Ordinal));
        Assert.Contains("explored exhaustively", (string)body["scope"]!);
    }

    [Fact]
    public async Task Properties_TwoReadings_Answers400()
    {
        var (status, body) = await Get($"/api/properties?c={JoeId}&r=flat&r=set");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("exactly one reading", (string)body["error"]!);
    }

    [Fact]
    public async Task Differ_PositionalAndFlat_IsTheLockstepShortestTrace()
    {
        var catalog = Shipped.Find(JoeId)!.Scenario!.Catalog;
        var expected = new Lockstep().Run([catalog, catalog], [Readings.Positional, Readings.Flat], Observed.All).Divergence!;

        var (status, body) = await Get($"/api/differ?c={JoeId}&r=positional&r=flat");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True((bool)body["found"]!);
        Assert.Equal(UrlTrace.Format(catalog, expected.Trace), (string?)body["trace"]);
        Assert.Equal(ObservedText.Format(expected.Differs), body["differs"]!.AsArray().Select(d => (string?)d));
    }

    [Fact]
    public async Task Differ_OneReading_Answers400()
    {
        var (status, body) = await Get($"/api/differ?c={JoeId}&r=flat");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("two or more readings", (string)body["error"]!);
    }

    [Fact]
    public async Task Differ_SameReadingTwiceWithAnOptionThatChangesNothing_FindsNoTrace()
    {
        // function-identity matters only for sympos 1 against 0, which Joe's catalog never writes.
        var (status, body) = await Get($"/api/differ?c={JoeId}&r=flat&r=flat(function-identity=exact)");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False((bool)body["found"]!);
        Assert.Contains("no trace tells these readings apart", (string)body["scope"]!);
    }
}
