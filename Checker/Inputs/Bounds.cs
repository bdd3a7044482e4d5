using System.Collections.Immutable;
using System.Globalization;
using Klp.Check.Model;

namespace Klp.Check.Inputs;

/// <summary>Bounds on the release plans compared by default (docs/bounds.md).</summary>
/// <param name="Releases">At most this many releases per plan.</param>
/// <param name="Customers">At most this many customer releases.</param>
/// <param name="Hotfixes">At most this many hotfix lines.</param>
/// <param name="Updates">At most this many hotfix updates.</param>
/// <param name="Shared">Whether a customer release may also patch a vendor release's function.</param>
/// <param name="States">Which states cumulatives may declare: none, versions, block or both.</param>
public sealed record PlanBounds(int Releases = 4, int Customers = 1, int Hotfixes = 2, int Updates = 1, bool Shared = true, string States = "both")
{
    /// <summary>The bounds as written on the command line.</summary>
    public override string ToString() =>
        $"releases={Releases},customers={Customers},hotfixes={Hotfixes},updates={Updates},shared={(Shared ? "yes" : "no")},states={States}";

    /// <summary>Every plan within the bounds, in a fixed order.</summary>
    public IEnumerable<ReleasePlan> Enumerate()
    {
        var sequences = new List<Release[]>();
        Sequences([], 0, 0, 0, sequences);
        foreach (var seq in sequences)
            foreach (var shared in Shares(seq))
                foreach (var stated in StatePatterns(shared))
                    yield return new ReleasePlan([.. stated]);
    }

    private void Sequences(List<Release> prefix, int customers, int hotfixes, int updates, List<Release[]> output)
    {
        if (prefix.Count > 0) output.Add([.. prefix]);
        if (prefix.Count == Releases) return;
        void Extend(Release r, int c, int h, int u)
        {
            prefix.Add(r);
            Sequences(prefix, c, h, u, output);
            prefix.RemoveAt(prefix.Count - 1);
        }
        Extend(new Release(Intent.Cumulative), customers, hotfixes, updates);
        if (hotfixes < Hotfixes) Extend(new Release(Intent.Hotfix), customers, hotfixes + 1, updates);
        if (updates < Updates)
        {
            // The update of a line follows its latest version.
            var latest = new Dictionary<int, int>();
            for (var i = 0; i < prefix.Count; i++)
                if (prefix[i].Intent is Intent.Hotfix) latest[i] = i;
                else if (prefix[i].Intent is Intent.Update) latest[Line(prefix, i)] = i;
            foreach (var (_, last) in latest.OrderBy(kv => kv.Key))
                Extend(new Release(Intent.Update, Updates: last), customers, hotfixes, updates + 1);
        }
        if (customers < Customers) Extend(new Release(Intent.Customer), customers + 1, hotfixes, updates);
    }

    private static int Line(List<Release> releases, int i)
    {
        while (releases[i].Intent == Intent.Update) i = releases[i].Updates;
        return i;
    }

    private IEnumerable<Release[]> Shares(Release[] seq)
    {
        var customers = Enumerable.Range(0, seq.Length).Where(i => seq[i].Intent == Intent.Customer).ToList();
        var vendors = Enumerable.Range(0, seq.Length).Where(i => seq[i].Intent is Intent.Cumulative or Intent.Hotfix).ToList();
        if (!Shared || customers.Count == 0 || vendors.Count == 0)
        {
            yield return seq;
            yield break;
        }
        var choices = new int[customers.Count];
        while (true)
        {
            var copy = (Release[])seq.Clone();
            for (var k = 0; k < customers.Count; k++)
                copy[customers[k]] = copy[customers[k]] with { SharesWith = choices[k] == 0 ? -1 : vendors[choices[k] - 1] };
            yield return copy;
            var j = 0;
            while (j < choices.Length && ++choices[j] > vendors.Count) choices[j++] = 0;
            if (j == choices.Length) yield break;
        }
    }

