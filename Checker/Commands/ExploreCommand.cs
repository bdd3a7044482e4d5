using System.CommandLine;
using Klp.Check.Explore;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Scenarios;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Klp.Check.Commands;

/// <summary><c>klp-check explore</c>: a local web page on which every click applies one operation under every chosen reading side by side (docs/explore.md).</summary>
public static class ExploreCommand
{
    /// <summary>The port served when none is given.</summary>
    public const int DefaultPort = 8101;

    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var catalog = new Option<string?>("--catalog") { HelpName = "FILE", Description = "offer the catalog of this scenario file first, before the scenarios of scenarios/thread/" };
        var plan = new Option<string?>("--plan") { HelpName = "FILE", Description = "offer this release plan file (docs/bounds.md) first, each reading encoding it its own way" };
        var reading = Cli.ReadingOption();
        reading.Description = "a reading shown side by side, e.g. flat, set(states=versions) or my.proposal; repeat for several (default: positional, flat, set)";
        var mode = Cli.ModeOption();
        var port = Cli.NumberOption("--port", 0, 65535, $"the port on 127.0.0.1 (default {DefaultPort}; 0 picks a free one)");
        var open = new Option<bool>("--open") { Description = "open the page in a web browser, if one is found" };
        var command = new Command("explore", "Serve a page on 127.0.0.1 on which each click applies one operation under every chosen reading side by side, with the trace, its scenario file, the properties' verdicts and the shortest trace that tells the readings apart. Prints the URL; Ctrl-C stops it (exit 0). Exit 2: bad input, or the port cannot be used.")
        {
            catalog, plan, reading, mode, port, open,
        };
        command.SetAction(parse => Run(
            parse.GetValue(catalog), parse.GetValue(plan), parse.GetValue(reading), parse.GetValue(mode),
            parse.GetValue(port) ?? DefaultPort, parse.GetValue(open), stdout, stderr));
        return command;
    }

    /// <summary>What the explorer serves, from the command line; null after one line on bad input.</summary>
    public static ExploreSetup? Setup(string? catalogFile, string? planFile, string[]? readingNames, string? mode, TextWriter stderr)
    {
        if (catalogFile is not null && planFile is not null)
        {
            stderr.WriteLine("klp-check: give at most one of --catalog, --plan");
            return null;
        }
        IReadOnlyList<Reading> given = ExploreSetup.DefaultReadings;
        if (readingNames is { Length: > 0 })
        {
            var parsed = Cli.ParseReadings(readingNames, null, stderr);
            if (parsed is null) return null;
            if (parsed.Count > ExploreSetup.MaxColumns)
            {
                stderr.WriteLine($"klp-check: --reading: {parsed.Count} readings are more than the {ExploreSetup.MaxColumns} shown side by side");
                return null;
            }
            given = parsed;
        }
        var catalogs = new List<ExploreCatalog>();
        try
        {
            if (catalogFile is not null)
                catalogs.Add(ExploreCatalog.FromScenario(Path.GetFileNameWithoutExtension(catalogFile), ScenarioParser.ParseFile(catalogFile)));
            if (planFile is not null)
                catalogs.Add(ExploreCatalog.FromPlan(Path.GetFileNameWithoutExtension(planFile), PlanParser.ParseFile(planFile), planFile));
            // Joe's timeline, the discussion's own, is the one shown first when no file is given.
            catalogs.AddRange(ExploreCatalog.Shipped().OrderBy(c => c.Id == ExploreSetup.FirstShipped ? 0 : 1));
        }
        catch (InputException e)
        {
            foreach (var d in e.Diagnostics) stderr.WriteLine(d);
            return null;
        }
        return new ExploreSetup(catalogs, given, Cli.ParseMode(mode));
    }

    /// <summary>Serves until Ctrl-C or SIGTERM; returns the exit code.</summary>
    public static int Run(string? catalogFile, string? planFile, string[]? readingNames, string? mode, int port, bool open, TextWriter stdout, TextWriter stderr)
    {
        var setup = Setup(catalogFile, planFile, readingNames, mode, stderr);
        if (setup is null) return ExitCodes.Usage;
        using var app = ExploreServer.Build(setup, port, stderr);
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            stderr.WriteLine($"klp-check: explore: cannot listen on 127.0.0.1:{port}: {e.Message}" + (port == 0 ? "" : " (--port 0 picks a free port)"));
            return ExitCodes.Usage;
        }
        var url = ExploreServer.Addresses(app.Services.GetRequiredService<IServer>())[0].TrimEnd('/') + "/";
        stdout.WriteLine($"klp-check explore: {url}");
        var shipped = setup.Catalogs.Count(c => c.Id.StartsWith("thread/", StringComparison.Ordinal));
        stdout.WriteLine($"  catalogs: {(shipped < setup.Catalogs.Count ? $"{setup.Default.Id} ({setup.Default.File}), then " : "")}{shipped} scenarios of scenarios/thread/");
        stdout.WriteLine($"  readings: {string.Join(", ", setup.Given.Select(r => r.DisplayName))}; mode: {(setup.Mode is { } m ? ReadingOptionText.ModeName(m) : "each catalog's own")}");
        stdout.WriteLine("  listening on 127.0.0.1 only; Ctrl-C stops");
        if (open)
        {
            var browser = Browser.Find(Environment.GetEnvironmentVariable, out var why);
            if (browser is null) stderr.WriteLine($"klp-check: explore: --open: no browser found ({why}); open {url} yourself");
            else if (!Browser.Open(browser, url, out why)) stderr.WriteLine($"klp-check: explore: --open: {browser} did not start ({why}); open {url} yourself");
            else stdout.WriteLine($"  opened {url} with {browser}");
        }
        app.WaitForShutdownAsync().GetAwaiter().GetResult();
        stdout.WriteLine("klp-check explore: stopped");
        return ExitCodes.Ok;
    }
}
