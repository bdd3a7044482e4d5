namespace Klp.Check.Inputs;

/// <summary>Bounds of either kind (release plans or raw catalogs) seen as a point whose whole-number keys can be moved, as <c>sweep</c> moves them.</summary>
public sealed class BoundsSpace
{
    private readonly PlanBounds? plans;
    private readonly RawBounds? raw;
    private readonly bool reduce;

    private BoundsSpace(PlanBounds? plans, RawBounds? raw, bool reduce)
    {
        this.plans = plans;
        this.raw = raw;
        this.reduce = reduce;
    }

    /// <summary>Release-plan bounds.</summary>
    public static BoundsSpace Of(PlanBounds bounds) => new(bounds, null, false);

    /// <summary>Raw-catalog bounds, symmetry-reduced or not.</summary>
    public static BoundsSpace Of(RawBounds bounds, bool reduce) => new(null, bounds, reduce);

    /// <summary>True for raw catalogs.</summary>
    public bool IsRaw => raw is not null;

    /// <summary>The keys that can be moved: <see cref="PlanBounds.Keys"/> or <see cref="RawBounds.Keys"/>.</summary>
    public IReadOnlyList<BoundKey> Keys => IsRaw ? RawBounds.Keys : PlanBounds.Keys;

    /// <summary>The value of one of <see cref="Keys"/>.</summary>
    public int Value(string key) => raw?.Value(key) ?? plans!.Value(key);

    /// <summary>This point with one key moved.</summary>
    public BoundsSpace With(string key, int value) => raw is not null ? new(null, raw.With(key, value), reduce) : new(plans!.With(key, value), null, false);

    /// <summary>Why the inputs within these bounds cannot be enumerated (<see cref="RawBounds.TooMany(bool)"/>), or null when they can.</summary>
    public string? TooMany() => raw?.TooMany(reduce);

    /// <summary>Every input within the bounds.</summary>
    public InputSource Source() => raw is not null ? InputSource.Raw(raw, reduce) : InputSource.Plans(plans!);

    /// <summary>The bounds as written on the command line; raw bounds say whether catalogs are reduced by symmetry.</summary>
    public override string ToString() => raw is not null ? InputSource.RawBound(raw, reduce) : plans!.ToString();
}
