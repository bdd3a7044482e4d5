namespace Klp.Check.Model;

/// <summary>Which entries of <c>Patches</c> a load replaces, <c>R(P)</c>.</summary>
public enum ReplaceRule : byte
{
    /// <summary>Upstream: every entry if <c>P.replace</c>, else none.</summary>
    ByReplaceFlag,
    /// <summary>Entries whose occupied sets intersect the sets P lists (own, evicted and added).</summary>
    Intersecting,
    /// <summary>Entries whose occupied sets are a subset of the sets P lists.</summary>
    Subset,
}

/// <summary>Which sets a loaded patch occupies.</summary>
public enum Membership : byte
{
    /// <summary>None: upstream has no sets.</summary>
    None,
    /// <summary>Only its own set, the first of its list.</summary>
    OwnSet,
    /// <summary>Every set it lists, plus <c>add_sets</c>.</summary>
    AllListed,
}

/// <summary>What set number 0 means.</summary>
public enum ZeroRule : byte
{
    /// <summary>An ordinary set.</summary>
    Ordinary,
    /// <summary>A set-0 patch replaces every entry (the global cumulative).</summary>
    ReplacesAll,
    /// <summary>0 may appear only as the whole list <c>{0}</c>, which replaces only <c>{0}</c> patches.</summary>
    OnlyByZero,
}

/// <summary>How many sets a patch may list.</summary>
public enum SetArity : byte
{
    /// <summary>Exactly one (a <c>u32 replace_set</c>).</summary>
    Single,
    /// <summary>A non-empty list.</summary>
    List,
}

/// <summary>Which overlaps with entries that are not replaced refuse a load.</summary>
public enum Isolation : byte
{
    /// <summary>A shared function or a shared state id.</summary>
    FunctionsAndStates,
    /// <summary>Only a shared function (Petr: only functions can be compared reliably).</summary>
    FunctionsOnly,
    /// <summary>Nothing: patches stack and the newest wins.</summary>
    None,
}

/// <summary>The state compatibility rules.</summary>
public enum StateRules : byte
{
    /// <summary>Upstream and the v2 code: a replacing patch declares every replaced state with a version at least as high.</summary>
    Versions,
    /// <summary>Petr's pending states API: versions are ignored; <c>block_disable</c> states must be kept and block disabling.</summary>
    BlockDisable,
}

/// <summary>How functions are compared in the conflict check.</summary>
public enum FunctionIdentity : byte
{
    /// <summary>sympos 0 and sympos 1 are the same function.</summary>
    Normalized,
    /// <summary>sympos compared literally, as <c>klp_find_func()</c> did before commit 139560e8b973 ("livepatch: Match old_sympos 0 and 1 in klp_find_func()", 6.19 and the stable trees): kernels without that commit. A conflict check built on it (the v2 patchset reuses it) misses <c>f</c> against <c>f@1</c>, and a replacing load's nop for one clashes with the other (<c>EEXIST</c>).</summary>
    Exact,
}

/// <summary>Whether a load or disable completes its transition in the same step.</summary>
public enum Granularity : byte
{
    /// <summary>The transition completes in the same step; Complete, Reverse and Force never apply.</summary>
    Atomic,
    /// <summary>As the kernel does it: the transition stays open until Complete, Reverse or Force.</summary>
    TwoPhase,
}

/// <summary>What the <c>set</c> reading does with an entry that intersects the new patch's sets without being a subset.</summary>
public enum PartialOverlap : byte
{
    /// <summary>Refuse the load (<c>EINVAL</c> / <c>partial-set-overlap</c>): Petr says such a hotfix must take a new set.</summary>
    Refuse,
    /// <summary>Replace the entry, as the flat reading does.</summary>
    Replace,
}

/// <summary>The options every command can set on any reading: the <b>[choice]</b>s of the specification.</summary>
/// <param name="Isolation">Which overlaps with unreplaced entries refuse a load.</param>
/// <param name="States">The state compatibility rules.</param>
/// <param name="FunctionIdentity">How functions are compared in the conflict check.</param>
/// <param name="PartialOverlap">What a partial set overlap does (readings with <see cref="ReplaceRule.Subset"/>).</param>
/// <param name="Granularity">Atomic or two-phase transitions.</param>
public readonly record struct ReadingOptions(
    Isolation Isolation,
    StateRules States,
    FunctionIdentity FunctionIdentity = FunctionIdentity.Normalized,
    PartialOverlap PartialOverlap = PartialOverlap.Refuse,
    Granularity Granularity = Granularity.Atomic);

/// <summary>A replace proposal as data: a named set of policies that <see cref="Kernel.Step"/> interprets (a <c>*.proposal</c> file, <see cref="ProposalText"/>).</summary>
/// <param name="Name">The stable name, as used on the command line.</param>
/// <param name="Replace">Which entries a load replaces.</param>
/// <param name="Membership">Which sets a loaded patch occupies.</param>
/// <param name="Zero">What set 0 means.</param>
/// <param name="Arity">How many sets a patch may list.</param>
/// <param name="AddSetsParameter">Whether the <c>add_sets</c> load parameter exists.</param>
/// <param name="StatesCheckedAgainstAll">Upstream: a declared state id needs a version at least that of every entry, replaced or not.</param>
/// <param name="Options">The options in force.</param>
public sealed record Reading(
    string Name,
    ReplaceRule Replace,
    Membership Membership,
    ZeroRule Zero,
    SetArity Arity,
    bool AddSetsParameter,
    bool StatesCheckedAgainstAll,
    ReadingOptions Options)
{
    /// <summary>One line on what the reading means.</summary>
    public string Description { get; init; } = "";
    /// <summary>The patch fields the reading reads, in the discussion's names.</summary>
    public string Fields { get; init; } = "";
    /// <summary>The name the discussion gave the load parameter, if the reading has one.</summary>
    public string? ParameterName { get; init; }
    /// <summary>Where in the discussion the reading comes from: author, date and link.</summary>
    public string Source { get; init; } = "";
    /// <summary>How a vendor following this proposal builds a release plan.</summary>
    public PlanEncoding Encoding { get; init; } = PlanEncoding.Array;

    /// <summary>The options as the reading's proposal file sets them, against which <see cref="DisplayName"/> shows changes; null for a reading built in code.</summary>
    public ReadingOptions? Defaults { get; init; }

    /// <summary>True for every reading that has sets (all but upstream).</summary>
    public bool HasSets => Membership != Membership.None;

    /// <summary>The same reading with other options.</summary>
    public Reading With(ReadingOptions options) => this with { Options = options };

    /// <summary>The same reading in another mode (atomic or two-phase), its other options kept.</summary>
    public Reading WithGranularity(Granularity granularity) => With(Options with { Granularity = granularity });

    /// <summary>The reading's name with every option that differs from its preset's default, e.g. <c>flat(states=versions)</c>.</summary>
    public string DisplayName
    {
        get
        {
            if (Defaults is not { } defaults) return Name;
            var diffs = ReadingOptionText.Differences(defaults, Options);
            return diffs.Count == 0 ? Name : $"{Name}({string.Join(",", diffs)})";
        }
    }
}
