using System.Buffers;
using System.Text.Json;
using Klp.Check.Engine;
using Klp.Check.Equivalence;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Explore;

/// <summary>The checker's answers for a catalog, computed once on demand and kept: the verdicts of every property per reading, and the shortest trace that tells the readings apart.</summary>
/// <remarks>
/// These explore the catalog's whole state graph, which can take seconds; a click never waits
/// for them (<see cref="ExploreView"/> replays only the trace). One computation runs at a time,
/// so that clicks keep a core; the answers are kept per (catalog, readings, mode), the oldest
/// dropped past <see cref="Capacity"/>, so that the memory a long session uses stays bounded.
/// </remarks>
/// <param name="limits">The caps of every exploration.</param>
/// <param name="stopping">Cancelled when the server stops.</param>
public sealed class ExploreVerdicts(ExploreLimits limits, CancellationToken stopping = default)
{
    /// <summary>How many answers are kept.</summary>
    public const int Capacity = 64;

    private readonly Dictionary<string, Task<byte[]>> answers = [];
    private readonly Queue<string> order = new();
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>The verdict of every property under one column's reading, as JSON (docs/explore.md).</summary>
    public Task<byte[]> Properties(ExploreQuery q, int column)
    {
        var reading = q.Columns[column];
        return Answer($"p|{q.Catalog.Id}|{reading.DisplayName}|{q.Mode}|{reading.GetHashCode()}", () => PropertiesJson(q.Catalog, reading));
    }

    /// <summary>The shortest trace on which some column's observables differ from the first's, as JSON; the query needs two or more columns.</summary>
    public Task<byte[]> Differ(ExploreQuery q)
    {
        var key = $"d|{q.Catalog.Id}|{q.Mode}|" + string.Join("|", q.Columns.Select(r => $"{r.DisplayName}#{r.GetHashCode()}"));
        var columns = q.Columns;
        var catalog = q.Catalog;
        return Answer(key, () => DifferJson(catalog, columns));
    }

    private Task<byte[]> Answer(string key, Func<byte[]> compute)
    {
        lock (answers)
        {
            if (answers.TryGetValue(key, out var known) && !known.IsFaulted && !known.IsCanceled) return known;
            var task = Task.Run(async () =>
            {
                await gate.WaitAsync(stopping).ConfigureAwait(false);
                try
                {
                    return compute();
                }
                finally
                {
                    gate.Release();
                }
            }, stopping);
            if (!answers.ContainsKey(key)) order.Enqueue(key);
            answers[key] = task;
            while (order.Count > Capacity)
            {
                var old = order.Dequeue();
                if (old != key) answers.Remove(old);
            }
            return task;
        }
    }

    private byte[] PropertiesJson(ExploreCatalog catalog, Reading reading)
    {
        var source = catalog.Source();
        var result = Verifier.Run(source, reading, PropertyRegistry.All, limits, threads: 1, stopping);
        return Write(w =>
        {
            w.WriteString("reading", reading.DisplayName);
            w.WriteBoolean("complete", result.Complete);
            var c = result.Coverage;
            w.WriteString("scope", c.Cut.Count == 0
                ? $"every state of {source.Kind} under {reading.DisplayName}: {Words.Count(c.States, "state")}, explored exhaustively"
                : $"{source.Kind} under {reading.DisplayName}: {Words.Count(c.States, "state")} explored before {c.Cut[0]}; what depends on the rest is inconclusive");
            w.WriteStartArray("properties");
            foreach (var v in result.Verdicts)
            {
                w.WriteStartObject();
                w.WriteString("id", v.Property.Id);
                w.WriteString("kind", v.Property.Kind.ToString().ToLowerInvariant());
                w.WriteString("summary", v.Property.Summary);
                w.WriteString("verdict", v.Word);
                w.WriteBoolean("vacuous", v.Vacuous);
                w.WriteString("detail", v.Detail);
                if (v.Trace is { } trace && v.Catalog is { } k)
                {
                    w.WriteString("trace", UrlTrace.Format(k, trace));
                    w.WriteString("operations", string.Join("; ", trace.Select(o => o.Format(k))));
                }
                else
                {
                    w.WriteNull("trace");
                    w.WriteNull("operations");
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    private byte[] DifferJson(ExploreCatalog catalog, IReadOnlyList<Reading> columns)
    {
        var catalogs = columns.Select(catalog.CatalogFor).ToList();
        var result = new Lockstep().Run(catalogs, columns, Observed.All, limits);
        return Write(w =>
        {
            w.WriteStartArray("readings");
            foreach (var r in columns) w.WriteStringValue(r.DisplayName);
            w.WriteEndArray();
            w.WriteNumber("productStates", result.ProductStates);
            if (result.Divergence is { } d)
            {
                w.WriteBoolean("found", true);
                w.WriteString("trace", UrlTrace.Format(catalogs[0], d.Trace));
                w.WriteString("operations", string.Join("; ", d.Trace.Select(o => o.Format(catalogs[0]))));
                w.WriteStartArray("differs");
                foreach (var o in ObservedText.Format(d.Differs)) w.WriteStringValue(o);
                w.WriteEndArray();
                w.WriteString("scope", $"a shortest trace on which {columns[0].DisplayName} and another reading differ, found after {Words.Count(result.ProductStates, "product state")}");
            }
            else
            {
                w.WriteBoolean("found", false);
                w.WriteNull("trace");
                w.WriteString("scope", result.CutBy is null
                    ? $"no trace tells these readings apart: every one of {Words.Count(result.ProductStates, "product state")} explored"
                    : $"no difference within {result.CutBy} ({Words.Count(result.ProductStates, "product state")}): inconclusive");
            }
        });
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
