using System.Text.Json;
using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Shards;

/// <summary>Reads a partial result strictly (docs/json.md, "Partial results"): at most <see cref="MaxBytes"/>, every field present once with its type and range, no other field; anything else is one line <c>FILE:LINE:COLUMN: message</c>.</summary>
/// <remarks>
/// It reads the bytes once, token by token, into the partial's records: memory stays proportional to
/// what the file holds, and nothing is counted or replayed here. Whether the partial belongs to the
/// run and its traces replay is <see cref="ShardAudit"/>'s question.
/// </remarks>
public static class PartialReader
{
    /// <summary>The largest partial result read, in bytes (64 MiB); a shard refuses to write a larger one.</summary>
    public const int MaxBytes = 64 << 20;

    /// <summary>The largest count a partial may hold (2^53 - 1, the largest integer every JSON reader keeps exactly).</summary>
    public const long MaxCount = (1L << 53) - 1;

    /// <summary>The most seconds of wall time one partial may report (10^9 s, about 31 years).</summary>
    public const double MaxSeconds = 1e9;

    private static readonly int OpKinds = Enum.GetValues<OpKind>().Length;
    private static readonly int Reasons = Enum.GetValues<Reason>().Length;
    private const int AllFeatures = (int)(InputFeatures.SharedFunction | InputFeatures.States);

    /// <summary>Reads the partial result in a file of at most <see cref="MaxBytes"/>; null with one line (FILE:LINE:COLUMN where there is a place) when it cannot be read or is not one.</summary>
    /// <remarks>The caller checks that the path names a regular file: opening a FIFO would wait for a writer.</remarks>
    public static PartialResult? Read(string path, out string? error)
    {
        error = null;
        byte[] bytes;
        try
        {
            if (InputFile.ReadAtMost(path, MaxBytes) is not { } read)
            {
                error = $"{path}: more than {MaxBytes >> 20} MiB, the most merge reads of a partial result";
                return null;
            }
            bytes = read;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"{path}: cannot read: {e.Message}";
            return null;
        }
        return Parse(bytes, path, out error);
    }

    // A partial result from its bytes; path names it in the error.
    private static PartialResult? Parse(byte[] bytes, string path, out string? error)
    {
        error = null;
        var json = new StrictJson(bytes);
        try
        {
            Header(json);
            return Root(json);
        }
        catch (JsonException e)
        {
            error = $"{path}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: not a partial result: invalid JSON";
        }
        catch (StrictJson.Refusal r)
        {
            error = $"{path}:{json.Place(r.Offset)}: {r.Message}";
        }
        return null;
    }

