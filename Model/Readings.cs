namespace Klp.Check.Model;

/// <summary>The readings of the 2026 discussion, one preset each (docs/semantics.md section 4).</summary>
public static class Readings
{
    private static readonly ReadingOptions stacking = new(Isolation.None, StateRules.Versions);
    private static readonly ReadingOptions v2 = new(Isolation.FunctionsAndStates, StateRules.Versions);
    private static readonly ReadingOptions june = new(Isolation.FunctionsAndStates, StateRules.BlockDisable);

    /// <summary>4.1: today's kernel, <c>bool replace</c>.</summary>
    public static readonly Reading Upstream = new("upstream", ReplaceRule.ByReplaceFlag, Membership.None, ZeroRule.Ordinary, SetArity.Single, false, true, stacking)
    {
        Description = "today's kernel: a replace patch replaces every patch, others stack and the newest wins",
        Fields = "replace",
        Source = "upstream since 5.1 (atomic replace) and 5.5 (states); Documentation/livepatch/cumulative-patches.rst",
        Section = "4.1",
        Encoding = PlanEncoding.ReplaceFlag,
    };

    /// <summary>4.2: the v2/v3 patchset's <c>u32 replace_set</c>.</summary>
    public static readonly Reading ReplaceSet = new("replace-set", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.Ordinary, SetArity.Single, false, false, v2)
    {
        Description = "one u32 set per patch; a load replaces the patches of its set, sets are isolated",
        Fields = "replace_set",
        Source = "Yafang Shao, 29 May 2026, [PATCH v2 2/4] https://lore.kernel.org/all/20260529034542.68766-3-laoar.shao@gmail.com/",
        Section = "4.2",
        Encoding = PlanEncoding.SingleSet,
    };

    /// <summary>4.3: set 0 is the global cumulative, other sets are overlays it wipes.</summary>
    public static readonly Reading ZeroReplacesAll = new("zero-replaces-all", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.ReplacesAll, SetArity.Single, false, false, june)
    {
        Description = "one set; a set-0 patch replaces everything, a set-s patch is an overlay replacing set s",
        Fields = "replace_set",
        Source = "Joe Lawrence, 16 Jun 2026, \"solution 1 (.replace_set=0 special) with a special zero-day overlay\" (quoted in https://lore.kernel.org/all/ajL-Y3dapC1FiAwx@redhat.com/) [reconstruction]",
        Section = "4.3",
        Encoding = PlanEncoding.ZeroSet,
    };

    /// <summary>4.4: positional, but 0 only as the whole list <c>{0}</c>, replaced only by <c>{0}</c>.</summary>
    public static readonly Reading ZeroOnlyByZero = new("zero-only-by-zero", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.OnlyByZero, SetArity.List, true, false, june)
    {
        Description = "positional, but {0} is a set of its own that only another {0} patch replaces",
        Fields = "replace_sets[]",
        ParameterName = "add_replace_sets",
        Source = "Petr Mladek, 17 Jun 2026, footnote [*] (quoted in https://www.mail-archive.com/live-patching@vger.kernel.org/msg00612.html)",
        Section = "4.4",
    };

    /// <summary>4.5: <c>replace_set</c> plus a <c>supersedes[]</c> array.</summary>
    public static readonly Reading Supersedes = new("supersedes", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.Ordinary, SetArity.List, true, false, june)
    {
        Description = "own set plus sets it supersedes; occupies only its own set",
        Fields = "replace_set, supersedes[]",
        ParameterName = "add_replace_sets",
        Source = "Petr Mladek / Joe Lawrence, 11-16 Jun 2026, summarised by Joe in https://www.mail-archive.com/live-patching@vger.kernel.org/msg00612.html",
        Section = "4.5",
    };

    /// <summary>4.6: <c>replace_sets[] = {own, evicted...}</c>, Joe's reading 1.</summary>
    public static readonly Reading Positional = new("positional", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.Ordinary, SetArity.List, true, false, june)
    {
        Description = "replace_sets[] = {own, evicted...}: evicts the listed sets, occupies only the first",
        Fields = "replace_sets[]",
        ParameterName = "add_replace_sets",
        Source = "Joe Lawrence, 17 Jun 2026, reading 1, https://www.mail-archive.com/live-patching@vger.kernel.org/msg00612.html",
        Section = "4.6",
    };

