using System.Buffers;
using System.Text.Json;
using System.Text;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Explore;

/// <summary>An answer of the explorer: a status, a content type, the body, and for a download the file name it suggests.</summary>
/// <param name="Status">The HTTP status: 200, or 4xx with a message for bad input.</param>
/// <param name="ContentType">The body's media type.</param>
/// <param name="Body">The body.</param>
/// <param name="FileName">For a download, the name it is saved under; else null.</param>
public sealed record ExploreResponse(int Status, string ContentType, byte[] Body, string? FileName = null)
{
    /// <summary>The media type of every JSON answer.</summary>
    public const string Json = "application/json; charset=utf-8";

    /// <summary>A 200 answer with a JSON body.</summary>
    public static ExploreResponse Ok(byte[] json) => new(200, Json, json);

    /// <summary>A 4xx answer whose body is <c>{"error": message}</c>, which the page shows.</summary>
    public static ExploreResponse Error(int status, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("error", message);
            w.WriteEndObject();
        }
        return new(status, Json, buffer.WrittenSpan.ToArray());
    }
}

/// <summary>The explorer's endpoints as functions of what a request carries (docs/explore.md): no state between requests but the checker's cached answers.</summary>
/// <remarks>Every answer is computed from the request alone (catalog id, readings, mode, trace), so a reload or a shared link shows the same page, and no session store grows.</remarks>
/// <param name="setup">What the explorer serves.</param>
/// <param name="verdicts">The checker's answers, computed on demand.</param>
public sealed class ExploreApi(ExploreSetup setup, ExploreVerdicts verdicts)
{
    /// <summary>What the explorer serves.</summary>
    public ExploreSetup Setup => setup;

    /// <summary><c>/api/catalogs</c>: the catalogs and readings the page may choose, and the defaults.</summary>
    public ExploreResponse Catalogs()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("catalogs");
            foreach (var c in setup.Catalogs)
            {
                w.WriteStartObject();
                w.WriteString("id", c.Id);
                w.WriteString("title", c.Title);
                w.WriteString("file", c.File);
                w.WriteString("kind", c.Shared ? "scenario" : "plan");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("default", setup.Default.Id);
            w.WriteStartArray("readings");
            foreach (var r in setup.Offered) w.WriteStringValue(r);
            w.WriteEndArray();
            w.WriteStartArray("columns");
            foreach (var r in setup.Given) w.WriteStringValue(r.DisplayName);
            w.WriteEndArray();
            if (setup.Mode is { } m) w.WriteString("mode", ReadingOptionText.ModeName(m));
            else w.WriteNull("mode");
            w.WriteEndObject();
        }
        return ExploreResponse.Ok(buffer.WrittenSpan.ToArray());
    }

    /// <summary><c>/api/view</c>, the answer to a click: the trace replayed under every column (<see cref="ExploreView"/>).</summary>
    public ExploreResponse View(ExploreRequest request) =>
        ExploreQuery.Resolve(setup, request, out var error) is { } q ? ExploreResponse.Ok(ExploreView.Json(q)) : ExploreResponse.Error(400, error!);

    /// <summary><c>/api/scenario</c>: the trace as a scenario file for one group of columns (<paramref name="group"/>, default 0).</summary>
    public ExploreResponse Scenario(ExploreRequest request, string? group)
    {
        if (ExploreQuery.Resolve(setup, request, out var error) is not { } q) return ExploreResponse.Error(400, error!);
        var g = 0;
        if (group is not null && !(int.TryParse(group, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out g) && g < ExploreView.Groups(q).Count))
            return ExploreResponse.Error(400, $"unknown group '{group}': the readings step on {ExploreView.Groups(q).Count} catalog(s), numbered from 0");
        var text = ExploreScenario.Text(q, g)!;
        return new ExploreResponse(200, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text), ExploreScenario.FileName(q, g));
    }

    /// <summary><c>/api/properties</c>: every property's verdict under the one reading the request names, computed once per (catalog, reading, mode).</summary>
    public async Task<ExploreResponse> Properties(ExploreRequest request)
    {
        if (request.Readings.Count != 1) return ExploreResponse.Error(400, "name exactly one reading (r=NAME)");
        if (ExploreQuery.Resolve(setup, request with { Trace = null }, out var error) is not { } q) return ExploreResponse.Error(400, error!);
        return ExploreResponse.Ok(await verdicts.Properties(q, 0).ConfigureAwait(false));
    }

    /// <summary><c>/api/differ</c>: the shortest trace on which the readings the request names differ (the lockstep search of <c>klp-check diff</c>).</summary>
    public async Task<ExploreResponse> Differ(ExploreRequest request)
    {
        if (ExploreQuery.Resolve(setup, request with { Trace = null }, out var error) is not { } q) return ExploreResponse.Error(400, error!);
        if (q.Columns.Count < 2) return ExploreResponse.Error(400, "name two or more readings to compare");
        return ExploreResponse.Ok(await verdicts.Differ(q).ConfigureAwait(false));
    }
}
