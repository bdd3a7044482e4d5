using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary>The case of a coexistence witness: a patch of one kind enabled beside a vendor cumulative.</summary>
/// <param name="c">The catalog.</param>
/// <param name="matches">Which patches the witness is about.</param>
internal sealed class Coexistence(Catalog c, Func<int, bool> matches) : StateCheck
{
    /// <summary>Starts the witness on a catalog: not applicable when it has no matching patch or no vendor cumulative.</summary>
    public static PropertyCheck Begin(Catalog c, Func<int, bool> matches)
    {
        var any = false;
        var cumulative = false;
        for (var p = 0; p < c.Count; p++)
        {
            any |= matches(p);
            cumulative |= CatalogMasks.VendorCumulative(c, p);
        }
        return any && cumulative ? new Coexistence(c, matches) : PropertyCheck.NotApplicable;
    }

    protected override string? Shows(in KernelState s)
    {
        int m = -1, k = -1;
        for (var i = 0; i < s.Count && (m < 0 || k < 0); i++)
        {
            var p = s.PatchAt(i);
            if (!Observables.IsEnabled(s, p)) continue;
            if (m < 0 && matches(p)) m = p;
            if (k < 0 && CatalogMasks.VendorCumulative(c, p)) k = p;
        }
        return m >= 0 && k >= 0 ? $"{c[m].Name} is enabled beside {c[k].Name}" : null;
    }
}
