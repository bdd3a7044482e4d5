using System.Globalization;
using System.Text.Json;
using Klp.Check.Model;

namespace Klp.Check.Reports;

/// <summary>Writes the model's values as JSON (docs/json.md): a reading, an outcome, a kernel state.</summary>
public static class ModelJson
{
    /// <summary>Writes a reading as <c>{"name", "display", "options"}</c>.</summary>
    public static void WriteReading(Utf8JsonWriter w, Reading r)
    {
        w.WriteStartObject();
        w.WriteString("name", r.Name);
        w.WriteString("display", r.DisplayName);
        w.WriteStartObject("options");
        foreach (var setting in ReadingOptionText.Format(r.Options))
        {
            var eq = setting.IndexOf('=');
            w.WriteString(setting[..eq], setting[(eq + 1)..]);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Writes an outcome as properties of the current object: <c>accepted</c>, <c>errno</c>, <c>reason</c>, <c>affected</c>.</summary>
    public static void WriteOutcome(Utf8JsonWriter w, Catalog catalog, Outcome o)
    {
        w.WriteBoolean("accepted", o.Accepted);
        if (o.Accepted)
        {
            w.WriteNull("errno");
            w.WriteNull("reason");
        }
        else
        {
            w.WriteString("errno", o.Errno.ToString());
            w.WriteString("reason", o.Reason.Name());
        }
        WriteNames(w, "affected", catalog, Bits(o.Affected));
    }

    private static void WriteCode(Utf8JsonWriter w, string name, Catalog catalog, int patch)
    {
        if (patch < 0) w.WriteNull(name);
        else w.WriteString(name, catalog[patch].Name);
    }

    /// <summary>Writes every observable of a kernel state as properties of the current object (docs/json.md, STATE).</summary>
    public static void WriteState(Utf8JsonWriter w, Catalog catalog, Reading reading, in KernelState state)
    {
        WriteNames(w, "enabled", catalog, Observables.Enabled(state));
        var patches = new List<int>(state.Count);
        for (var i = 0; i < state.Count; i++) patches.Add(state.PatchAt(i));
        WriteNames(w, "patches", catalog, patches);
        w.WriteStartObject("occupied");
        foreach (var (p, sets) in Observables.OccupiedSets(catalog, reading, state))
        {
            w.WriteStartArray(catalog[p].Name);
            foreach (var n in catalog.SetsOf(sets)) w.WriteNumberValue(n);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteStartObject("active");
        for (var f = 0; f < catalog.Functions.Length; f++)
        {
            var p = Observables.ActiveImplementation(catalog, state, f);
            if (p < 0) w.WriteNull(catalog.Functions[f].ToString());
            else w.WriteString(catalog.Functions[f].ToString(), catalog[p].Name);
        }
        w.WriteEndObject();
        w.WriteStartObject("funcStacks");
        for (var f = 0; f < catalog.Functions.Length; f++)
        {
            var stack = FunctionStack.Of(catalog, state, f);
            if (stack.Count == 0) continue;
            w.WriteStartObject(catalog.Functions[f].ToString());
            w.WriteStartArray("entries");
            foreach (var e in stack)
            {
                w.WriteStartObject();
                w.WriteString("patch", catalog[e.Patch].Name);
                w.WriteBoolean("nop", e.Nop);
                w.WriteBoolean("transition", e.Transition);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteCode(w, "switched", catalog, FunctionStack.Runs(catalog, state, f, switched: true));
            WriteCode(w, "unswitched", catalog, FunctionStack.Runs(catalog, state, f, switched: false));
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartObject("states");
        foreach (var (id, s) in Observables.ActiveStates(catalog, state))
        {
            w.WriteStartObject(id.ToString(CultureInfo.InvariantCulture));
            w.WriteNumber("version", s.Version);
            w.WriteBoolean("blockDisable", s.BlockDisable);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        if (state.InTransition)
        {
            w.WriteStartObject("transition");
            w.WriteString("patch", catalog[state.TransitionPatch].Name);
            w.WriteString("target", state.TargetPatched ? "patched" : "unpatched");
            WriteNames(w, "replacing", catalog, Bits(state.Replacing));
            w.WriteEndObject();
        }
        else w.WriteNull("transition");
        WriteNames(w, "loaded", catalog, Bits(state.Loaded));
        WriteNames(w, "pinned", catalog, Bits(state.Pinned));
    }

    private static void WriteNames(Utf8JsonWriter w, string property, Catalog catalog, IEnumerable<int> patches)
    {
        w.WriteStartArray(property);
        foreach (var p in patches) w.WriteStringValue(catalog[p].Name);
        w.WriteEndArray();
    }

    private static IEnumerable<int> Bits(ulong mask)
    {
        for (var i = 0; i < 64; i++)
            if ((mask & (1UL << i)) != 0) yield return i;
    }
}
