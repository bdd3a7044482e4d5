using Klp.Check.Conformance;
using Klp.Check.Model;

namespace Klp.Check.Inputs;

/// <summary>Features of an input that a violation may need; verdicts name the fewest that show it.</summary>
[Flags]
public enum InputFeatures
{
    /// <summary>Plain releases: no shared function, no state.</summary>
    None = 0,
    /// <summary>A customer patch patches a function a vendor patch also patches.</summary>
    SharedFunction = 1,
    /// <summary>Patches declare states.</summary>
    States = 2,
}

/// <summary>What a run explores: one catalog per reading for each of its inputs.</summary>
public sealed class InputSource
{
    private readonly Func<int, Reading, Catalog> catalogFor;
    private readonly Func<int, string> describe;
    private readonly Func<int, InputFeatures> features;
    private readonly Lazy<int[]>? representatives;

    private InputSource(string kind, string bound, int count, int maxPatches, Func<int, Reading, Catalog> catalogFor, Func<int, string> describe, Func<int, InputFeatures> features,
        Func<int[]>? representatives = null, bool sharedByReadings = false)
    {
        SharedByReadings = sharedByReadings;
        this.representatives = representatives is null ? null : new Lazy<int[]>(representatives);
        MaxPatches = maxPatches;
        this.features = features;
        Kind = kind;
        Bound = bound;
        Count = count;
        this.catalogFor = catalogFor;
        this.describe = describe;
    }

    /// <summary>"release plans", "raw catalogs", or "catalog FILE".</summary>
    public string Kind { get; }

    /// <summary>The bounds in force, as written on the command line.</summary>
    public string Bound { get; }

    /// <summary>How many inputs.</summary>
    public int Count { get; }

    /// <summary>The most patches any input's catalog has (a release plan encodes one patch per release).</summary>
    public int MaxPatches { get; }

    /// <summary>True when every reading sees the same catalog of an input (raw catalogs, a catalog file); false when each reading encodes it (release plans).</summary>
    public bool SharedByReadings { get; }

    /// <summary>The catalog of one input under one reading.</summary>
    public Catalog CatalogFor(int index, Reading reading) => catalogFor(index, reading);

    /// <summary>The features of one input.</summary>
    public InputFeatures Features(int index) => features(index);

    /// <summary>The features of a catalog: states declared, a function shared by a customer and a vendor patch.</summary>
    public static InputFeatures FeaturesOf(Catalog c)
    {
        var f = InputFeatures.None;
        ulong customer = 0, vendor = 0;
        for (var p = 0; p < c.Count; p++)
        {
            if (c[p].States.Length > 0) f |= InputFeatures.States;
            if (c[p].Origin == Origin.Customer) customer |= c.FunctionBits(p);
            else vendor |= c.FunctionBits(p);
        }
        return (customer & vendor) != 0 ? f | InputFeatures.SharedFunction : f;
    }

    /// <summary>For release plans, per input the index of the first input whose catalog under every reading holds the same patches in another order
    /// (<see cref="PlanSymmetry"/>); null for other sources.</summary>
    public IReadOnlyList<int>? Representatives => representatives?.Value;

    /// <summary>A description of one input (the plan, or the catalog's patches).</summary>
    public string Describe(int index) => describe(index);

    /// <summary>Every release plan within bounds, each encoded by each reading.</summary>
    public static InputSource Plans(PlanBounds bounds)
    {
        var plans = bounds.Enumerate().ToArray();
        return new InputSource("release plans", bounds.ToString(), plans.Length, plans.Length == 0 ? 0 : plans.Max(p => p.Releases.Length), (i, r) => plans[i].Encode(r), i => plans[i].ToString(), i => plans[i].Features,
            () => PlanSymmetry.Representatives(plans));
    }

    /// <summary>One release plan.</summary>
    public static InputSource Plan(ReleasePlan plan, string file) =>
        new($"release plan {file}", "1 plan", 1, plan.Releases.Length, (_, r) => plan.Encode(r), _ => plan.ToString(), _ => plan.Features);

    /// <summary>Every raw catalog within bounds, the same for every reading.</summary>
    /// <remarks>The catalogs are kept as <see cref="RawCatalogs"/> keeps them, and built when asked for.</remarks>
    public static InputSource Raw(RawBounds bounds, bool reduce = true)
    {
        var catalogs = new RawCatalogs(bounds, reduce);
        return new InputSource("raw catalogs", RawBound(bounds, reduce), catalogs.Count, catalogs.Count == 0 ? 0 : catalogs.Width, (i, _) => catalogs[i],
            i => CatalogText.Describe(catalogs[i]), i => FeaturesOf(catalogs[i]), sharedByReadings: true);
    }

    /// <summary>Raw bounds as <see cref="Bound"/> writes them, saying whether catalogs are reduced by symmetry.</summary>
    public static string RawBound(RawBounds bounds, bool reduce) => bounds + (reduce ? " (symmetry-reduced)" : "");

    /// <summary>One raw catalog.</summary>
    public static InputSource Single(Catalog catalog, string file) =>
        new($"catalog {file}", "1 catalog", 1, catalog.Count, (_, _) => catalog, _ => CatalogText.Describe(catalog), _ => FeaturesOf(catalog), sharedByReadings: true);
}
