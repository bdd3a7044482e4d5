using System.Diagnostics;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Verdicts;

/// <summary>The policies a combination of the design space chooses, one flag each.</summary>
[Flags]
public enum Policies
{
    /// <summary>No policy.</summary>
    None = 0,
    /// <summary>Which patches a load replaces (<see cref="ReplaceRule"/>).</summary>
    Replace = 1,
    /// <summary>Which sets a loaded patch occupies (<see cref="Model.Membership"/>).</summary>
    Membership = 2,
    /// <summary>What set 0 means (<see cref="ZeroRule"/>).</summary>
    Zero = 4,
    /// <summary>How many sets a patch may list (<see cref="SetArity"/>).</summary>
    Arity = 8,
    /// <summary>Whether the <c>add_sets</c> load parameter exists.</summary>
    AddSets = 16,
    /// <summary>Which overlaps with unreplaced entries refuse a load (<see cref="Model.Isolation"/>).</summary>
    Isolation = 32,
    /// <summary>The state rules (<see cref="StateRules"/>).</summary>
    States = 64,
    /// <summary>How the vendor builds release plans (<see cref="PlanEncoding"/>).</summary>
    Encoding = 128,
}

/// <summary>One combination of policies and what it did to the required properties.</summary>
/// <param name="Reading">The combination, as a reading that <see cref="Kernel.Step"/> interprets.</param>
/// <param name="Relevant">The policies that can matter on the inputs; the others are fixed at one value, since every value behaves the same.</param>
/// <param name="Simplicity">How many policies differ from the simplest choice (the first value of each enum); smaller is simpler.</param>
/// <param name="Matches">The presets of <see cref="Readings.All"/> with the same relevant policies and options, in preset order.</param>
/// <param name="Verdicts">The verdict of every required property.</param>
public sealed record DesignPoint(Reading Reading, Policies Relevant, int Simplicity, IReadOnlyList<string> Matches, IReadOnlyList<Verdict> Verdicts)
{
    /// <summary>True when every required property holds (n/a does not count: a property the combination cannot express is not kept); never on what a cap left unexplored.</summary>
    public bool Keeps => Verdicts.All(v => v.Kind == VerdictKind.Holds);

    /// <summary>True when it is known whether the combination keeps the required properties: it keeps them, or one is violated or n/a.
    /// False when none is violated or n/a but a cap cut an exploration one depends on (it is inconclusive).</summary>
    public bool Decided => Keeps || Verdicts.Any(v => v.Kind is VerdictKind.Violated or VerdictKind.NotApplicable);

    /// <summary>The inputs a cap cut while checking this combination.</summary>
    public IReadOnlyList<CutInput> Cut { get; init; } = [];
}

/// <summary>The combinations tried, simplest first, with the required properties' verdicts.</summary>
/// <param name="Source">What was explored.</param>
/// <param name="Required">The properties every kept combination must keep.</param>
/// <param name="Granularity">Atomic or two-phase transitions.</param>
/// <param name="Points">Every combination tried, simplest first; fewer than the space when interrupted.</param>
/// <param name="Space">How many combinations the design space has for these inputs.</param>
/// <param name="States">Distinct states explored over every combination.</param>
/// <param name="Complete">False when interrupted.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record DesignResult(InputSource Source, IReadOnlyList<Property> Required, Granularity Granularity,
    IReadOnlyList<DesignPoint> Points, int Space, long States, bool Complete, TimeSpan Elapsed)
{
    /// <summary>The combinations that keep every required property, simplest first.</summary>
    public IReadOnlyList<DesignPoint> Passing => [.. Points.Where(p => p.Keeps)];

    /// <summary>The combinations a cap left undecided, simplest first: none of their required properties is violated or n/a, and one is inconclusive.</summary>
    public IReadOnlyList<DesignPoint> Undecided => [.. Points.Where(p => !p.Decided)];

    /// <summary>True when no cap cut the exploration of any combination.</summary>
    public bool Exhaustive => Points.All(p => p.Cut.Count == 0);
}

/// <summary>Enumerates combinations of policies and checks which keep the invariants a user requires.</summary>
/// <remarks>
/// A combination is a <see cref="Reading"/> built from the enums: <see cref="ReplaceRule"/> x
/// <see cref="Model.Membership"/> x <see cref="ZeroRule"/> x <see cref="SetArity"/> x the <c>add_sets</c>
/// parameter x <see cref="Model.Isolation"/> x <see cref="StateRules"/>, and on release plans x
/// <see cref="PlanEncoding"/>. Meaningless combinations are skipped: <see cref="ReplaceRule.ByReplaceFlag"/>,
/// <see cref="Model.Membership.None"/> and <see cref="PlanEncoding.ReplaceFlag"/> go together (upstream's
/// <c>bool replace</c>, whose state versions are checked against every entry). A policy that cannot matter
/// on the inputs is fixed at one value: the zero rule when no patch lists set 0, the arity when no patch
/// lists two sets, the parameter when no load passes one, and with single sets and no parameter the replace
/// rule and membership (a single set intersects another exactly when it is a subset of it). Options the
/// design space does not vary keep their defaults: normalized function identity, partial overlap refused.
/// </remarks>
public static class DesignSpace
{
    /// <summary>The default bounds of <c>klp-check design</c>: release plans of at most three releases.</summary>
    public static PlanBounds DefaultBounds { get; } = new(Releases: 3);

