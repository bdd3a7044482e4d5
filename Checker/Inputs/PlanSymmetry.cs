using System.Collections.Immutable;

namespace Klp.Check.Inputs;

/// <summary>Release plans that differ only in where their customer releases stand among the vendor releases: each reading encodes them into the same patches, listed in another order.</summary>
/// <remarks>
/// <see cref="ReleasePlan.Encode"/> builds a vendor release from the vendor releases before it
/// (their functions, hotfix lines and sets) and never from a customer release; a customer release
/// gets its own function, the function of the vendor release it shares, the next customer set
/// number and the next customer release number, all in customer order. So moving the customer
/// releases, in their order, to other places among the vendor releases leaves every patch as it
/// was (names included) and only permutes the catalog's patch list. The kernel and the properties
/// read a patch's index only as its identity (docs/sweep.md says why a permuted catalog gives the
/// same graph with its patch indices renamed); the tests check it on generated plans.
/// </remarks>
public static class PlanSymmetry
{
    /// <summary>The plan with its vendor releases first, in their order, then its customer releases, in theirs: the same patches under every reading.</summary>
    public static ReleasePlan CustomersLast(ReleasePlan plan)
    {
        var releases = plan.Releases;
        var order = new List<int>(releases.Length);
        for (var i = 0; i < releases.Length; i++)
            if (releases[i].Intent != Intent.Customer) order.Add(i);
        for (var i = 0; i < releases.Length; i++)
            if (releases[i].Intent == Intent.Customer) order.Add(i);
        var at = new int[releases.Length];
        for (var k = 0; k < order.Count; k++) at[order[k]] = k;
        int Moved(int index) => index < 0 ? index : at[index];
        return new ReleasePlan([.. order.Select(i => releases[i] with { Updates = Moved(releases[i].Updates), SharesWith = Moved(releases[i].SharesWith) })]);
    }

    /// <summary>For every plan, the index of the first plan of the list with the same <see cref="CustomersLast"/> form (its own index when it is the first).</summary>
    public static int[] Representatives(IReadOnlyList<ReleasePlan> plans)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new int[plans.Count];
        for (var i = 0; i < plans.Count; i++)
        {
            var key = Key(CustomersLast(plans[i]).Releases);
            result[i] = first.TryGetValue(key, out var j) ? j : first[key] = i;
        }
        return result;
    }

    // The releases as text: intents, the lines updated, the releases shared and the states.
    private static string Key(ImmutableArray<Release> releases) =>
        string.Join(";", releases.Select(r => $"{(int)r.Intent},{r.Updates},{r.SharesWith},{r.State}"));
}
