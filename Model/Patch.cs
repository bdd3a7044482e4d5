using System.Collections.Immutable;

namespace Klp.Check.Model;

/// <summary>Who built a patch: the OS vendor or a customer. The kernel never sees it; invariants use it.</summary>
public enum Origin : byte
{
    /// <summary>Built and released by the OS vendor.</summary>
    Vendor,
    /// <summary>Built by a customer for its own systems.</summary>
    Customer,
}

/// <summary>What a patch is meant to be; descriptive, used by invariants and encoders.</summary>
public enum PatchKind : byte
{
    /// <summary>A release that absorbs every earlier release of its origin.</summary>
    Cumulative,
    /// <summary>A fix meant to coexist with the current cumulative.</summary>
    Hotfix,
}

/// <summary>A patched function, <c>(object, name, sympos)</c>; object is <c>vmlinux</c> or a module name.</summary>
/// <remarks>sympos 0 means "the unique symbol"; under normalized identity it equals sympos 1.</remarks>
public readonly record struct FunctionId(string Object, string Name, int Sympos)
{
    /// <summary>The kernel object of every function that names none.</summary>
    public const string Vmlinux = "vmlinux";

    /// <summary>The identity under <see cref="FunctionIdentity.Normalized"/>: sympos 0 and 1 are one function.</summary>
    public FunctionId Normalized => Sympos == 0 ? this with { Sympos = 1 } : this;

    /// <summary>The scenario-file spelling: <c>[object:]name[@sympos]</c>.</summary>
    public override string ToString()
    {
        var obj = Object == Vmlinux ? "" : Object + ":";
        var pos = Sympos == 0 ? "" : "@" + Sympos;
        return obj + Name + pos;
    }
}

/// <summary>A livepatch state (<c>struct klp_state</c>): an id, a version and the pending <c>block_disable</c> flag.</summary>
public readonly record struct KlpState(uint Id, uint Version, bool BlockDisable)
{
    /// <summary>The scenario-file spelling: <c>id:vVERSION[:block_disable]</c>.</summary>
    public override string ToString() => $"{Id}:v{Version}" + (BlockDisable ? ":block_disable" : "");
}

/// <summary>How a patch's <c>replace_sets[]</c> list is given: fixed numbers, or chosen at load time by user space.</summary>
public enum SetSource : byte
{
    /// <summary>The numbers in <see cref="Patch.Sets"/>, fixed at build time.</summary>
    Fixed,
    /// <summary>The smallest set number of at least 1 that no entry of <c>Patches</c> occupies.</summary>
    Auto,
    /// <summary>The set that <see cref="Patch.AutoOf"/> occupies if it is in <c>Patches</c>, else as <see cref="Auto"/>.</summary>
    AutoOf,
}

/// <summary>One livepatch module build: an entry of a catalog.</summary>
/// <param name="Name">The module name, unique within a catalog.</param>
/// <param name="Origin">Vendor or customer.</param>
/// <param name="Kind">Cumulative or hotfix.</param>
/// <param name="Release">Order among patches of the same origin (older is smaller).</param>
/// <param name="Funcs">The functions the patch replaces.</param>
/// <param name="States">The states the patch declares.</param>
/// <param name="Replace">Upstream's <c>bool replace</c>.</param>
/// <param name="Sets">The <c>replace_sets[]</c> list, when <see cref="SetSource"/> is <see cref="SetSource.Fixed"/>.</param>
/// <param name="SetSource">Whether the sets are fixed or allocated at load time.</param>
/// <param name="AutoOf">For <see cref="SetSource.AutoOf"/>, the patch whose set is reused.</param>
/// <param name="Updates">For a hotfix that is the next version of another, that hotfix's name.</param>
public sealed record Patch(
    string Name,
    Origin Origin,
    PatchKind Kind,
    int Release,
    ImmutableArray<FunctionId> Funcs,
    ImmutableArray<KlpState> States,
    bool Replace,
    ImmutableArray<uint> Sets,
    SetSource SetSource = SetSource.Fixed,
    string? AutoOf = null,
    string? Updates = null)
{
    /// <summary>The default <c>replace_sets</c> of a patch that names none: <c>{0}</c>.</summary>
    public static readonly ImmutableArray<uint> DefaultSets = [0u];

    /// <summary>The sets as written in a scenario file: <c>{1,2}</c>, <c>auto</c> or <c>auto(H)</c>.</summary>
    public string SetsText => SetSource switch
    {
        SetSource.Auto => "auto",
        SetSource.AutoOf => $"auto({AutoOf})",
        _ => "{" + string.Join(",", Sets) + "}",
    };

    /// <summary>What a patch name (and a plan label) may hold, in words.</summary>
    public const string NameRule = "ASCII letters, digits, _ - . +";

    /// <summary>Whether a text is a patch name: <see cref="NameRule"/>, so that every name written into a scenario reads back.</summary>
    public static bool IsName(string name) => name.Length > 0 && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-' or '.' or '+');

    /// <summary>The function a patch or release patches of its own when none is given: its name with every character but ASCII letters and digits as <c>_</c>, then <c>_fn</c> (<c>klp-1a</c> patches <c>klp_1a_fn</c>).</summary>
    public static string OwnFunction(string name) => new string([.. name.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '_')]) + "_fn";
}
