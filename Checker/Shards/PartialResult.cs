using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using Klp.Check.Engine;
using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Shards;

/// <summary>What one shard of a run found, with what it takes to check that shards belong together and to rebuild the run (docs/json.md, "Partial results").</summary>
/// <param name="Kind">The command that ran: "compare", "check" or "sweep".</param>
/// <param name="Version">The tool's version, with the commit it was built from.</param>
/// <param name="Shard">Which shard.</param>
/// <param name="Arguments">The command's arguments without the shard, output and report options: merge parses them again to rebuild the run.</param>
/// <param name="Identity">What must agree among the shards, by field: input, readings, properties, options, scenarios, files.</param>
/// <param name="Readings">One partial per reading, in order (none for a sweep, whose readings are in <see cref="Steps"/>).</param>
/// <param name="Equivalence">The equivalence partial, or null when the run compares no two readings.</param>
public sealed record PartialResult(
    string Kind,
    string Version,
    Shard Shard,
    IReadOnlyList<string> Arguments,
    IReadOnlyList<(string Field, string Value)> Identity,
    IReadOnlyList<ReadingPartial> Readings,
    EquivalencePartial? Equivalence)
{
    /// <summary>A sweep's steps with distinct bounds, in the order it explores them, each with one partial per reading; empty for compare and check.</summary>
    public IReadOnlyList<StepPartial> Steps { get; init; } = [];

    /// <summary>The version of the partial format: 2 since merge takes report options only from its own command line.</summary>
    public const int Schema = 2;

    /// <summary>The tool's version: the assembly's informational version, which carries the commit.</summary>
    public static string ToolVersion { get; } =
        typeof(PartialResult).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The identity fields of a run: what shards must share to be merged.</summary>
    public static List<(string Field, string Value)> IdentityOf(InputSource source, IReadOnlyList<Reading> readings, IReadOnlyList<Property> invariants,
        ExploreLimits limits, IEnumerable<string> scenarios, IEnumerable<string> files) =>
        IdentityOfInput($"{source.Kind} {source.Bound} ({source.Count} inputs)", readings, invariants, limits, scenarios, files);

    /// <summary>The identity fields of a run whose input is described by <paramref name="input"/> (a sweep: its base bounds).</summary>
    public static List<(string Field, string Value)> IdentityOfInput(string input, IReadOnlyList<Reading> readings, IReadOnlyList<Property> invariants,
        ExploreLimits limits, IEnumerable<string> scenarios, IEnumerable<string> files) =>
    [
        ("input", input),
        ("readings", string.Join("\n", readings.Select(r => r.DisplayName + "\n" + Proposals.ProposalFile.Write(r)))),
        ("properties", string.Join(",", invariants.Select(i => i.Id))),
        ("options", $"max-states {limits.MaxStates}, max-depth {limits.MaxDepth}, fingerprints {limits.Fingerprints}, mode {string.Join(",", readings.Select(r => r.Options.Granularity))}"),
        ("scenarios", string.Join("\n", scenarios)),
        ("files", string.Join("\n", files.Distinct().Order(StringComparer.Ordinal).Select(f => $"{f} {Hash(f)}"))),
    ];

    /// <summary>The SHA-256 of a file's content, in hex; "missing" when it cannot be read.</summary>
    public static string Hash(string path)
    {
        try
        {
            return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "missing";
        }
    }

    /// <summary>The partial as compact JSON.</summary>
    public string Write()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("tool", "klp-check");
            w.WriteString("command", "partial");
            w.WriteNumber("schema", Schema);
            w.WriteString("kind", Kind);
            w.WriteString("version", Version);
            w.WriteString("shard", Shard.ToString());
            w.WriteStartArray("arguments");
            foreach (var a in Arguments) w.WriteStringValue(a);
            w.WriteEndArray();
            w.WriteStartObject("identity");
            foreach (var (f, v) in Identity) w.WriteString(f, v);
            w.WriteEndObject();
            w.WriteStartArray("readings");
            foreach (var r in Readings) WriteReading(w, r);
            w.WriteEndArray();
            if (Equivalence is { } e)
            {
                w.WritePropertyName("equivalence");
                WriteEquivalence(w, e);
            }
            else w.WriteNull("equivalence");
            w.WriteStartArray("steps");
            foreach (var step in Steps)
            {
                w.WriteStartObject();
                w.WriteString("bounds", step.Bounds);
                w.WriteStartArray("readings");
                foreach (var r in step.Readings) WriteReading(w, r);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteReading(Utf8JsonWriter w, ReadingPartial r)
    {
        w.WriteStartObject();
        w.WriteNumber("inputsChecked", r.InputsChecked);
        w.WriteBoolean("complete", r.Complete);
        w.WriteNumber("catalogs", r.Catalogs);
        w.WriteNumber("states", r.States);
        w.WriteNumber("transitions", r.Transitions);
        w.WriteNumber("maxDepth", r.MaxDepth);
        Longs(w, "accepted", r.Accepted);
        w.WriteNumber("offered", r.Offered);
        Longs(w, "refused", r.Refused);
        w.WriteStartArray("cut");
        foreach (var (i, cap, frontier) in r.Cut) { w.WriteStartArray(); w.WriteNumberValue(i); w.WriteStringValue(cap); w.WriteNumberValue(frontier); w.WriteEndArray(); }
        w.WriteEndArray();
        w.WriteStartArray("collisions");
        foreach (var (i, p) in r.Collisions) { w.WriteStartArray(); w.WriteNumberValue(i); w.WriteNumberValue(p); w.WriteEndArray(); }
        w.WriteEndArray();
        w.WriteNumber("seconds", r.Elapsed.TotalSeconds);
        w.WriteStartArray("properties");
        foreach (var p in r.Properties)
        {
            if (p is null) { w.WriteNullValue(); continue; }
            w.WriteStartObject();
            w.WriteNumber("applicable", p.Applicable);
            w.WriteNumber("needed", (int)p.Needed);
            w.WriteNumber("undecided", p.Undecided);
            w.WriteNumber("undecidedFeatures", (int)p.UndecidedFeatures);
            w.WriteNumber("firstUndecided", p.FirstUndecided);
            if (p.FirstCap is { } cap) w.WriteString("firstCap", cap);
            w.WriteNumber("frontier", p.Frontier);
            w.WriteBoolean("tracked", p.Tracked);
            w.WriteNumber("cases", p.Cases);
            if (p.Best is { } b)
            {
                w.WriteStartObject("best");
                w.WriteNumber("features", (int)b.Features);
                w.WriteNumber("index", b.Index);
                w.WriteStartArray("trace");
                foreach (var op in b.Trace) w.WriteNumberValue((int)op.Kind << 16 | op.Patch << 8 | op.Params);
                w.WriteEndArray();
                w.WriteString("message", b.Message);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteEquivalence(Utf8JsonWriter w, EquivalencePartial e)
    {
        w.WriteStartObject();
        w.WriteNumber("readings", e.Readings);
        w.WriteString("apart", string.Concat(e.Apart.Select(a => a ? '1' : '0')));
        Longs(w, "joined", e.Joined);
        w.WriteNumber("phaseStates", e.PhaseStates);
        w.WriteNumber("phaseTransitions", e.PhaseTransitions);
        w.WriteStartArray("cut");
        foreach (var (i, cap) in e.Cut) { w.WriteStartArray(); w.WriteNumberValue(i); w.WriteStringValue(cap); w.WriteEndArray(); }
        w.WriteEndArray();
        w.WriteStartArray("pairs");
        for (var s = 0; s < e.Pairs.Length; s++)
        {
            if (e.Pairs[s] is not { } p) continue;
            w.WriteStartArray();
            foreach (var v in new long[] { s, p.Count, p.Index, (int)p.Features, p.Length, p.States, p.Transitions }) w.WriteNumberValue(v);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteBoolean("partitioned", e.Partitioned);
        w.WriteBoolean("complete", e.Complete);
        w.WriteNumber("seconds", e.Elapsed.TotalSeconds);
        w.WriteEndObject();
    }

    private static void Longs(Utf8JsonWriter w, string name, long[] values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}

/// <summary>One step of a sweep shard: the bounds explored and one partial per reading over the shard's share of their inputs.</summary>
/// <param name="Bounds">The step's bounds, as <see cref="BoundsSpace.ToString"/> writes them.</param>
/// <param name="Readings">One partial per reading, in order.</param>
public sealed record StepPartial(string Bounds, IReadOnlyList<ReadingPartial> Readings);
