namespace Klp.Check.Properties;

/// <summary>What a settled step must show before a check is handed it: each of three masks names patches of which the step must touch at least one.</summary>
/// <remarks>
/// A check's screen for an operation is a necessary condition of what it looks for, so a step the
/// screen turns away is one on which the check would find nothing; <see cref="PropertyChecks"/>
/// tests it inline for every check of a step and calls only those it lets through (and those
/// that still wait to see their case, <see cref="PropertyCheck.SeesEveryStep"/>). A mask of
/// <see cref="ulong.MaxValue"/> asks nothing; on a catalog of 64 patches a mask naming all of them
/// reads the same, which only lets more steps through.
/// </remarks>
/// <param name="Affected">Patches of which the step must replace or remove one (<see cref="SettledStep.Affected"/>).</param>
/// <param name="Gone">Patches of which one must be enabled before the step and not after it.</param>
/// <param name="After">Patches of which one must be in the list after the step.</param>
public readonly record struct StepScreen(ulong Affected, ulong Gone, ulong After)
{
    /// <summary>Lets every step through.</summary>
    public static StepScreen Every { get; } = new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

    /// <summary>Lets no step through: a check that only waits to see its case.</summary>
    public static StepScreen None { get; } = new(0, ulong.MaxValue, ulong.MaxValue);

    /// <summary>True when a step that replaced or removed <paramref name="affected"/>, disabled <paramref name="gone"/> and leaves <paramref name="after"/> in the list passes.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool Passes(ulong affected, ulong gone, ulong after) =>
        ((affected & Affected) != 0 || Affected == ulong.MaxValue)
        && ((gone & Gone) != 0 || Gone == ulong.MaxValue)
        && ((after & After) != 0 || After == ulong.MaxValue);
}
