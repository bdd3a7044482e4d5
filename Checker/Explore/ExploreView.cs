using System.Buffers;
using System.Text.Json;
using Klp.Check.Model;
using Klp.Check.Reports;
using Klp.Check.Scenarios;

namespace Klp.Check.Explore;

/// <summary>One column's replay of the trace: the replay of the columns that share its catalog, and its place there.</summary>
/// <param name="Replay">The replay.</param>
/// <param name="Index">The column's index in <see cref="ReplayResult.Readings"/>.</param>
public readonly record struct ColumnReplay(ReplayResult Replay, int Index);

/// <summary>What the page shows after a click, as one JSON document (docs/explore.md): the catalog, per step and column the outcome, per column the state after the last step, the operations.</summary>
/// <remarks>
/// The trace is replayed with <see cref="Replayer.Run"/>, the code <c>klp-check replay</c> runs,
/// and every outcome and state is written by <see cref="ModelJson"/>, as <c>replay --format json</c>
/// writes its <c>results</c>: the page shows for a step exactly what <c>replay</c> reports for it.
/// </remarks>
public static class ExploreView
{
    /// <summary>Replays a query's trace under every column, one replay per catalog the columns step on.</summary>
    public static IReadOnlyList<ColumnReplay> Replay(ExploreQuery q)
    {
        var result = new ColumnReplay[q.Columns.Count];
        foreach (var group in Groups(q))
        {
            var replay = Replay(q, group);
            for (var j = 0; j < group.Count; j++) result[group[j]] = new ColumnReplay(replay, j);
        }
        return result;
    }

    /// <summary>Replays a query's trace under the columns of one group (<see cref="Groups"/>), in the group's order.</summary>
    public static ReplayResult Replay(ExploreQuery q, IReadOnlyList<int> group)
    {
        var catalog = q.Catalogs[group[0]];
        var steps = new List<ScenarioStep>(q.Ops.Count + 1) { new(0, null, "", null, []) };
        for (var i = 0; i < q.Ops.Count; i++) steps.Add(new ScenarioStep(i + 1, q.Ops[i], q.Ops[i].Format(catalog), null, []));
        var scenario = new Scenario(q.Catalog.Id, q.Catalog.Title, catalog, steps, null, [], [], q.Mode);
        return Replayer.Run(scenario, [.. group.Select(k => q.Columns[k])]);
    }

    /// <summary>The columns that step on one catalog, each group in column order: one group for a scenario's catalog, one per encoding for a plan.</summary>
    public static IReadOnlyList<IReadOnlyList<int>> Groups(ExploreQuery q)
    {
        var groups = new List<List<int>>();
        for (var k = 0; k < q.Columns.Count; k++)
        {
            var g = groups.FindIndex(x => ReferenceEquals(q.Catalogs[x[0]], q.Catalogs[k]));
            if (g < 0) groups.Add([k]);
            else groups[g].Add(k);
        }
        return groups;
    }

