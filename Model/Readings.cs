namespace Klp.Check.Model;

/// <summary>The readings of the 2026 discussion (docs/semantics.md section 4): the built-in proposals, parsed from the <c>proposals/*.proposal</c> files embedded in this assembly.</summary>
/// <remarks>Each file is the one definition of its reading; the fields below are handles for code and tests.</remarks>
public static class Readings
{
    /// <summary>Today's kernel, <c>bool replace</c>.</summary>
    public static readonly Reading Upstream = Builtin("upstream");

    /// <summary>The v2/v3 patchset's <c>u32 replace_set</c>.</summary>
    public static readonly Reading ReplaceSet = Builtin("replace-set");

    /// <summary>Set 0 is the global cumulative, other sets are overlays it wipes.</summary>
    public static readonly Reading ZeroReplacesAll = Builtin("zero-replaces-all");

    /// <summary>Positional, but 0 only as the whole list <c>{0}</c>, replaced only by <c>{0}</c>.</summary>
    public static readonly Reading ZeroOnlyByZero = Builtin("zero-only-by-zero");

    /// <summary><c>replace_set</c> plus a <c>supersedes[]</c> array.</summary>
    public static readonly Reading Supersedes = Builtin("supersedes");

    /// <summary><c>replace_sets[] = {own, evicted...}</c>, Joe's reading 1.</summary>
    public static readonly Reading Positional = Builtin("positional");

    /// <summary>The patch belongs to every listed set, Joe's reading 2.</summary>
    public static readonly Reading Flat = Builtin("flat");

    /// <summary>Petr's reading 3, the patch replaces the given set of sets.</summary>
    public static readonly Reading Set = Builtin("set");

    /// <summary>Petr's <c>slot</c> + <c>merge_slots[]</c> + <c>add_merge_slots</c>.</summary>
    public static readonly Reading Slot = Builtin("slot");

    /// <summary>Joe's <c>provides</c> / <c>obsoletes</c> / <c>also_obsoletes</c>.</summary>
    public static readonly Reading Provides = Builtin("provides");

    /// <summary>Yafang's flat mode with hotfix sets chosen by user space.</summary>
    public static readonly Reading FlatDynamic = Builtin("flat-dynamic");

    /// <summary>Every built-in reading, in the order comparisons show them: the eleven above, then any other embedded proposal by name.</summary>
    public static IReadOnlyList<Reading> All { get; } = Collect(
    [
        Upstream, ReplaceSet, ZeroReplacesAll, ZeroOnlyByZero, Supersedes, Positional, Flat, Set, Slot, Provides, FlatDynamic,
    ]);

    private const string ResourcePrefix = "proposals/";

    /// <summary>The text of the embedded <c>proposals/NAME.proposal</c>, or null.</summary>
    public static string? BuiltinText(string name)
    {
        using var stream = typeof(Readings).Assembly.GetManifestResourceStream(ResourcePrefix + name + ".proposal");
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static Reading Builtin(string name)
    {
        var text = BuiltinText(name) ?? throw new InvalidOperationException($"proposals/{name}.proposal is not embedded");
        var reading = ProposalText.Parse(text, name, out var error);
        if (reading is null || reading.Name != name)
            throw new InvalidOperationException($"proposals/{name}.proposal:{error?.Line}:{error?.Column}: {error?.Message ?? "names another reading"}");
        return reading;
    }

    private static Reading[] Collect(Reading[] known)
    {
        var more = typeof(Readings).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".proposal", StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..^".proposal".Length])
            .Where(n => !known.Any(r => r.Name == n))
            .Order(StringComparer.Ordinal)
            .Select(Builtin);
        return [.. known, .. more];
    }

    /// <summary>The preset with this name, or null.</summary>
    public static Reading? Find(string name)
    {
        foreach (var r in All)
            if (r.Name == name) return r;
        return null;
    }

    /// <summary>Finds the reading a name stands for; null with a message when there is none.</summary>
    public delegate Reading? Resolver(string name, out string? error);

    /// <summary>Parses <c>NAME</c> or <c>NAME(option=value,...)</c> for a built-in reading; on failure, <paramref name="error"/> says why.</summary>
    public static Reading? Parse(string text, out string? error) =>
        Parse(text, (string name, out string? message) =>
        {
            message = Find(name) is null ? $"unknown reading '{name}' (known: {string.Join(", ", All.Select(r => r.Name))})" : null;
            return Find(name);
        }, out error);

    /// <summary>Parses <c>NAME(option=value,...)</c>, the name found by <paramref name="resolve"/>; on failure, <paramref name="error"/> says why.</summary>
    public static Reading? Parse(string text, Resolver resolve, out string? error)
    {
        error = null;
        text = text.Trim();
        var open = text.EndsWith(')') ? text.LastIndexOf('(') : text.IndexOf('(');
        var name = open < 0 ? text : text[..open].Trim();
        var reading = resolve(name, out error);
        if (reading is null) return null;
        if (open < 0) return reading;
        if (!text.EndsWith(')'))
        {
            error = $"reading '{text}' lacks a closing ')'";
            return null;
        }
        var options = reading.Options;
        foreach (var part in text[(open + 1)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ReadingOptionText.TryApply(ref options, part, out error)) return null;
        }
        return reading.With(options);
    }
}

