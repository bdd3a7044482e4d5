using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary>Masks over a catalog and a state that several properties read.</summary>
internal static class CatalogMasks
{
    /// <summary>The customer patches.</summary>
    public static ulong Customers(Catalog c)
    {
        ulong m = 0;
        for (var p = 0; p < c.Count; p++)
            if (c[p].Origin == Origin.Customer) m |= 1UL << p;
        return m;
    }

    /// <summary>Per patch p, the vendor patches of an older release than p's, as a mask; <paramref name="hotfixesOnly"/> keeps only the hotfixes.</summary>
    public static ulong[] OlderVendor(Catalog c, bool hotfixesOnly)
    {
        var older = new ulong[c.Count];
        for (var p = 0; p < c.Count; p++)
            for (var q = 0; q < c.Count; q++)
                if (c[q].Origin == Origin.Vendor && c[q].Release < c[p].Release && (!hotfixesOnly || c[q].Kind == PatchKind.Hotfix))
                    older[p] |= 1UL << q;
        return older;
    }

    /// <summary>Per vendor patch, the vendor patches of a later release; 0 for a customer patch.</summary>
    public static ulong[] NewerVendor(Catalog c)
    {
        var newer = new ulong[c.Count];
        for (var p = 0; p < c.Count; p++)
            for (var q = 0; q < c.Count; q++)
                if (c[p].Origin == Origin.Vendor && c[q].Origin == Origin.Vendor && c[q].Release > c[p].Release)
                    newer[p] |= 1UL << q;
        return newer;
    }

    /// <summary>The vendor cumulative patches, as a mask over catalog indices.</summary>
    public static ulong VendorCumulatives(Catalog c)
    {
        ulong m = 0;
        for (var p = 0; p < c.Count; p++)
            if (VendorCumulative(c, p)) m |= 1UL << p;
        return m;
    }

    /// <summary>The vendor patches.</summary>
    public static ulong Vendor(Catalog c)
    {
        ulong m = 0;
        for (var p = 0; p < c.Count; p++)
            if (c[p].Origin == Origin.Vendor) m |= 1UL << p;
        return m;
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