    // What a partial result's root must say before its fields are read: that it is one, of the
    // schema and the tool version this merge reads.
    private static void Header(StrictJson json)
    {
        var r = json.Reader();
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) throw new StrictJson.Refusal(0, NotPartial);
        string? command = null, version = null;
        long? schema = null;
        (long Schema, long Version) at = (0, 0);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var name = StrictJson.Text(ref r);
            r.Read();
            if (name == "command" && r.TokenType == JsonTokenType.String) command = StrictJson.Text(ref r);
            else if (name == "schema" && r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var s)) (schema, at.Schema) = (s, r.TokenStartIndex);
            else if (name == "version" && r.TokenType == JsonTokenType.String) (version, at.Version) = (StrictJson.Text(ref r) ?? "(not UTF-8)", r.TokenStartIndex);
            r.Skip();
        }
        if (command != "partial") throw new StrictJson.Refusal(0, NotPartial);
        if (schema is { } v && v != PartialResult.Schema)
            throw new StrictJson.Refusal(at.Schema, $"a partial result of schema {v}, and this merge reads schema {PartialResult.Schema}: run every shard and the merge with one version");
        if (version is not null && version != PartialResult.ToolVersion)
            throw new StrictJson.Refusal(at.Version, $"merge: written by klp-check {version}, and this is {PartialResult.ToolVersion}: run every shard and the merge with one version");
    }

    private const string NotPartial = "not a partial result (written by compare, check or sweep with --out FILE)";

    private static PartialResult Root(StrictJson json)
    {
        var r = json.Reader();
        var o = json.Object(ref r, "", ["tool", "command", "schema", "kind", "version", "shard", "arguments", "identity", "readings", "equivalence", "steps"], ["report"]);
        string kind = "", version = "";
        Shard shard = default;
        List<string> arguments = [];
        List<(string, string)> identity = [];
        List<ReadingPartial> readings = [];
        EquivalencePartial? equivalence = null;
        List<StepPartial> steps = [];
        while (json.Member(ref r, o) is { } name)
        {
            switch (name)
            {
                case "tool": json.Exactly(ref r, "tool", "klp-check"); break;
                case "command": json.Exactly(ref r, "command", "partial"); break;
                case "schema": json.Long(ref r, "schema", PartialResult.Schema, PartialResult.Schema); break;
                case "kind": kind = json.OneOf(ref r, "kind", "compare", "check", "sweep"); break;
                case "version": version = json.String(ref r, "version"); break;
                case "shard":
                    var at = r.TokenStartIndex;
                    shard = Shard.Parse(json.String(ref r, "shard"), out var shardError) ?? throw new StrictJson.Refusal(at, $"shard: {shardError}");
                    break;
                case "arguments": arguments = json.Array(ref r, "arguments", (ref Utf8JsonReader e, string where) => json.String(ref e, where)); break;
                case "identity":
                    var fields = json.Object(ref r, "identity", null);
                    while (json.Member(ref r, fields) is { } field) identity.Add((field, json.String(ref r, "identity." + field)));
                    break;
                case "readings": readings = json.Array(ref r, "readings", (ref Utf8JsonReader e, string where) => Reading(json, ref e, where)); break;
                case "equivalence":
                    if (r.TokenType == JsonTokenType.Null) r.Read();
                    else equivalence = Equivalence(json, ref r);
                    break;
                case "report":
                    throw new StrictJson.Refusal(r.TokenStartIndex, "report: a partial result carries no report options: merge takes --format, --expect and --save-baseline from its own command line only");
                case "steps": steps = json.Array(ref r, "steps", (ref Utf8JsonReader e, string where) => Step(json, ref e, where)); break;
            }
        }
        return new PartialResult(kind, version, shard, arguments, identity, readings, equivalence) { Steps = steps };
    }

    private static StepPartial Step(StrictJson json, ref Utf8JsonReader r, string where)
    {
        var o = json.Object(ref r, where, ["bounds", "readings"]);
        var bounds = "";
        List<ReadingPartial> readings = [];
        while (json.Member(ref r, o) is { } name)
        {
            if (name == "bounds") bounds = json.String(ref r, where + ".bounds");
            else readings = json.Array(ref r, where + ".readings", (ref Utf8JsonReader e, string at) => Reading(json, ref e, at));
        }
        return new StepPartial(bounds, readings);
    }

    private static ReadingPartial Reading(StrictJson json, ref Utf8JsonReader r, string where)
    {
        var o = json.Object(ref r, where, ["inputsChecked", "complete", "catalogs", "states", "transitions", "maxDepth", "accepted", "offered", "refused",
            "cut", "collisions", "seconds", "properties"]);
        var p = new ReadingPartial();
        var properties = new List<PropertyPartial?>();
        while (json.Member(ref r, o) is { } name)
        {
            var at = $"{where}.{name}";
            switch (name)
            {
                case "inputsChecked": p.InputsChecked = json.Int(ref r, at, 0); break;
                case "complete": p.Complete = json.Bool(ref r, at); break;
                case "catalogs": p.Catalogs = json.Int(ref r, at, 0); break;
                case "states": p.States = json.Long(ref r, at, 0, MaxCount); break;
                case "transitions": p.Transitions = json.Long(ref r, at, 0, MaxCount); break;
                case "maxDepth": p.MaxDepth = json.Int(ref r, at, 0); break;
                case "accepted": json.Counts(ref r, at, p.Accepted); break;
                case "offered": p.Offered = json.Int(ref r, at, 0, (1 << OpKinds) - 1); break;
                case "refused": json.Counts(ref r, at, p.Refused); break;
                case "cut": p.Cut.AddRange(ReadingCuts(json, ref r, at)); break;
                case "collisions":
                    p.Collisions.AddRange(json.Array(ref r, at, (ref Utf8JsonReader e, string w) =>
                    {
                        json.Tuple(ref e, w, 2);
                        var c = (json.Int(ref e, w + "[0]", 0), json.Number(ref e, w + "[1]", double.Epsilon, 1));
                        json.EndTuple(ref e, w, 2);
                        return c;
                    }));
                    break;
                case "seconds": p.Elapsed = TimeSpan.FromSeconds(json.Number(ref r, at, 0, MaxSeconds)); break;
                case "properties": properties = json.Array(ref r, at, (ref Utf8JsonReader e, string w) => Property(json, ref e, w)); break;
            }
        }
        return new ReadingPartial
        {
            Properties = [.. properties], InputsChecked = p.InputsChecked, Complete = p.Complete, Catalogs = p.Catalogs, States = p.States,
            Transitions = p.Transitions, MaxDepth = p.MaxDepth, Accepted = p.Accepted, Offered = p.Offered, Refused = p.Refused, Cut = p.Cut,
            Collisions = p.Collisions, Elapsed = p.Elapsed,
        };
    }

    // An exploration's cut inputs: [index, cap, frontier states].
    private static List<(int Index, string Cap, long Frontier)> ReadingCuts(StrictJson json, ref Utf8JsonReader r, string where)
    {
        var caps = new Caps();
        return json.Array(ref r, where, (ref Utf8JsonReader e, string w) =>
        {
            json.Tuple(ref e, w, 3);
            var cut = (json.Int(ref e, w + "[0]", 0), caps.Of(json.String(ref e, w + "[1]")), json.Long(ref e, w + "[2]", 0, MaxCount));
            json.EndTuple(ref e, w, 3);
            return cut;
        });
    }

    // The equivalence phase's cut inputs: [index, cap].
    private static List<(int Index, string Cap)> Cuts(StrictJson json, ref Utf8JsonReader r, string where)
    {
        var caps = new Caps();
        return json.Array(ref r, where, (ref Utf8JsonReader e, string w) =>
        {
            json.Tuple(ref e, w, 2);
            var cut = (json.Int(ref e, w + "[0]", 0), caps.Of(json.String(ref e, w + "[1]")));
            json.EndTuple(ref e, w, 2);
            return cut;
        });
    }

    // One string per cap, however many inputs it cut.
    private sealed class Caps
    {
        private readonly Dictionary<string, string> known = new(StringComparer.Ordinal);

        public string Of(string cap) => known.TryAdd(cap, cap) ? cap : known[cap];
    }

    private static PropertyPartial? Property(StrictJson json, ref Utf8JsonReader r, string where)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            r.Read();
            return null;
        }
        var o = json.Object(ref r, where, ["applicable", "needed", "undecided", "undecidedFeatures", "firstUndecided", "frontier", "tracked", "cases"], ["firstCap", "best"]);
        var p = new PropertyPartial();
        while (json.Member(ref r, o) is { } name)
        {
            var at = $"{where}.{name}";
            switch (name)
            {
                case "applicable": p.Applicable = json.Int(ref r, at, 0); break;
                case "needed": p.Needed = (InputFeatures)json.Int(ref r, at, 0, AllFeatures); break;
                case "undecided": p.Undecided = json.Int(ref r, at, 0); break;
                case "undecidedFeatures": p.UndecidedFeatures = (InputFeatures)json.Int(ref r, at, 0, AllFeatures); break;
                case "firstUndecided": p.FirstUndecided = json.Int(ref r, at, -1); break;
                case "firstCap": p.FirstCap = json.String(ref r, at); break;
                case "frontier": p.Frontier = json.Long(ref r, at, 0, MaxCount); break;
                case "tracked": p.Tracked = json.Bool(ref r, at); break;
                case "cases": p.Cases = json.Int(ref r, at, 0); break;
                case "best": p.Best = Best(json, ref r, at); break;
            }
        }
        return p;
    }

    private static Candidate Best(StrictJson json, ref Utf8JsonReader r, string where)
    {
        var o = json.Object(ref r, where, ["features", "index", "trace", "message"]);
        var (features, index, message) = (InputFeatures.None, 0, "");
        List<Operation> trace = [];
        while (json.Member(ref r, o) is { } name)
        {
            var at = $"{where}.{name}";
            switch (name)
            {
                case "features": features = (InputFeatures)json.Int(ref r, at, 0, AllFeatures); break;
                case "index": index = json.Int(ref r, at, 0); break;
                case "message": message = json.String(ref r, at); break;
                case "trace":
                    trace = json.Array(ref r, at, (ref Utf8JsonReader e, string w) =>
                    {
                        var start = e.TokenStartIndex;
                        var code = json.Int(ref e, w, 0, (1 << 24) - 1);
                        if (code >> 16 >= OpKinds) throw new StrictJson.Refusal(start, $"{w}: {code} names no operation (kind << 16 | patch << 8 | add_sets variant, kind below {OpKinds})");
                        return new Operation((OpKind)(code >> 16), (byte)(code >> 8), (byte)code);
                    });
                    break;
            }
        }
        return new Candidate(features, trace.Count, index, trace, message);
    }

    private static EquivalencePartial Equivalence(StrictJson json, ref Utf8JsonReader r)
    {
        var o = json.Object(ref r, "equivalence", ["readings", "apart", "joined", "phaseStates", "phaseTransitions", "cut", "pairs", "partitioned", "complete", "seconds"]);
        var n = 0;
        long apartAt = 0, joinedAt = 0;
        string apart = "";
        List<long> joined = [];
        long phaseStates = 0, phaseTransitions = 0;
        List<(int, string)> cut = [];
        List<(long At, int Slot, PairPartial Pair)> pairs = [];
        bool partitioned = false, complete = false;
        var seconds = 0.0;
        while (json.Member(ref r, o) is { } name)
        {
            var at = "equivalence." + name;
            switch (name)
            {
                case "readings": n = json.Int(ref r, at, 1, 4096); break;
                case "apart": (apartAt, apart) = (r.TokenStartIndex, json.String(ref r, at)); break;
                case "joined": (joinedAt, joined) = (r.TokenStartIndex, json.Array(ref r, at, (ref Utf8JsonReader e, string w) => json.Long(ref e, w, 0, MaxCount))); break;
                case "phaseStates": phaseStates = json.Long(ref r, at, 0, MaxCount); break;
                case "phaseTransitions": phaseTransitions = json.Long(ref r, at, 0, MaxCount); break;
                case "cut": cut = Cuts(json, ref r, at); break;
                case "pairs":
                    pairs = json.Array(ref r, at, (ref Utf8JsonReader e, string w) =>
                    {
                        var start = e.TokenStartIndex;
                        json.Tuple(ref e, w, 7);
                        var slot = json.Int(ref e, w + "[0]", 0);
                        var p = new PairPartial
                        {
                            Count = json.Int(ref e, w + "[1]", 0), Index = json.Int(ref e, w + "[2]", -1), Features = (InputFeatures)json.Int(ref e, w + "[3]", 0, AllFeatures),
                            Length = json.Int(ref e, w + "[4]", 0), States = json.Long(ref e, w + "[5]", 0, MaxCount), Transitions = json.Long(ref e, w + "[6]", 0, MaxCount),
                        };
                        json.EndTuple(ref e, w, 7);
                        return (start, slot, p);
                    });
                    break;
                case "partitioned": partitioned = json.Bool(ref r, at); break;
                case "complete": complete = json.Bool(ref r, at); break;
                case "seconds": seconds = json.Number(ref r, at, 0, MaxSeconds); break;
            }
        }
        if (apart.Length != (long)n * n || apart.Any(c => c is not ('0' or '1')))
            throw new StrictJson.Refusal(apartAt, $"equivalence.apart: {n * n} characters 0 or 1 (one per pair of the {n} readings), not {apart.Length}");
        if (joined.Count != n) throw new StrictJson.Refusal(joinedAt, $"equivalence.joined: {n} counts (one per reading), not {joined.Count}");
        var result = new EquivalencePartial
        {
            Readings = n, Apart = [.. apart.Select(c => c == '1')], Joined = [.. joined], Pairs = new PairPartial?[n * n],
            PhaseStates = phaseStates, PhaseTransitions = phaseTransitions, Cut = cut, Partitioned = partitioned, Complete = complete,
            Elapsed = TimeSpan.FromSeconds(seconds),
        };
        foreach (var (at, slot, pair) in pairs)
        {
            if (slot >= n * n || slot / n >= slot % n) throw new StrictJson.Refusal(at, $"equivalence.pairs: {slot} is no pair x * {n} + y of readings x < y");
            if (result.Pairs[slot] is not null) throw new StrictJson.Refusal(at, $"equivalence.pairs: the pair {slot} appears twice");
            result.Pairs[slot] = pair;
        }
        return result;
    }
}