    private static readonly (ReplaceRule Replace, Membership Membership)[] setShapes =
    [
        (ReplaceRule.Intersecting, Membership.OwnSet), (ReplaceRule.Intersecting, Membership.AllListed),
        (ReplaceRule.Subset, Membership.OwnSet), (ReplaceRule.Subset, Membership.AllListed),
    ];

    private readonly record struct InputShape(bool Zero, bool Lists, bool Params);

    private static InputShape Shape(InputSource source, Reading reading)
    {
        bool zero = false, lists = false, @params = false;
        for (var i = 0; i < source.Count && !(zero && lists && @params); i++)
        {
            var c = source.CatalogFor(i, reading);
            @params |= c.AddSetsVariants.Length > 1;
            foreach (var v in c.AddSetsVariants) zero |= v.Contains(0u);
            foreach (var p in c.Patches)
            {
                if (p.SetSource != SetSource.Fixed) continue;
                zero |= p.Sets.Contains(0u);
                lists |= p.Sets.Length > 1;
            }
        }
        return new InputShape(zero, lists, @params);
    }

    /// <summary>True when the readings of a source see catalogs built by their own encoders (release plans), false when they share one.</summary>
    public static bool EncodingMatters(InputSource source) => source.Count > 0 && !source.SharedByReadings;

    /// <summary>Every meaningful combination for the inputs of a source, with the policies that can matter, simplest first.</summary>
    public static IReadOnlyList<(Reading Reading, Policies Relevant)> Combinations(InputSource source, Granularity granularity)
    {
        var plans = EncodingMatters(source);
        var list = new List<(Reading, Policies)>();
        var always = Policies.Isolation | Policies.States | (plans ? Policies.Encoding : Policies.None);

        // Upstream's bool replace: no sets, so no zero rule or arity; it is its own encoding.
        var flag = Shape(source, Readings.Upstream);
        foreach (var addSets in flag.Params ? new[] { false, true } : [false])
            foreach (var (isolation, states) in OptionPairs())
                list.Add((Make(ReplaceRule.ByReplaceFlag, Membership.None, ZeroRule.Ordinary, SetArity.Single, addSets, isolation, states, PlanEncoding.ReplaceFlag, granularity),
                    always | Policies.Replace | Policies.Membership | (flag.Params ? Policies.AddSets : Policies.None)));

        PlanEncoding[] encodings = plans ? [PlanEncoding.SingleSet, PlanEncoding.ZeroSet, PlanEncoding.Array, PlanEncoding.Dynamic] : [PlanEncoding.Array];
        foreach (var encoding in encodings)
        {
            var shape = Shape(source, Readings.Positional with { Encoding = encoding });
            foreach (var zero in shape.Zero ? new[] { ZeroRule.Ordinary, ZeroRule.ReplacesAll, ZeroRule.OnlyByZero } : [ZeroRule.Ordinary])
                foreach (var arity in shape.Lists ? new[] { SetArity.Single, SetArity.List } : [SetArity.Single])
                    foreach (var addSets in shape.Params ? new[] { false, true } : [false])
                    {
                        var shaped = arity == SetArity.List || shape.Params;
                        var relevant = always | (shaped ? Policies.Replace | Policies.Membership : Policies.None)
                            | (shape.Zero ? Policies.Zero : Policies.None) | (shape.Lists ? Policies.Arity : Policies.None)
                            | (shape.Params ? Policies.AddSets : Policies.None);
                        foreach (var (replace, membership) in shaped ? setShapes : setShapes[..1])
                            foreach (var (isolation, states) in OptionPairs())
                                list.Add((Make(replace, membership, zero, arity, addSets, isolation, states, encoding, granularity), relevant));
                    }
        }
        return [.. list.OrderBy(x => Simplicity(x.Item1, x.Item2)).ThenBy(x => Order(x.Item1))];
    }

    private static IEnumerable<(Isolation, StateRules)> OptionPairs()
    {
        foreach (var isolation in Enum.GetValues<Isolation>())
            foreach (var states in Enum.GetValues<StateRules>())
                yield return (isolation, states);
    }