/// <summary>The text forms of <see cref="ReadingOptions"/>: <c>isolation=functions-only</c> and so on.</summary>
public static class ReadingOptionText
{
    /// <summary>Every option name with its values, the first being the name used in documentation order.</summary>
    public static IReadOnlyList<(string Name, string[] Values)> Options { get; } =
    [
        ("isolation", ["functions+states", "functions-only", "none"]),
        ("states", ["versions", "block-disable"]),
        ("function-identity", ["normalized", "exact"]),
        ("partial-overlap", ["refuse", "replace"]),
        ("mode", ["atomic", "two-phase"]),
    ];

    /// <summary>The name of a granularity as the <c>mode</c> option and directive spell it.</summary>
    public static string ModeName(Granularity granularity) => Options[4].Values[(int)granularity];

    /// <summary>Applies one <c>name=value</c> setting.</summary>
    public static bool TryApply(ref ReadingOptions options, string setting, out string? error)
    {
        error = null;
        var eq = setting.IndexOf('=');
        if (eq < 0)
        {
            error = $"option '{setting}' is not of the form name=value";
            return false;
        }
        var name = setting[..eq].Trim();
        var value = setting[(eq + 1)..].Trim();
        foreach (var (n, values) in Options)
        {
            if (n != name) continue;
            var i = Array.IndexOf(values, value);
            if (i < 0)
            {
                error = $"option {name} takes {string.Join("|", values)}, not '{value}'";
                return false;
            }
            options = name switch
            {
                "isolation" => options with { Isolation = (Isolation)i },
                "states" => options with { States = (StateRules)i },
                "function-identity" => options with { FunctionIdentity = (FunctionIdentity)i },
                "partial-overlap" => options with { PartialOverlap = (PartialOverlap)i },
                _ => options with { Granularity = (Granularity)i },
            };
            return true;
        }
        error = $"unknown option '{name}' (known: {string.Join(", ", Options.Select(o => o.Name))})";
        return false;
    }

    /// <summary>Every option as <c>name=value</c>.</summary>
    public static IReadOnlyList<string> Format(ReadingOptions o) =>
    [
        "isolation=" + Options[0].Values[(int)o.Isolation],
        "states=" + Options[1].Values[(int)o.States],
        "function-identity=" + Options[2].Values[(int)o.FunctionIdentity],
        "partial-overlap=" + Options[3].Values[(int)o.PartialOverlap],
        "mode=" + Options[4].Values[(int)o.Granularity],
    ];

    /// <summary>The <c>name=value</c> settings of <paramref name="actual"/> that differ from <paramref name="preset"/>, mode excluded.</summary>
    public static IReadOnlyList<string> Differences(ReadingOptions preset, ReadingOptions actual)
    {
        var a = Format(actual);
        var p = Format(preset);
        var diffs = new List<string>();
        for (var i = 0; i < a.Count - 1; i++)
            if (a[i] != p[i]) diffs.Add(a[i]);
        return diffs;
    }
}