    /// <summary>4.7: the patch belongs to every listed set, Joe's reading 2.</summary>
    public static readonly Reading Flat = new("flat", ReplaceRule.Intersecting, Membership.AllListed, ZeroRule.Ordinary, SetArity.List, true, false, june)
    {
        Description = "belongs to every listed set; replaces every patch sharing any of them",
        Fields = "replace_sets[]",
        ParameterName = "add_replace_sets",
        Source = "Joe Lawrence, 17 Jun 2026, reading 2, https://www.mail-archive.com/live-patching@vger.kernel.org/msg00612.html",
        Section = "4.7",
    };

    /// <summary>4.8: Petr's reading 3, the patch replaces the given set of sets.</summary>
    public static readonly Reading Set = new("set", ReplaceRule.Subset, Membership.AllListed, ZeroRule.Ordinary, SetArity.List, true, false, june)
    {
        Description = "belongs to every listed set; replaces patches whose sets it covers, refuses partial overlap",
        Fields = "replace_sets[]",
        ParameterName = "add_replace_sets",
        Source = "Petr Mladek, 18 Jun 2026, reading 3 (quoted in https://www.mail-archive.com/live-patching@vger.kernel.org/msg00630.html)",
        Section = "4.8",
    };

    /// <summary>4.9: Petr's <c>slot</c> + <c>merge_slots[]</c> + <c>add_merge_slots</c>.</summary>
    public static readonly Reading Slot = new("slot", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.Ordinary, SetArity.List, true, false, june)
    {
        Description = "same slot replaces, merge_slots are merged in; occupies only its slot",
        Fields = "slot, merge_slots[]",
        ParameterName = "add_merge_slots",
        Source = "Petr Mladek, 18 Jun 2026 (quoted in https://www.mail-archive.com/live-patching@vger.kernel.org/msg00630.html)",
        Section = "4.9",
    };

    /// <summary>4.9: Joe's <c>provides</c> / <c>obsoletes</c> / <c>also_obsoletes</c>.</summary>
    public static readonly Reading Provides = new("provides", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.Ordinary, SetArity.List, true, false, june)
    {
        Description = "one active patch per provided id; obsoletes replaces other ids",
        Fields = "provides, obsoletes[]",
        ParameterName = "also_obsoletes",
        Source = "Joe Lawrence, 18 Jun 2026, https://www.mail-archive.com/live-patching@vger.kernel.org/msg00630.html",
        Section = "4.9",
    };

    /// <summary>4.10: Yafang's flat mode with hotfix sets chosen by user space.</summary>
    public static readonly Reading FlatDynamic = new("flat-dynamic", ReplaceRule.Intersecting, Membership.AllListed, ZeroRule.Ordinary, SetArity.List, true, false, june)
    {
        Description = "flat in the kernel; hotfixes and customer patches take a free set chosen at load time",
        Fields = "replace_sets[], sysfs replace_set",
        ParameterName = "add_replace_sets",
        Source = "Yafang Shao, 18 Jun 2026, https://www.mail-archive.com/live-patching@vger.kernel.org/msg00613.html (quoted in msg00630)",
        Section = "4.10",
        Encoding = PlanEncoding.Dynamic,
    };

    /// <summary>Every reading, in the order comparisons show them.</summary>
    public static IReadOnlyList<Reading> All { get; } =
    [
        Upstream, ReplaceSet, ZeroReplacesAll, ZeroOnlyByZero, Supersedes, Positional, Flat, Set, Slot, Provides, FlatDynamic,
    ];

    /// <summary>The preset with this name, or null.</summary>
    public static Reading? Find(string name)
    {
        foreach (var r in All)
            if (r.Name == name) return r;
        return null;
    }

    /// <summary>Parses <c>NAME</c> or <c>NAME(option=value,...)</c>; on failure, <paramref name="error"/> says why.</summary>
    public static Reading? Parse(string text, out string? error)
    {
        error = null;
        text = text.Trim();
        var open = text.IndexOf('(');
        var name = open < 0 ? text : text[..open].Trim();
        var preset = Find(name);
        if (preset is null)
        {
            error = $"unknown reading '{name}' (known: {string.Join(", ", All.Select(r => r.Name))})";
            return null;
        }
        if (open < 0) return preset;
        if (!text.EndsWith(')'))
        {
            error = $"reading '{text}' lacks a closing ')'";
            return null;
        }
        var options = preset.Options;
        foreach (var part in text[(open + 1)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ReadingOptionText.TryApply(ref options, part, out error)) return null;
        }
        return preset.With(options);
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