    private IEnumerable<Release[]> StatePatterns(Release[] seq)
    {
        var cumulatives = Enumerable.Range(0, seq.Length).Where(i => seq[i].Intent == Intent.Cumulative).ToList();
        yield return seq;
        if (States == "none" || cumulatives.Count == 0) yield break;
        var versions = States is "versions" or "both";
        var block = States is "block" or "both";
        // A state, once declared by a cumulative, is carried by every later one (a cumulative
        // carries all states); its version only grows; a block_disable flag, once set, stays.
        for (var first = 0; first < cumulatives.Count; first++)
            for (var bump = first + 1; bump <= cumulatives.Count; bump++)
                for (var blockFrom = first; blockFrom <= cumulatives.Count; blockFrom++)
                {
                    var hasBump = bump < cumulatives.Count;
                    var hasBlock = blockFrom < cumulatives.Count;
                    if (hasBump && !versions || hasBlock && !block) continue;
                    var copy = (Release[])seq.Clone();
                    for (var k = first; k < cumulatives.Count; k++)
                        copy[cumulatives[k]] = copy[cumulatives[k]] with { State = new KlpState(1, k >= bump ? 1u : 0u, k >= blockFrom) };
                    yield return copy;
                }
    }

    /// <summary>The whole-number bounds, in the order <c>--bounds</c> lists them, with the values they take.</summary>
    public static IReadOnlyList<BoundKey> Keys { get; } =
        [new("releases", 1, 8, SweepPast: 2), new("customers", 0, 3), new("hotfixes", 0, 4), new("updates", 0, 4)];

    /// <summary>The value of one of <see cref="Keys"/>.</summary>
    public int Value(string key) => key switch
    {
        "releases" => Releases,
        "customers" => Customers,
        "hotfixes" => Hotfixes,
        "updates" => Updates,
        _ => throw new ArgumentException($"not a whole-number plan bound: {key}", nameof(key)),
    };

    /// <summary>These bounds with one of <see cref="Keys"/> set to <paramref name="value"/>.</summary>
    public PlanBounds With(string key, int value) => key switch
    {
        "releases" => this with { Releases = value },
        "customers" => this with { Customers = value },
        "hotfixes" => this with { Hotfixes = value },
        "updates" => this with { Updates = value },
        _ => throw new ArgumentException($"not a whole-number plan bound: {key}", nameof(key)),
    };

    /// <summary>Parses <c>key=value</c> settings separated by commas or spaces; null with a message on error.</summary>
    public static PlanBounds? Parse(string text, out string? error)
    {
        var b = new PlanBounds();
        if (BoundsText.Settings(text, out error) is not { } settings) return null;
        foreach (var (key, value) in settings)
        {
            if (BoundsText.Number(Keys, key, value) is { } n) b = b.With(key, n);
            else if (key == "shared" && value is "yes" or "no") b = b with { Shared = value == "yes" };
            else if (key == "states" && value is "none" or "versions" or "block" or "both") b = b with { States = value };
            else
            {
                error = $"bad plan bound '{key}={value}': expected {BoundsText.Ranges(Keys)}, shared=yes|no, states=none|versions|block|both";
                return null;
            }
        }
        return b;
    }
}

/// <summary>Bounds on the raw catalogs of <c>--raw</c> (docs/bounds.md).</summary>
/// <param name="Patches">Patches per catalog.</param>
/// <param name="Numbers">Set numbers 0..Numbers-1.</param>
/// <param name="Sets">At most this many sets per patch.</param>
/// <param name="Functions">Functions f1..fN.</param>
/// <param name="States">Whether patches may declare state 1 (v0, v1, or v0 with block_disable).</param>
/// <param name="Customers">Whether patches may be customer patches.</param>
public sealed record RawBounds(int Patches = 3, int Numbers = 3, int Sets = 2, int Functions = 1, bool States = false, bool Customers = true)
{
    /// <summary>The bounds as written on the command line.</summary>
    public override string ToString() =>
        $"patches={Patches},numbers={Numbers},sets={Sets},functions={Functions},states={(States ? "yes" : "no")},customers={(Customers ? "yes" : "no")}";