    /// <summary>The document the page renders after a click.</summary>
    public static byte[] Json(ExploreQuery q)
    {
        var replays = Replay(q);
        var buffer = new ArrayBufferWriter<byte>(16384);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            WriteCatalog(w, q);
            w.WriteStartArray("readings");
            foreach (var r in q.Columns)
            {
                ModelJson.WriteReading(w, r);
            }
            w.WriteEndArray();
            w.WriteStartArray("parameters");
            foreach (var r in q.Columns)
            {
                if (r.AddSetsParameter) w.WriteStringValue(r.ParameterName ?? "add_sets");
                else w.WriteNullValue();
            }
            w.WriteEndArray();
            w.WriteStartArray("hasSets");
            foreach (var r in q.Columns) w.WriteBooleanValue(r.HasSets);
            w.WriteEndArray();
            w.WriteString("mode", ReadingOptionText.ModeName(q.Mode));
            w.WriteString("trace", q.Trace);
            WriteSteps(w, q, replays);
            w.WriteStartArray("state");
            for (var k = 0; k < q.Columns.Count; k++)
            {
                var (replay, index) = replays[k];
                w.WriteStartObject();
                w.WriteString("reading", q.Columns[k].DisplayName);
                ModelJson.WriteState(w, q.Catalogs[k], q.Columns[k], replay.States[^1][index]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteOperations(w, q);
            w.WriteStartArray("saves");
            var groups = Groups(q);
            for (var g = 0; g < groups.Count; g++)
            {
                w.WriteStartObject();
                w.WriteNumber("group", g);
                w.WriteStartArray("readings");
                foreach (var k in groups[g]) w.WriteStringValue(q.Columns[k].DisplayName);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteCatalog(Utf8JsonWriter w, ExploreQuery q)
    {
        var c = q.Catalog;
        var any = q.Catalogs[0];
        w.WriteStartObject("catalog");
        w.WriteString("id", c.Id);
        w.WriteString("title", c.Title);
        w.WriteString("file", c.File);
        w.WriteString("kind", c.Shared ? "scenario" : "plan");
        if (c.Plan is { } plan) w.WriteString("plan", plan.ToString());
        else w.WriteNull("plan");
        var timeline = c.Timeline;
        if (timeline.Count > 0) w.WriteString("timeline", UrlTrace.Format(c.Any, timeline));
        else w.WriteNull("timeline");
        w.WriteStartArray("patches");
        for (var p = 0; p < any.Count; p++)
        {
            var patch = any[p];
            w.WriteStartObject();
            w.WriteString("name", patch.Name);
            w.WriteString("origin", patch.Origin == Origin.Vendor ? "vendor" : "customer");
            w.WriteString("kind", patch.Kind == PatchKind.Cumulative ? "cumulative" : "hotfix");
            w.WriteNumber("release", patch.Release);
            w.WriteStartArray("funcs");
            foreach (var f in patch.Funcs) w.WriteStringValue(f.ToString());
            w.WriteEndArray();
            w.WriteStartArray("states");
            foreach (var s in patch.States) w.WriteStringValue(s.ToString());
            w.WriteEndArray();
            if (patch.Updates is null) w.WriteNull("updates");
            else w.WriteString("updates", patch.Updates);
            // A plan's patches carry their sets and replace flag per reading's encoding.
            w.WriteStartArray("sets");
            foreach (var k in q.Catalogs) w.WriteStringValue(k[p].SetsText);
            w.WriteEndArray();
            w.WriteStartArray("replace");
            foreach (var k in q.Catalogs) w.WriteBooleanValue(k[p].Replace);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("functions");
        foreach (var f in any.Functions) w.WriteStringValue(f.ToString());
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSteps(Utf8JsonWriter w, ExploreQuery q, IReadOnlyList<ColumnReplay> replays)
    {
        w.WriteStartArray("steps");
        for (var i = 0; i < q.Ops.Count; i++)
        {
            var op = q.Ops[i];
            w.WriteStartObject();
            w.WriteNumber("index", i + 1);
            w.WriteString("operation", op.Format(q.Catalogs[0]));
            w.WriteString("token", UrlTrace.Format(q.Catalogs[0], op));
            w.WriteStartArray("results");
            for (var k = 0; k < q.Columns.Count; k++)
            {
                var (replay, index) = replays[k];
                var outcome = replay.Steps[i + 1].Outcomes[index]!.Value;
                w.WriteStartObject();
                w.WriteString("reading", q.Columns[k].DisplayName);
                ModelJson.WriteOutcome(w, q.Catalogs[k], outcome);
                w.WriteString("summary", KernelStateText.Outcome(q.Catalogs[k], op, outcome));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteOperations(Utf8JsonWriter w, ExploreQuery q)
    {
        var catalog = q.Catalogs[0];
        var parameter = q.Columns.Any(r => r.AddSetsParameter);
        w.WriteStartArray("operations");
        void Write(Operation op, string? patch)
        {
            w.WriteStartObject();
            w.WriteString("token", UrlTrace.Format(catalog, op));
            w.WriteString("label", op.Format(catalog));
            w.WriteString("kind", op.Kind.ToString().ToLowerInvariant());
            if (patch is null) w.WriteNull("patch");
            else w.WriteString("patch", patch);
            w.WriteEndObject();
        }
        for (var p = 0; p < catalog.Count; p++)
        {
            Write(Operation.Load(p), catalog[p].Name);
            // The catalog's own add_sets values; the page takes others in a field.
            if (parameter)
                for (var v = 1; v < catalog.AddSetsVariants.Length; v++) Write(Operation.Load(p, v), catalog[p].Name);
            Write(Operation.Disable(p), catalog[p].Name);
            Write(Operation.Unload(p), catalog[p].Name);
        }
        if (q.Mode == Granularity.TwoPhase)
        {
            Write(Operation.Complete(), null);
            Write(Operation.Reverse(), null);
            Write(Operation.Force(), null);
        }
        w.WriteEndArray();
    }
}
