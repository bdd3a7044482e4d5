using System.Text.Json;
using System.Text;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Verdicts;

namespace Klp.Check.Reports;

/// <summary>The frame every JSON document of klp-check shares (docs/json.md): tool, command, schema, then the body.</summary>
public static class JsonReport
{
    /// <summary>Writes an indented document whose body <paramref name="body"/> fills, ending with a newline.</summary>
    public static string Write(string command, Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("tool", "klp-check");
            w.WriteString("command", command);
            w.WriteNumber("schema", 1);
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + Environment.NewLine;
    }

    /// <summary>Writes <c>"exhaustive"</c>, false when a cap cut an exploration, and <c>"cutInputs"</c>: each cut input's index (from 0), cap and frontier states, with its reading when given.</summary>
    public static void WriteExhaustive(Utf8JsonWriter w, IEnumerable<(string? Reading, CutInput Cut)> cuts)
    {
        var list = cuts.ToList();
        w.WriteBoolean("exhaustive", list.Count == 0);
        w.WriteStartArray("cutInputs");
        foreach (var (reading, c) in list)
        {
            w.WriteStartObject();
            if (reading is not null) w.WriteString("reading", reading);
            w.WriteNumber("index", c.Index);
            w.WriteString("cap", c.Cap);
            w.WriteNumber("frontier", c.Frontier);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>Writes <c>"input": { "kind", "bounds", "count" }</c>.</summary>
    public static void WriteInput(Utf8JsonWriter w, InputSource source)
    {
        w.WriteStartObject("input");
        w.WriteString("kind", source.Kind);
        w.WriteString("bounds", source.Bound);
        w.WriteNumber("count", source.Count);
        w.WriteEndObject();
    }
}