    /// <summary>One patch of a raw catalog, before names are given.</summary>
    public readonly record struct RawPatch(Origin Origin, PatchKind Kind, ImmutableArray<uint> Sets, int Funcs, int State);

    /// <summary>Every raw catalog within the bounds; with <paramref name="reduce"/>, one per symmetry class.</summary>
    /// <remarks>The catalogs are those of <see cref="RawCatalogs"/>, built one at a time.</remarks>
    public IEnumerable<Catalog> Enumerate(bool reduce = true)
    {
        var catalogs = new RawCatalogs(this, reduce);
        for (var i = 0; i < catalogs.Count; i++) yield return catalogs[i];
    }

    /// <summary>Why the catalogs within these bounds cannot be enumerated, or null when they can: more of them than an index counts (2^31 - 1).</summary>
    /// <param name="reduce">Whether catalogs are reduced by symmetry.</param>
    /// <remarks>
    /// Decided without enumerating. Unreduced, the catalogs are every combination of the menu's
    /// patches. Reduced, a symmetry class holds at most one catalog per renumbering of the set
    /// numbers other than 0 and per relabelling of the functions, so there are at least the
    /// combinations divided by (numbers - 1)! x functions! classes: bounds refused here have
    /// too many either way, while bounds between that floor and the combinations may still have
    /// too many, which <see cref="RawCatalogs"/> finds as it enumerates.
    /// </remarks>
    public string? TooMany(bool reduce) => TooMany(reduce, Menu().Length);

    // TooMany for bounds whose menu holds this many patches, for a caller that has built the menu.
    internal string? TooMany(bool reduce, int kinds)
    {
        var combinations = Math.Pow(kinds, Patches);
        var classSize = reduce ? Factorial(Numbers - 1) * Factorial(Functions) : 1;
        if (combinations / classSize <= int.MaxValue) return null;
        return $"the bounds {this} hold more than {int.MaxValue} raw catalogs{(reduce ? ", even reduced by symmetry" : "")} "
            + $"({combinations.ToString("G3", CultureInfo.InvariantCulture)} combinations of {Patches} patches, each one of {kinds}); lower patches, numbers, sets or functions";
    }

