using System.Text.Json;

namespace Klp.Check.Shards;

/// <summary>Typed reads of a JSON file's tokens that refuse, at the token's place, anything but the type and range asked for: what <see cref="PartialReader"/> reads a partial result with.</summary>
/// <remarks>Each read leaves the reader on the token after the value it read.</remarks>
/// <param name="bytes">The file.</param>
internal sealed class StrictJson(byte[] bytes)
{
    private const int MaxNesting = 16;

    /// <summary>The string or name the reader is on, or null when its bytes are not UTF-8.</summary>
    public static string? Text(ref Utf8JsonReader r)
    {
        try
        {
            return r.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A refusal at a byte offset of the file.</summary>
    /// <param name="offset">Where, in bytes from the start.</param>
    /// <param name="message">What is wrong there.</param>
    public sealed class Refusal(long offset, string message) : Exception(message)
    {
        /// <summary>Where, in bytes from the start.</summary>
        public long Offset { get; } = offset;
    }

    /// <summary>Reads one element of an array at <paramref name="where"/>.</summary>
    public delegate T Element<T>(ref Utf8JsonReader r, string where);

    public Utf8JsonReader Reader() => new(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = MaxNesting });

    // LINE:COLUMN of a byte offset, both from 1, the column in bytes as the JSON reader counts it.
    public string Place(long offset)
    {
        var end = (int)Math.Min(offset, bytes.Length);
        var line = 1;
        var start = 0;
        for (var i = 0; i < end; i++)
            if (bytes[i] == '\n') (line, start) = (line + 1, i + 1);
        return $"{line}:{end - start + 1}";
    }

    // The members an object must have (all of required, any of optional), or any names when
    // required is null; the reader is left on the first member's name.
    public Members Object(ref Utf8JsonReader r, string where, string[]? required, string[]? optional = null)
    {
        if (r.TokenType == JsonTokenType.None) r.Read();
        if (r.TokenType != JsonTokenType.StartObject) throw new Refusal(r.TokenStartIndex, $"{Where(where)}must be an object");
        var members = new Members(where, r.TokenStartIndex, required, optional ?? []);
        r.Read();
        return members;
    }

    // The next member's name, with the reader on its value; null at the end of the object,
    // after refusing a missing member.
    public string? Member(ref Utf8JsonReader r, Members o)
    {
        if (r.TokenType == JsonTokenType.EndObject)
        {
            r.Read();
            if (o.Required?.FirstOrDefault(f => !o.Seen.Contains(f)) is { } missing)
                throw new Refusal(o.Start, $"{Where(o.Where)}the field '{missing}' is missing");
            return null;
        }
        var at = r.TokenStartIndex;
        var name = Text(ref r) ?? throw new Refusal(at, $"{Where(o.Where)}a field name is not UTF-8");
        if (o.Required is not null && !o.Required.Contains(name) && !o.Optional.Contains(name))
            throw new Refusal(at, $"{Where(o.Where)}unknown field '{name}'");
        if (!o.Seen.Add(name)) throw new Refusal(at, $"{Where(o.Where)}the field '{name}' appears twice");
        r.Read();
        return name;
    }

    public List<T> Array<T>(ref Utf8JsonReader r, string where, Element<T> element)
    {
        if (r.TokenType != JsonTokenType.StartArray) throw new Refusal(r.TokenStartIndex, $"{where}: must be an array");
        r.Read();
        var list = new List<T>();
        while (r.TokenType != JsonTokenType.EndArray) list.Add(element(ref r, $"{where}[{list.Count}]"));
        r.Read();
        return list;
    }

    // A fixed-length array of scalars, as [index, value]: the reader is left on its first element.
    public void Tuple(ref Utf8JsonReader r, string where, int length)
    {
        if (r.TokenType != JsonTokenType.StartArray) throw new Refusal(r.TokenStartIndex, $"{where}: must be an array of {length}");
        r.Read();
    }

    public void EndTuple(ref Utf8JsonReader r, string where, int length)
    {
        if (r.TokenType != JsonTokenType.EndArray) throw new Refusal(r.TokenStartIndex, $"{where}: must be an array of {length}");
        r.Read();
    }

    public void Counts(ref Utf8JsonReader r, string where, long[] into)
    {
        var start = r.TokenStartIndex;
        var values = Array(ref r, where, (ref Utf8JsonReader e, string w) => Long(ref e, w, 0, PartialReader.MaxCount));
        if (values.Count != into.Length) throw new Refusal(start, $"{where}: {into.Length} counts, not {values.Count}");
        values.CopyTo(into);
    }

    public long Long(ref Utf8JsonReader r, string where, long min, long max)
    {
        if (r.TokenType != JsonTokenType.Number || !r.TryGetInt64(out var v) || v < min || v > max)
            throw new Refusal(r.TokenStartIndex, $"{where}: must be a whole number from {min} to {max}");
        r.Read();
        return v;
    }

    public int Int(ref Utf8JsonReader r, string where, int min, int max = int.MaxValue) => (int)Long(ref r, where, min, max);

    public double Number(ref Utf8JsonReader r, string where, double min, double max)
    {
        if (r.TokenType != JsonTokenType.Number || !r.TryGetDouble(out var v) || !double.IsFinite(v) || v < min || v > max)
            throw new Refusal(r.TokenStartIndex, $"{where}: must be a number from {min:G3} to {max:G3}");
        r.Read();
        return v;
    }

    public bool Bool(ref Utf8JsonReader r, string where)
    {
        if (r.TokenType is not (JsonTokenType.True or JsonTokenType.False)) throw new Refusal(r.TokenStartIndex, $"{where}: must be true or false");
        var v = r.GetBoolean();
        r.Read();
        return v;
    }

    public string String(ref Utf8JsonReader r, string where)
    {
        if (r.TokenType != JsonTokenType.String) throw new Refusal(r.TokenStartIndex, $"{where}: must be a string");
        var v = Text(ref r) ?? throw new Refusal(r.TokenStartIndex, $"{where}: not UTF-8");
        r.Read();
        return v;
    }

    public void Exactly(ref Utf8JsonReader r, string where, string value)
    {
        var at = r.TokenStartIndex;
        if (String(ref r, where) != value) throw new Refusal(at, $"{where}: must be \"{value}\"");
    }

    public string OneOf(ref Utf8JsonReader r, string where, params string[] values)
    {
        var at = r.TokenStartIndex;
        var v = String(ref r, where);
        return values.Contains(v) ? v : throw new Refusal(at, $"{where}: must be one of {string.Join(", ", values)}");
    }

    private static string Where(string where) => where.Length == 0 ? "" : where + ": ";

    // The members of one object: which it must have, which it may have, which it had.
    internal sealed record Members(string Where, long Start, string[]? Required, string[] Optional)
    {
        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);
    }
}
