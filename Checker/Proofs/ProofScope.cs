using Klp.Check.Model;

namespace Klp.Check.Proofs;

/// <summary>Which catalogs a proof covers: release plans encoded by the reading (as <c>check</c> by default), or raw catalogs with every attribute free (as <c>check --raw</c>).</summary>
public enum InputSpace
{
    /// <summary>Every release plan of at most N releases, each encoded by the reading's encoder (docs/bounds.md).</summary>
    Plans,
    /// <summary>Every catalog of at most N patches whose attributes range freely over bounded universes.</summary>
    Raw,
}

/// <summary>The bounds a proof holds within: the number of patches and, for raw catalogs, the universes of functions, set numbers and state ids the symbolic catalog draws from.</summary>
/// <param name="Patches">N: the catalog has at most this many patches (releases of a plan).</param>
/// <param name="Space">Plans or raw catalogs.</param>
/// <param name="Functions">The functions patches draw from (raw); a plan has one per release.</param>
/// <param name="SetNumbers">The distinct set numbers, 0 included, that lists and <c>add_sets</c> draw from (raw).</param>
/// <param name="StateIds">The distinct state ids patches declare (raw); plans use state 1 only.</param>
/// <param name="VersionBits">The bits of a state version: versions range over 0 to 2^bits - 1 (raw).</param>
public sealed record ProofScope(int Patches, InputSpace Space, int Functions = 3, int SetNumbers = 4, int StateIds = 2, int VersionBits = 2)
{
    /// <summary>The most patches a proof takes (a kernel state holds at most 32).</summary>
    public const int MaxPatches = 32;

    /// <summary>On raw catalogs, the number of patches from which a 1-inductive proof holds for every number of patches (docs/proofs.md, "The cutoff").</summary>
    public const int Cutoff = 5;

    /// <summary>Bits that order the releases of raw patches: enough for N distinct releases.</summary>
    public int ReleaseBits => Math.Max(1, BitsFor(Patches));

    /// <summary>The bits that hold a number from 0 to <paramref name="count"/> - 1.</summary>
    public static int BitsFor(int count) => Math.Max(1, 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)Math.Max(1, count - 1)));

    /// <summary>The function universe of the symbolic catalog under a reading's encoding.</summary>
    public int FunctionCount => Space == InputSpace.Plans ? Patches : Functions;

    /// <summary>The set-number universe: plans give set 0, set 1 and one fresh set per release, or under the dynamic encoding the numbers 0 to 2N that the allocator can reach.</summary>
    public int SetCount(Reading reading) => Space == InputSpace.Raw ? SetNumbers
        : reading.Encoding == PlanEncoding.Dynamic ? 2 * Patches + 1 : Patches + 2;

    /// <summary>The state-id universe.</summary>
    public int StateCount => Space == InputSpace.Plans ? 1 : StateIds;

    /// <summary>Bits of a version: enough for N distinct versions in a plan.</summary>
    public int VersionWidth => Space == InputSpace.Plans ? BitsFor(Patches) : VersionBits;

    /// <summary>One line on what the proof covers, for every report ("for every release plan of at most 8 releases ...").</summary>
    public string Describe(Reading reading)
    {
        var mode = ReadingOptionText.ModeName(reading.Options.Granularity);
        if (Space == InputSpace.Plans)
            return $"for every release plan of at most {Patches} releases (any intents, any customer sharing, any monotone state versions and block_disable flags on cumulatives), "
                + $"encoded by {reading.DisplayName}'s encoder, and every sequence of operations in {mode} mode";
        var sets = reading.HasSets
            ? $"any non-empty list of distinct set numbers drawn from {SetNumbers} (0 and {SetNumbers - 1} others; so at most {SetNumbers} sets per patch), "
              + (reading.AddSetsParameter ? "any non-empty add_sets value from the same numbers at every load, " : "")
            : "any replace flag, ";
        var functions = $"any non-empty set of functions drawn from {Functions}"
            + (reading.Options.FunctionIdentity == FunctionIdentity.Exact ? " each written with sympos 0, 1 or both" : "") + " (a list may name one twice), ";
        var states = $"any states drawn from {StateIds} ids"
            + (reading.Options.States == StateRules.Versions ? $" with versions 0 to {(1L << VersionBits) - 1}" : " with any block_disable flags") + ", ";
        var every = Patches >= Cutoff ? $" (what is proved with k=1 holds for any number of patches: the cutoff is {Cutoff})" : "";
        return $"for every catalog of at most {Patches} patches{every} with {sets}{functions}{states}vendor or customer origin, "
            + $"cumulative or hotfix, any release order, and every sequence of operations in {mode} mode";
    }

    /// <summary>The same bounds, short: <c>N=8 plans</c> or <c>N=8 raw F=3 U=4 S=2 V=2</c>.</summary>
    public override string ToString() => Space == InputSpace.Plans ? $"N={Patches} plans"
        : $"N={Patches} raw F={Functions} U={SetNumbers} S={StateIds} V={VersionBits}";
}
