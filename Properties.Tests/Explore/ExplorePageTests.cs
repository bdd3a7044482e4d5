using System.Text.Json.Nodes;
using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Equivalence;
using Klp.Check.Explore;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;
using PuppeteerSharp;
using static Klp.Check.Tests.Explore.ExploreFixtures;

namespace Klp.Check.Tests.Explore;

/// <summary>The explorer's page in headless Chromium, driven by clicks as a user drives it.</summary>
public sealed class ExplorePageTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    // Reads back from the page what each column shows, in the shape of replay's JSON results: the
    // outcome of the last step and every observable after it.
    private const string ShownColumns = """
        () => [...document.querySelectorAll('section.column')].map((col) => {
          const texts = (root, selector) => [...root.querySelectorAll(selector)].map((e) => e.textContent);
          const code = (text) => (text === 'original' ? null : text);
          const outcome = col.querySelector('.outcome');
          const accepted = outcome.classList.contains('initial') ? null : outcome.classList.contains('accepted');
          const r = { reading: col.dataset.reading, accepted };
          r.errno = accepted === false ? outcome.querySelector('.errno').textContent : null;
          r.reason = accepted === false ? outcome.querySelector('.reason').textContent : null;
          r.affected = texts(outcome, '.affected li');
          r.enabled = texts(col, 'ol.enabled > li > .name');
          r.patches = texts(col, 'ol.patches > li > .name');
          r.occupied = {};
          for (const li of col.querySelectorAll('ol.enabled > li')) {
            const sets = li.querySelector('.sets');
            r.occupied[li.querySelector('.name').textContent] = sets ? JSON.parse('[' + sets.textContent.slice(1, -1) + ']') : [];
          }
          r.active = {};
          r.funcStacks = {};
          for (const tr of col.querySelectorAll('table.functions tbody tr')) {
            const f = tr.querySelector('.fn').textContent;
            r.active[f] = code(tr.querySelector('.active').textContent);
            const entries = [...tr.querySelectorAll('.stack li')].map((li) => ({
              patch: li.querySelector('.name').textContent, nop: !!li.querySelector('.nop'), transition: !!li.querySelector('.tr') }));
            if (entries.length) r.funcStacks[f] = { entries, switched: code(tr.querySelector('.switched').textContent), unswitched: code(tr.querySelector('.unswitched').textContent) };
          }
          r.states = {};
          for (const text of texts(col, 'ul.states li')) {
            const [id, version, flag] = text.split(':');
            r.states[id] = { version: Number(version.slice(1)), blockDisable: flag === 'block_disable' };
          }
          const t = col.querySelector('p.transition');
          r.transition = t.querySelector('.patch') ? { patch: t.querySelector('.patch').textContent, target: t.querySelector('.target').textContent, replacing: texts(t, '.replacing li') } : null;
          r.loaded = texts(col, 'ul.loaded li');
          r.pinned = texts(col, 'ul.pinned li');
          return r;
        })
        """;

    private string Address(string query) => new Uri(chromium.Url, "/?" + query).AbsoluteUri;

    // Waits until the page shows this trace and no request is running.
    private static Task Shown(IPage page, string trace) =>
        page.WaitForFunctionAsync("(t) => document.body.dataset.trace === t && !document.body.dataset.busy", trace);

    private static async Task<JsonArray> Columns(IPage page) =>
        JsonNode.Parse((await page.EvaluateFunctionAsync<System.Text.Json.JsonElement>(ShownColumns)).GetRawText())!.AsArray();

    // A real click on the operation button with this label, as a user makes it.
    private static async Task Click(IPage page, string selector, string label)
    {
        foreach (var button in await page.QuerySelectorAllAsync(selector))
            if (await button.EvaluateFunctionAsync<string>("(b) => b.textContent") == label)
            {
                await button.ClickAsync();
                return;
            }
        throw new InvalidOperationException($"no {selector} labelled '{label}'");
    }

    private static void AssertNoErrors(List<string> errors)
    {
        lock (errors) Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    // Every page test ends here: nothing went to the console, and the page closes.
    private static async Task Close(IPage page, List<string> errors)
    {
        AssertNoErrors(errors);
        await page.CloseAsync();
    }

    [SkippableTheory]
    [InlineData("atomic")]
    [InlineData("two-phase")]
    public async Task Page_JoeTimelineByClicks_ShowsWhatReplayReportsAfterEveryClick(string mode)
    {
        Skip.If(chromium.Missing is not null, chromium.Missing);
        var expected = ReplaySteps(RepositoryFiles.Full(Joe), mode, "positional", "flat", "set");
        var operations = Shipped.Find(JoeId)!.Timeline;
        var catalog = Shipped.Find(JoeId)!.Any;
        var (page, errors) = await chromium.Page();
        await page.GoToAsync(Address($"c={JoeId}&r=positional&r=flat&r=set&m={mode}"));
        await Shown(page, "");

        var initial = await Columns(page);
        Assert.Equal(["positional", "flat", "set"], initial.Select(c => (string?)c!["reading"]));
        Assert.All(initial, c => Assert.Empty(c!["enabled"]!.AsArray()));
        var tokens = new List<string>();
        for (var i = 0; i < operations.Count; i++)
        {
            await Click(page, "button.op", operations[i].Format(catalog));
            tokens.Add(UrlTrace.Format(catalog, operations[i]));
            await Shown(page, string.Join(",", tokens));

            var shown = await Columns(page);
            for (var r = 0; r < 3; r++)
                Assert.True(JsonNode.DeepEquals(expected[i][r], shown[r]), $"step {i + 1} ({operations[i].Format(catalog)}), {shown[r]!["reading"]}:\nreplay {expected[i][r]!.ToJsonString()}\npage   {shown[r]!.ToJsonString()}");
        }
        Assert.Contains($"t={string.Join(",", tokens)}", page.Url);
        await Close(page, errors);
    }

    [SkippableFact]
    public async Task Page_ClicksThenSaveAsScenario_ReplaysWithEveryExpectationHoldingAndShowsTheSameLastStep()
    {
        Skip.If(chromium.Missing is not null, chromium.Missing);
        var (page, errors) = await chromium.Page();
        var downloads = Directory.CreateTempSubdirectory("klp-download").FullName;
        // Chromium reports each download's progress; the test waits for the one that completes.
        var downloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.Client.MessageReceived += (_, e) =>
        {
            if (e.MessageID == "Browser.downloadProgress" && e.MessageData.GetProperty("state").GetString() == "completed") downloaded.TrySetResult();
        };
        await page.Client.SendAsync("Browser.setDownloadBehavior", new Dictionary<string, object> { ["behavior"] = "allow", ["downloadPath"] = downloads, ["eventsEnabled"] = true });
        await page.GoToAsync(Address($"c={JoeId}&r=positional&r=upstream&r=set&m=two-phase"));
        await Shown(page, "");
        string[] clicks = ["load klp-1a", "complete", "load klp-1b", "complete", "load klp-2a", "reverse", "force", "disable klp-1b", "complete", "load klp-2a"];
        var tokens = new List<string>();

        foreach (var label in clicks)
        {
            await Click(page, "button.op", label);
            tokens.Add(label.Replace(' ', ':'));
            await Shown(page, string.Join(",", tokens));
        }
        var shown = await Columns(page);
        await Click(page, "a.save", "save as scenario");
        await downloaded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var file = Path.Combine(downloads, "joe-timeline-tuesday-set2-explored.klp");
        var (code, output, err) = CliRunner.Run("replay", file);
        var replayed = ReplaySteps(file, null, "positional", "upstream", "set");

        Assert.True(code == 0, err + File.ReadAllText(file));
        Assert.Contains("all hold", output);
        for (var r = 0; r < 3; r++) Assert.True(JsonNode.DeepEquals(replayed[^1][r], shown[r]), $"{shown[r]!["reading"]}: {replayed[^1][r]!.ToJsonString()} / {shown[r]!.ToJsonString()}");
        await Close(page, errors);
    }

    [SkippableFact]
    public async Task Page_ViolatedPropertyLoadCounterexample_LoadsItsShortestTrace()
    {
        Skip.If(chromium.Missing is not null, chromium.Missing);
        var catalog = Shipped.Find(JoeId)!;
        var verdict = Verifier.Run(catalog.Source(), Readings.Set, PropertyRegistry.All, new ExploreLimits(), threads: 1)
            .Verdicts.Single(v => v.Property.Id == "downgrade-installable");
        Assert.Equal(VerdictKind.Violated, verdict.Kind);
        var (page, errors) = await chromium.Page();
        await page.GoToAsync(Address($"c={JoeId}&r=positional&r=flat&r=set"));
        await Shown(page, "");

        var cell = "#properties tr[data-property='downgrade-installable'] td:nth-child(4)";
        await page.WaitForSelectorAsync(cell + " button.load-trace");
        Assert.StartsWith("violated", await page.EvaluateFunctionAsync<string>($"() => document.querySelector(\"{cell}\").dataset.verdict"));
        await page.ClickAsync(cell + " button.load-trace");
        var trace = UrlTrace.Format(verdict.Catalog!, verdict.Trace!);
        await Shown(page, trace);

        Assert.Equal(verdict.Trace!.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.EvaluateFunctionAsync<string>("() => document.getElementById('step-number').textContent"));
        Assert.Equal(verdict.Trace!.Select(o => o.Format(verdict.Catalog!)), await page.EvaluateFunctionAsync<string[]>("() => [...document.querySelectorAll('#trace li[data-step] .label')].slice(1).map((e) => e.textContent)"));
        await Close(page, errors);
    }

    [SkippableFact]
    public async Task Page_WhereDoTheyDiffer_LoadsTheShortestDistinguishingTrace()
    {
        Skip.If(chromium.Missing is not null, chromium.Missing);
        var catalog = Shipped.Find(JoeId)!.Any;
        var divergence = new Lockstep().Run([catalog, catalog], [Readings.Positional, Readings.Flat], Observed.All).Divergence!;
        var (page, errors) = await chromium.Page();
        await page.GoToAsync(Address($"c={JoeId}&r=positional&r=flat"));
        await Shown(page, "");

        await page.ClickAsync("#differ");
        await Shown(page, UrlTrace.Format(catalog, divergence.Trace));

        Assert.Contains("they first differ in", await page.EvaluateFunctionAsync<string>("() => document.getElementById('differ-result').textContent"));
        var shown = await Columns(page);
        Assert.False(JsonNode.DeepEquals(shown[0]!["enabled"], shown[1]!["enabled"]) && JsonNode.DeepEquals(shown[0]!["accepted"], shown[1]!["accepted"])
            && JsonNode.DeepEquals(shown[0]!["active"], shown[1]!["active"]) && JsonNode.DeepEquals(shown[0]!["occupied"], shown[1]!["occupied"]),
            "the two columns show the same outcome and state");
        await Close(page, errors);
    }

    [SkippableFact]
    public async Task Page_BackToHereAndTheBrowsersBackAndReload_RestoreEarlierSteps()
    {
        Skip.If(chromium.Missing is not null, chromium.Missing);
        var (page, errors) = await chromium.Page();
        var full = "load:klp-1a,load:klp-1b,load:klp-1c";
        await page.GoToAsync(Address($"c={JoeId}&t={full}"));
        await Shown(page, full);
        var third = await Columns(page);

        await page.ClickAsync("#trace li[data-step='1'] button.back");
        await Shown(page, "load:klp-1a");
        var first = await Columns(page);
        await page.GoBackAsync();
        await Shown(page, full);
        var back = await Columns(page);
        await page.ReloadAsync();
        await Shown(page, full);
        var reloaded = await Columns(page);
        await page.ClickAsync("#undo");
        await Shown(page, "load:klp-1a,load:klp-1b");

        Assert.All(first, c => Assert.Equal(["klp-1a"], c!["enabled"]!.AsArray().Select(n => (string?)n)));
        Assert.True(JsonNode.DeepEquals(third, back));
        Assert.True(JsonNode.DeepEquals(third, reloaded));
        await Close(page, errors);
    }

    [SkippableFact]
    public async Task Page_CatalogTextWithMarkup_IsShownAsTextNeverRun()
    {
        Skip.If(chromium.Missing is not null, chromium.Missing);
        var (page, errors) = await chromium.Page();
        await page.GoToAsync(Address("c=hostile&t=load:a"));
        await Shown(page, "load:a");

        Assert.Equal(ChromiumFixture.HostileTitle, await page.EvaluateFunctionAsync<string>("() => document.getElementById('catalog-title').textContent"));
        Assert.Equal(0, await page.EvaluateFunctionAsync<int>("() => document.querySelectorAll('main img, main script, main b').length"));
        Assert.Null(await page.EvaluateFunctionAsync<string?>("() => document.body.dataset.pwned ?? null"));
        await Close(page, errors);
    }

    [SkippableTheory]
    [InlineData("t=load:nope", "trace step 1 ('load:nope'): unknown patch 'nope'")]
    [InlineData("t=load:klp-1a,jump", "trace step 2 ('jump'): unknown operation")]
    [InlineData("r=../etc/passwd", "unknown reading '../etc/passwd'")]
    public async Task Page_BadInputInTheAddress_ShowsTheServersMessage(string query, string message)
    {
        Skip.If(chromium.Missing is not null, chromium.Missing);
        var (page, _) = await chromium.Page();
        await page.GoToAsync(Address($"c={JoeId}&{query}"));

        await page.WaitForFunctionAsync("() => !document.getElementById('error').hidden");

        Assert.Contains(message, await page.EvaluateFunctionAsync<string>("() => document.getElementById('error').textContent"));
        await page.CloseAsync();
    }

    [SkippableFact]
    public async Task ExploreCommand_ThreadTimelineWithThreeReadings_PageShowsThePatchesAndTheReadings()
    {
        Skip.If(chromium.Missing is not null, chromium.Missing);
        Skip.If(ExternalTools.Find("dotnet") is null, "the dotnet CLI is not on PATH");
        using var explore = ExploreProcess.Start("--catalog", RepositoryFiles.Full(Joe), "--reading", "positional", "--reading", "flat", "--reading", "set", "--port", "0");
        var (page, errors) = await chromium.Page();

        await page.GoToAsync(explore.Url.AbsoluteUri);
        await Shown(page, "");
        var patches = await page.EvaluateFunctionAsync<string[]>("() => [...document.querySelectorAll('#patches tbody tr')].map((tr) => tr.dataset.patch)");
        var readings = await page.EvaluateFunctionAsync<string[]>("() => [...document.querySelectorAll('section.column h3')].map((h) => h.textContent)");
        await page.CloseAsync();
        var (code, _, _) = explore.Stop("INT");

        Assert.Equal(["klp-1a", "klp-1b", "klp-1c", "klp-2a", "klp-2b"], patches);
        Assert.Equal(["positional", "flat", "set"], readings);
        Assert.Equal(0, code);
        AssertNoErrors(errors);
    }
}