    private static Reading Make(ReplaceRule replace, Membership membership, ZeroRule zero, SetArity arity, bool addSets,
        Isolation isolation, StateRules states, PlanEncoding encoding, Granularity granularity) =>
        new("design", replace, membership, zero, arity, addSets, replace == ReplaceRule.ByReplaceFlag,
            new ReadingOptions(isolation, states, Granularity: granularity))
        {
            Encoding = encoding,
            Description = "a combination of the design space",
        };

    /// <summary>How many policies differ from the first value of their enum; the encoding counts only where it matters.</summary>
    public static int Simplicity(Reading r, Policies relevant)
    {
        var n = 0;
        if (r.Replace != default) n++;
        if (r.Membership != default) n++;
        if (r.Zero != default) n++;
        if (r.Arity != default) n++;
        if (r.AddSetsParameter) n++;
        if (r.Options.Isolation != default) n++;
        if (r.Options.States != default) n++;
        if ((relevant & Policies.Encoding) != 0 && r.Encoding != default) n++;
        return n;
    }

    private static long Order(Reading r) =>
        (long)r.Replace << 28 | (long)r.Membership << 24 | (long)r.Zero << 20 | (long)r.Arity << 16
        | (r.AddSetsParameter ? 1L : 0) << 12 | (long)r.Options.Isolation << 8 | (long)r.Options.States << 4 | (long)r.Encoding;

    /// <summary>The presets with the same relevant policies and the same options (mode aside) as a combination.</summary>
    public static IReadOnlyList<string> Matches(Reading r, Policies relevant)
    {
        var names = new List<string>();
        foreach (var p in Readings.All)
        {
            var same = p.HasSets == r.HasSets && (p.Replace == ReplaceRule.ByReplaceFlag) == (r.Replace == ReplaceRule.ByReplaceFlag)
                && p.StatesCheckedAgainstAll == r.StatesCheckedAgainstAll
                && ((relevant & Policies.Replace) == 0 || p.Replace == r.Replace)
                && ((relevant & Policies.Membership) == 0 || p.Membership == r.Membership)
                && ((relevant & Policies.Zero) == 0 || p.Zero == r.Zero)
                && ((relevant & Policies.Arity) == 0 || p.Arity == r.Arity)
                && ((relevant & Policies.AddSets) == 0 || p.AddSetsParameter == r.AddSetsParameter)
                && ((relevant & Policies.Encoding) == 0 || p.Encoding == r.Encoding)
                && (p.Options with { Granularity = default }) == (r.Options with { Granularity = default });
            if (same) names.Add(p.Name);
        }
        return names;
    }

    /// <summary>The proposal file key (docs/proposals.md) of every policy the design space varies.</summary>
    public static IReadOnlyList<(Policies Policy, string Key)> PolicyKeys { get; } =
    [
        (Policies.Replace, "replaces"), (Policies.Membership, "occupies"), (Policies.Zero, "zero"), (Policies.Arity, "arity"),
        (Policies.AddSets, "add-sets"), (Policies.Isolation, "isolation"), (Policies.States, "states"), (Policies.Encoding, "encoding"),
    ];

    /// <summary>The policies of a combination as proposal file keys and values, the relevant ones only.</summary>
    public static IReadOnlyList<(Policies Policy, string Name, string Value)> Describe(Reading r, Policies relevant)
    {
        var words = new List<(Policies, string, string)>();
        foreach (var (policy, key) in PolicyKeys) words.Add((policy, key, ProposalText.Value(r, key)));
        // Replace rule and membership are always shown: with single sets they still say "own set, same set".
        return [.. words.Where(w => (relevant & w.Item1) != 0 || w.Item1 is Policies.Replace or Policies.Membership)];
    }

    /// <summary>Checks the required properties for every combination, simplest first; stops early (Complete = false) when cancelled.</summary>
    public static DesignResult Explore(InputSource source, IReadOnlyList<Property> required, Granularity granularity, ExploreLimits limits,
        int threads = 0, CancellationToken cancel = default, Action<string>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var combinations = Combinations(source, granularity);
        var points = new List<DesignPoint>();
        long states = 0;
        var complete = true;
        for (var k = 0; k < combinations.Count; k++)
        {
            var (reading, relevant) = combinations[k];
            var label = $"combination {k + 1}/{combinations.Count}";
            progress?.Invoke(label);
            var result = Verifier.Run(source, reading, required, limits, threads, cancel,
                n => { if (n % 64 == 0) progress?.Invoke($"{label}: {n}/{source.Count} inputs"); });
            if (!result.Complete)
            {
                complete = false;
                break;
            }
            states += result.Coverage.States;
            points.Add(new DesignPoint(reading, relevant, Simplicity(reading, relevant), Matches(reading, relevant), result.Verdicts) { Cut = result.Coverage.Cut });
        }
        return new DesignResult(source, required, granularity, points, combinations.Count, states, complete, clock.Elapsed);
    }
}
