using System.Globalization;
using System.Net;
using Klp.Check.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Klp.Check.Explore;

/// <summary>The explorer's web server: Kestrel on the loopback address only, the page and its assets from the tool's resources, the endpoints of <see cref="ExploreApi"/>.</summary>
/// <remarks>
/// <see cref="Build"/> gives a <see cref="WebApplication"/> to run; <see cref="Configure"/> installs
/// the same request pipeline on any application builder, so that a test host runs exactly what
/// <c>klp-check explore</c> serves. Every answer carries a strict Content-Security-Policy; a request
/// whose <c>Host</c> is not a loopback name with the server's port is refused
/// (<see cref="LoopbackHost"/>), as is an <c>/api/</c> request a page of another origin sends.
/// </remarks>
public static class ExploreServer
{
    /// <summary>The policy every answer carries: the page loads its own script and style and talks to its own server, nothing else.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The page and its assets: path, resource, media type.</summary>
    private static readonly (string Path, string Resource, string Type)[] assets =
    [
        ("/", "explore/index.html", "text/html; charset=utf-8"),
        ("/explore.js", "explore/explore.js", "text/javascript; charset=utf-8"),
        ("/explore.css", "explore/explore.css", "text/css; charset=utf-8"),
        ("/favicon.svg", "explore/favicon.svg", "image/svg+xml"),
    ];

    /// <summary>A server listening on 127.0.0.1 at a port (0: a free one), and nowhere else; <paramref name="configure"/> may replace the server (a test server).</summary>
    public static WebApplication Build(ExploreSetup setup, int port, TextWriter log, Action<IWebHostBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            // Never the development error page, whatever ASPNETCORE_ENVIRONMENT says.
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // No appsettings.json, no environment variable adds an endpoint (Kestrel:Endpoints, URLS).
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Configure(new ConfigurationBuilder().Build());
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, port);
        });
        configure?.Invoke(builder.WebHost);
        var app = builder.Build();
        Configure(app, setup, log);
        return app;
    }

    /// <summary>The URLs a started server listens on.</summary>
    public static IReadOnlyList<string> Addresses(IServer server) =>
        [.. server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []];

    /// <summary>Installs the explorer's request pipeline: security headers, the host check, the page, the endpoints.</summary>
    /// <param name="app">The application.</param>
    /// <param name="setup">What it serves.</param>
    /// <param name="log">Where an unexpected failure is reported (the page gets one line, never a stack trace).</param>
    public static void Configure(IApplicationBuilder app, ExploreSetup setup, TextWriter log)
    {
        // The checker's computations end when the server stops.
        var stopping = app.ApplicationServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        var api = new ExploreApi(setup, new ExploreVerdicts(new ExploreLimits(), stopping));
        var content = assets.ToDictionary(a => a.Path, a => (Body: Resource(a.Resource), a.Type));
        var server = app.ApplicationServices.GetService<IServer>();
        int[]? ports = null;
        app.Run(async context =>
        {
            var response = context.Response;
            var headers = response.Headers;
            headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
            headers[HeaderNames.XContentTypeOptions] = "nosniff";
            headers[HeaderNames.XFrameOptions] = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            headers[HeaderNames.CacheControl] = "no-store";
            // The listening ports are known once the server runs; a test server has none.
            ports ??= server is null ? [] : [.. Addresses(server).Select(Port).Where(p => p > 0)];
            var request = context.Request;
            ExploreResponse answer;
            try
            {
                answer = await Answer(api, content, request, ports).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested || context.RequestAborted.IsCancellationRequested)
            {
                answer = ExploreResponse.Error(503, "the explorer is stopping");
            }
            catch (Exception e)
            {
                lock (log) log.WriteLine($"klp-check explore: internal error on {request.Path}: {e.GetType().Name}: {e.Message}");
                answer = ExploreResponse.Error(500, "internal error; the server's log has a line on it");
            }
            response.StatusCode = answer.Status;
            response.ContentType = answer.ContentType;
            if (answer.FileName is { } name)
                headers[HeaderNames.ContentDisposition] = new ContentDispositionHeaderValue("attachment") { FileNameStar = name, FileName = name }.ToString();
            response.ContentLength = answer.Body.Length;
            if (!HttpMethods.IsHead(request.Method)) await response.Body.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
        });
    }

    private static async Task<ExploreResponse> Answer(ExploreApi api, Dictionary<string, (byte[] Body, string Type)> content, HttpRequest request, int[] ports)
    {
        if (!LoopbackHost.Allowed(request.Headers.Host.ToString(), ports))
            return ExploreResponse.Error(400, $"refused: the Host header '{request.Headers.Host}' is not this server's loopback address (localhost, 127.0.0.1 or [::1] with its port)");
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            return ExploreResponse.Error(405, $"the explorer answers GET only, not {request.Method}");
        var path = request.Path.Value ?? "/";
        if (content.TryGetValue(path, out var asset)) return new ExploreResponse(200, asset.Type, asset.Body);
        if (!path.StartsWith("/api/", StringComparison.Ordinal)) return ExploreResponse.Error(404, $"no page at {path}");
        // The endpoints answer the explorer's own page only: not a page of another site or port.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
            return ExploreResponse.Error(403, $"refused: a request from another site ({site})");
        foreach (var (key, values) in request.Query)
            if (key != "r" && values.Count > 1) return ExploreResponse.Error(400, $"parameter '{key}' is given {values.Count} times");
        var query = new ExploreRequest(request.Query["c"], [.. request.Query["r"].OfType<string>()], request.Query["m"], request.Query["t"]);
        return path switch
        {
            "/api/catalogs" => api.Catalogs(),
            "/api/view" => api.View(query),
            "/api/scenario" => api.Scenario(query, request.Query["g"]),
            "/api/properties" => await api.Properties(query).ConfigureAwait(false),
            "/api/differ" => await api.Differ(query).ConfigureAwait(false),
            _ => ExploreResponse.Error(404, $"no endpoint {path} (known: /api/catalogs, /api/view, /api/scenario, /api/properties, /api/differ)"),
        };
    }

    private static int Port(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) ? uri.Port : int.TryParse(address.AsSpan(address.LastIndexOf(':') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;

    private static byte[] Resource(string name)
    {
        using var stream = typeof(ExploreServer).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in the tool");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