    private static double Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);

    /// <summary>Random raw catalogs within the bounds: 1 to <see cref="Patches"/> patches, each drawn from the patches the enumeration combines.</summary>
    public FsCheck.Gen<Catalog> Random()
    {
        var menu = Menu();
        return FsCheck.Fluent.Gen.SelectMany(FsCheck.Fluent.Gen.Choose(1, Patches), n => FsCheck.Fluent.Gen.Select(FsCheck.Fluent.Gen.ArrayOf(FsCheck.Fluent.Gen.Elements(menu), n), patches => Build(patches)));
    }

    /// <summary>Every patch a raw catalog may hold, in the order the enumeration combines them: origin, kind, sets list, functions mask, state, the last counting fastest.</summary>
    public RawPatch[] Menu()
    {
        var lists = new List<ImmutableArray<uint>>();
        void Lists(List<uint> prefix)
        {
            if (prefix.Count > 0) lists.Add([.. prefix]);
            if (prefix.Count == Sets) return;
            for (var n = 0u; n < Numbers; n++)
            {
                if (prefix.Contains(n)) continue;
                prefix.Add(n);
                Lists(prefix);
                prefix.RemoveAt(prefix.Count - 1);
            }
        }
        Lists([]);
        var menu = new List<RawPatch>();
        foreach (var origin in Customers ? new[] { Origin.Vendor, Origin.Customer } : [Origin.Vendor])
            foreach (var kind in new[] { PatchKind.Cumulative, PatchKind.Hotfix })
                foreach (var l in lists)
                    for (var f = 1; f < 1 << Functions; f++)
                        for (var s = 0; s < (States ? 4 : 1); s++)
                            menu.Add(new RawPatch(origin, kind, l, f, s));
        return [.. menu];
    }

    /// <summary>Names and builds a raw catalog: p1, p2...; a vendor cumulative is <c>replace = true</c>.</summary>
    public static Catalog Build(IReadOnlyList<RawPatch> patches)
    {
        var list = new List<Patch>();
        int vendor = 0, customer = 0;
        for (var i = 0; i < patches.Count; i++)
        {
            var p = patches[i];
            var isCustomer = p.Origin == Origin.Customer;
            list.Add(new Patch(i < Names.Length ? Names[i] : $"p{i + 1}", p.Origin, p.Kind, isCustomer ? customer++ : vendor++, FunctionsOf(p.Funcs), StatesOf[p.State],
                p.Kind == PatchKind.Cumulative && !isCustomer, p.Sets));
        }
        return new Catalog(list);
    }

    // What Build gives every catalog alike, made once: the first names, the functions of each
    // mask over f1..f8, the state of each choice.
    private static readonly string[] Names = [.. Enumerable.Range(1, Catalog.MaxPatches).Select(i => $"p{i}")];
    private static readonly ImmutableArray<FunctionId>[] FunctionsByMask = new ImmutableArray<FunctionId>[256];
    private static readonly ImmutableArray<KlpState>[] StatesOf =
        [[], [new KlpState(1, 0, false)], [new KlpState(1, 1, false)], [new KlpState(1, 0, true)]];

    private static ImmutableArray<FunctionId> FunctionsOf(int mask)
    {
        var mine = FunctionsByMask[mask & 0xFF];
        if (!mine.IsDefault) return mine;
        mine = [.. Enumerable.Range(0, 8).Where(b => (mask & (1 << b)) != 0).Select(b => new FunctionId(FunctionId.Vmlinux, $"f{b + 1}", 0))];
        // Another thread may store its equal array too; either serves.
        FunctionsByMask[mask & 0xFF] = mine;
        return mine;
    }

    /// <summary>The whole-number bounds, in the order <c>--bounds</c> lists them, with the values they take.</summary>
    public static IReadOnlyList<BoundKey> Keys { get; } =
        [new("patches", 1, 5), new("numbers", 1, 6), new("sets", 1, 4), new("functions", 1, 4)];

    /// <summary>The value of one of <see cref="Keys"/>.</summary>
    public int Value(string key) => key switch
    {
        "patches" => Patches,
        "numbers" => Numbers,
        "sets" => Sets,
        "functions" => Functions,
        _ => throw new ArgumentException($"not a whole-number raw bound: {key}", nameof(key)),
    };

    /// <summary>These bounds with one of <see cref="Keys"/> set to <paramref name="value"/>.</summary>
    public RawBounds With(string key, int value) => key switch
    {
        "patches" => this with { Patches = value },
        "numbers" => this with { Numbers = value },
        "sets" => this with { Sets = value },
        "functions" => this with { Functions = value },
        _ => throw new ArgumentException($"not a whole-number raw bound: {key}", nameof(key)),
    };

    /// <summary>Parses <c>key=value</c> settings; null with a message on error.</summary>
    public static RawBounds? Parse(string text, out string? error)
    {
        var b = new RawBounds();
        if (BoundsText.Settings(text, out error) is not { } settings) return null;
        foreach (var (key, value) in settings)
        {
            if (BoundsText.Number(Keys, key, value) is { } n) b = b.With(key, n);
            else if (key == "states" && value is "yes" or "no") b = b with { States = value == "yes" };
            else if (key == "customers" && value is "yes" or "no") b = b with { Customers = value == "yes" };
            else
            {
                error = $"bad raw bound '{key}={value}': expected {BoundsText.Ranges(Keys)}, states=yes|no, customers=yes|no";
                return null;
            }
        }
        return b;
    }
}

/// <summary>Symmetry reduction of raw catalogs over set numbers (0 excepted) and function names.</summary>
public static class Symmetry
{
    /// <summary>The canonical form: non-zero set numbers renumbered by first occurrence, and the smallest function relabelling.</summary>
    public static RawBounds.RawPatch[] Canonical(IReadOnlyList<RawBounds.RawPatch> patches, int functions)
    {
        var renumbered = RenumberSets(patches);
        RawBounds.RawPatch[]? best = null;
        foreach (var perm in Relabellings(functions))
        {
            var candidate = renumbered.Select(p => p with { Funcs = Permute(p.Funcs, perm) }).ToArray();
            if (best is null || Compare(candidate, best) < 0) best = candidate;
        }
        return best ?? renumbered;
    }

