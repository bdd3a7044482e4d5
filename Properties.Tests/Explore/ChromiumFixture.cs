using Klp.Check.Explore;
using Klp.Check.Scenarios;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;

namespace Klp.Check.Tests.Explore;

/// <summary>One headless Chromium (Debian's, never a downloaded one) and one explorer on a loopback port, shared by the page tests.</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    /// <summary>A catalog whose title and note hold markup, for the escaping test.</summary>
    public const string HostileTitle = "<img src=x onerror=\"document.body.dataset.pwned='img'\"><script>document.body.dataset.pwned='script'</script> & \"quotes\"";

    private string? profile;
    private WebApplication? server;

    /// <summary>Why the page tests cannot run, or null.</summary>
    public string? Missing { get; private set; }

    /// <summary>The browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The explorer's address, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>What the server reported (unexpected failures).</summary>
    public StringWriter Log { get; } = new();

    /// <summary>Debian's Chromium, or another on PATH.</summary>
    public static string? Executable() =>
        File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : ExternalTools.Find("chromium", "chromium-browser", "google-chrome");

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        var chromium = Executable();
        if (chromium is null)
        {
            Missing = "Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)";
            return;
        }
        var hostile = ScenarioParser.Parse($"title {HostileTitle}\npatch a sets={{1}}\nload a   <- <b>bold</b>\n", "hostile.klp");
        var setup = new ExploreSetup([ExploreCatalog.FromScenario("hostile", hostile), .. ExploreFixtures.Shipped.Catalogs], ExploreSetup.DefaultReadings, null);
        server = ExploreServer.Build(setup, 0, Log);
        await server.StartAsync();
        Url = new Uri(ExploreServer.Addresses(server.Services.GetRequiredService<IServer>())[0].TrimEnd('/') + "/");
        profile = Directory.CreateTempSubdirectory("klp-chromium").FullName;
        Browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = chromium,
            IgnoreDefaultArgs = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                $"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank",
            ],
            Timeout = 60_000,
        });
    }

    /// <summary>A fresh page that records every console error and uncaught exception.</summary>
    public async Task<(IPage Page, List<string> Errors)> Page()
    {
        var page = await Browser.NewPageAsync();
        page.DefaultTimeout = 30_000;
        var errors = new List<string>();
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error) lock (errors) errors.Add(e.Message.Text);
        };
        page.PageError += (_, e) =>
        {
            lock (errors) errors.Add(e.Message);
        };
        return (page, errors);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        if (server is not null)
        {
            await server.StopAsync();
            await server.DisposeAsync();
        }
        if (profile is not null)
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still be writing its profile as it exits; the folder is a temporary one.
            }
        }
    }
}
