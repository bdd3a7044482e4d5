using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary>Masks over a catalog and a state that several properties read.</summary>
internal static class CatalogMasks
{
    /// <summary>The customer patches.</summary>
    public static ulong Customers(Catalog c) => Mask(c, p => c[p].Origin == Origin.Customer);

    /// <summary>Per patch p, the vendor patches of an older release than p's, as a mask; <paramref name="hotfixesOnly"/> keeps only the hotfixes.</summary>
    public static ulong[] OlderVendor(Catalog c, bool hotfixesOnly) =>
        PerPatch(c, (p, q) => c[q].Origin == Origin.Vendor && c[q].Release < c[p].Release && (!hotfixesOnly || c[q].Kind == PatchKind.Hotfix));

    /// <summary>Per vendor patch, the vendor patches of a later release; 0 for a customer patch.</summary>
    public static ulong[] NewerVendor(Catalog c) =>
        PerPatch(c, (p, q) => c[p].Origin == Origin.Vendor && c[q].Origin == Origin.Vendor && c[q].Release > c[p].Release);

    /// <summary>The vendor cumulative patches, as a mask over catalog indices.</summary>
    public static ulong VendorCumulatives(Catalog c) => Mask(c, p => VendorCumulative(c, p));

    /// <summary>The vendor patches.</summary>
    public static ulong Vendor(Catalog c) => Mask(c, p => c[p].Origin == Origin.Vendor);

    // The patches for which which(p) holds, as a mask over catalog indices.
    private static ulong Mask(Catalog c, Func<int, bool> which)
    {
        ulong m = 0;
        for (var p = 0; p < c.Count; p++)
            if (which(p)) m |= 1UL << p;
        return m;
    }

    // Per patch p, the patches q for which related(p, q) holds, as a mask.
    private static ulong[] PerPatch(Catalog c, Func<int, int, bool> related)
    {
        var masks = new ulong[c.Count];
        for (var p = 0; p < c.Count; p++) masks[p] = Mask(c, q => related(p, q));
        return masks;
    }

    /// <summary>True for a vendor cumulative patch.</summary>
    public static bool VendorCumulative(Catalog c, int p) => c[p].Origin == Origin.Vendor && c[p].Kind == PatchKind.Cumulative;

    /// <summary>True for a vendor hotfix.</summary>
    public static bool VendorHotfix(Catalog c, int p) => c[p].Origin == Origin.Vendor && c[p].Kind == PatchKind.Hotfix;

    /// <summary>The state ids some enabled patch declares, as a mask over <see cref="Catalog.StateIds"/>.</summary>
    public static ulong ActiveStates(Catalog c, in KernelState s)
    {
        ulong m = 0;
        var enabled = Observables.EnabledMask(s);
        while (enabled != 0)
        {
            var p = System.Numerics.BitOperations.TrailingZeroCount(enabled);
            enabled &= enabled - 1;
            m |= c.StateBits(p);
        }
        return m;
    }

    /// <summary>The newest enabled patch that declares a state bit (the one whose version and flag are active), or -1.</summary>
    public static int Declarer(Catalog c, in KernelState s, int bit)
    {
        for (var i = s.Count - 1; i >= 0; i--)
        {
            var p = s.PatchAt(i);
            if ((c.StateBits(p) & (1UL << bit)) != 0 && Observables.IsEnabled(s, p)) return p;
        }
        return -1;
    }
}