    /// <summary>True when the catalog is its own canonical form.</summary>
    public static bool IsCanonical(IReadOnlyList<RawBounds.RawPatch> patches, int functions) =>
        Compare([.. patches], Canonical(patches, functions)) == 0;

    private static RawBounds.RawPatch[] RenumberSets(IReadOnlyList<RawBounds.RawPatch> patches)
    {
        var map = new Dictionary<uint, uint> { [0] = 0 };
        var next = 1u;
        return [.. patches.Select(p => p with
        {
            Sets = [.. p.Sets.Select(s => map.TryGetValue(s, out var m) ? m : map[s] = next++)],
        })];
    }

    /// <summary>A functions mask with each function's bit moved to its place in a relabelling.</summary>
    internal static int Permute(int mask, int[] perm)
    {
        var result = 0;
        for (var b = 0; b < perm.Length; b++)
            if ((mask & (1 << b)) != 0) result |= 1 << perm[b];
        return result;
    }

    /// <summary>Every relabelling of n functions, as the place each function's bit goes to; the identity first.</summary>
    internal static IEnumerable<int[]> Relabellings(int n)
    {
        var a = Enumerable.Range(0, n).ToArray();
        yield return [.. a];
        while (true)
        {
            var i = n - 2;
            while (i >= 0 && a[i] >= a[i + 1]) i--;
            if (i < 0) yield break;
            var j = n - 1;
            while (a[j] <= a[i]) j--;
            (a[i], a[j]) = (a[j], a[i]);
            Array.Reverse(a, i + 1, n - i - 1);
            yield return [.. a];
        }
    }

    private static int Compare(RawBounds.RawPatch[] a, RawBounds.RawPatch[] b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i];
            var y = b[i];
            var c = x.Origin.CompareTo(y.Origin);
            if (c == 0) c = x.Kind.CompareTo(y.Kind);
            if (c == 0) c = x.Sets.Length.CompareTo(y.Sets.Length);
            for (var k = 0; c == 0 && k < x.Sets.Length; k++) c = x.Sets[k].CompareTo(y.Sets[k]);
            if (c == 0) c = x.Funcs.CompareTo(y.Funcs);
            if (c == 0) c = x.State.CompareTo(y.State);
            if (c != 0) return c;
        }
        return 0;
    }
}

internal static class BoundsText
{
    // The key=value settings of a bounds text; null with a message when a key is given twice
    // (a later value would silently win, as sweep's --bounds-range refuses too).
    public static List<(string Key, string Value)>? Settings(string text, out string? error)
    {
        error = null;
        var settings = new List<(string Key, string Value)>();
        foreach (var part in text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            var (key, value) = eq < 0 ? (part, "") : (part[..eq], part[(eq + 1)..]);
            if (settings.Exists(s => s.Key == key))
            {
                error = $"'{key}' is given twice";
                return null;
            }
            settings.Add((key, value));
        }
        return settings;
    }

    public static int? Int(string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n : null;

    public static int? Number(IReadOnlyList<BoundKey> keys, string key, string value) =>
        keys.FirstOrDefault(k => k.Name == key) is { } k ? Int(value, k.Min, k.Max) : null;

    public static string Ranges(IReadOnlyList<BoundKey> keys) => string.Join(", ", keys.Select(k => $"{k.Name}={k.Min}..{k.Max}"));
}

/// <summary>A whole-number bound (<c>releases</c>, <c>patches</c>...) and the values it may take.</summary>
/// <param name="Name">The key as written in <c>--bounds</c>.</param>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
/// <param name="SweepPast">How far past its base value a sweep grows the key by default (<c>releases</c>: 2, so that the default sweep reaches
/// <c>releases=6</c>; the others: 1).</param>
public sealed record BoundKey(string Name, int Min, int Max, int SweepPast = 1);
