namespace Klp.Check.Model;

/// <summary>
/// For one catalog under one reading, what the compatibility check of each load (a patch with an
/// <c>add_sets</c> variant) makes of every patch that could be an entry: the patches that refuse
/// it, the patches it replaces and the patches whose nops would clash with its functions, as
/// masks over catalog indices.
/// </summary>
/// <remarks>
/// <para>
/// A load's check reads each entry's patch, the sets the entry occupies and the load's own sets.
/// Those follow from the patches alone unless the user-space allocator gives sets at load time
/// (a patch whose sets are allocated, under a reading with sets) or loads pass an
/// <c>add_sets</c> value (a reading with the parameter, on a catalog with more than the empty
/// variant). Everywhere else, <see cref="For"/> makes the masks, and
/// <see cref="Kernel.ApplyScreened(Catalog, Reading, LoadMasks?, in KernelState, in Operation, ref KernelState)"/>
/// answers a load from them with a few operations on the state's mask of entries, walking the
/// entries only to name the oldest that refuses.
/// </para>
/// <para>
/// The effect and the successor are those of <see cref="Kernel.Apply"/>, whose checks against the
/// entries make the masks (<c>Kernel.CheckEntry</c>); what depends on several entries at once
/// (two replaced patches' nops clashing, the transition) is still checked on the state.
/// </para>
/// </remarks>
public sealed class LoadMasks
{
    private readonly int variants;
    private readonly int patches;

    // Per load (patch * variants + variant): the refusal of its attributes, or None.
    internal readonly Reason[] Attributes;
    // Per load, the patches that refuse it as entries, those it replaces, and those it replaces
    // whose nops take the sysfs name of one of its functions.
    internal readonly ulong[] Refusing, Replaced, Clashing;
    // Per load and patch (load * patches + patch), the refusal that patch gives as an entry.
    private readonly Reason[] refusal;

    private LoadMasks(Catalog catalog, Reading reading)
    {
        patches = catalog.Count;
        variants = catalog.AddSetsVariants.Length;
        var loads = patches * variants;
        Attributes = new Reason[loads];
        Refusing = new ulong[loads];
        Replaced = new ulong[loads];
        Clashing = new ulong[loads];
        refusal = new Reason[loads * patches];
        var exact = reading.Options.FunctionIdentity == FunctionIdentity.Exact;
        for (var p = 0; p < patches; p++)
        {
            var replaceAll = Kernel.ReplacesAll(catalog, reading, p);
            var funcsP = catalog.FunctionBits(p, reading.Options.FunctionIdentity);
            for (var v = 0; v < variants; v++)
            {
                var k = Index(p, v);
                Attributes[k] = Kernel.Attributes(catalog, reading, p, v);
                var listed = Kernel.Listed(catalog, p, v, -1);
                for (var q = 0; q < patches; q++)
                {
                    // An entry was loaded without a parameter and without an allocated set (For).
                    var occupied = Kernel.Occupancy(catalog, reading, q, 0, -1);
                    var reason = Kernel.CheckEntry(catalog, reading, p, listed, replaceAll, funcsP, exact, q, occupied, out var inR, out var clash);
                    var bit = 1UL << q;
                    refusal[k * patches + q] = reason;
                    if (reason != Reason.None) Refusing[k] |= bit;
                    else if (inR) Replaced[k] |= bit;
                    if (reason == Reason.None && clash) Clashing[k] |= bit;
                }
            }
        }
    }

    /// <summary>The masks of a catalog under a reading, or null when a load's check depends on more than the patches (sets allocated at load time, or <c>add_sets</c> values loads may pass).</summary>
    public static LoadMasks? For(Catalog catalog, Reading reading)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(reading);
        if (reading.HasSets && catalog.IsAuto.Contains(true)) return null;
        if (reading.AddSetsParameter && catalog.AddSetsVariants.Length > 1) return null;
        return new LoadMasks(catalog, reading);
    }

    internal int Index(int patch, int variant) => patch * variants + variant;

    // The refusal of the oldest entry that refuses load k; only called when one does.
    internal Reason OldestRefusal(int k, in KernelState state)
    {
        for (var i = 0; ; i++)
        {
            var q = state.PatchAt(i);
            if ((Refusing[k] & (1UL << q)) != 0) return refusal[k * patches + q];
        }
    }
}
