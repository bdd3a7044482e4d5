using System.Globalization;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Shards;

/// <summary>Shard <see cref="K"/> of <see cref="N"/> (1-based): a deterministic share of a source's inputs, balanced by estimated cost.</summary>
/// <param name="K">Which shard, from 1 to <see cref="N"/>.</param>
/// <param name="N">How many shards.</param>
public readonly record struct Shard(int K, int N)
{
    /// <summary>The whole run as one shard.</summary>
    public static Shard All => new(1, 1);

    /// <summary>"K/N".</summary>
    public override string ToString() => $"{K}/{N}";

    /// <summary>Parses "K/N" with 1 &lt;= K &lt;= N; null with the reason otherwise.</summary>
    public static Shard? Parse(string text, out string? error)
    {
        error = null;
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var k)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            error = $"'{text}' is not K/N (shard K of N, e.g. 2/3)";
            return null;
        }
        if (n < 1 || k < 1 || k > n)
        {
            error = $"'{text}': K must be from 1 to N, and N at least 1";
            return null;
        }
        return new Shard(k, n);
    }

    /// <summary>The estimated cost of exploring a catalog: its states grow about threefold with every cumulative patch, fourfold with every hotfix, and with every <c>add_sets</c> value a load may take.</summary>
    /// <remarks>On the default plan bounds under positional, its Pearson correlation with the states explored is 0.66 (the patch count alone: 0.59).</remarks>
    public static double Cost(Catalog catalog)
    {
        var hotfixes = 0;
        for (var p = 0; p < catalog.Count; p++)
            if (catalog[p].Kind == PatchKind.Hotfix) hotfixes++;
        return Math.Pow(3, catalog.Count - hotfixes) * Math.Pow(4, hotfixes) * catalog.AddSetsVariants.Length;
    }

    /// <summary>The shard (0-based) of every input: largest estimated cost first (ties by index) to the least loaded shard (ties by the lowest).</summary>
    public static int[] Assign(IReadOnlyList<double> costs, int n)
    {
        var order = Enumerable.Range(0, costs.Count).OrderByDescending(i => costs[i]).ThenBy(i => i).ToArray();
        var load = new double[n];
        var shard = new int[costs.Count];
        foreach (var i in order)
        {
            var least = 0;
            for (var s = 1; s < n; s++)
                if (load[s] < load[least]) least = s;
            shard[i] = least;
            load[least] += costs[i];
        }
        return shard;
    }

    /// <summary>The estimated cost of every input of a source, from its catalog under the first reading.</summary>
    public static double[] Costs(InputSource source, Reading reading)
    {
        var costs = new double[source.Count];
        for (var i = 0; i < source.Count; i++) costs[i] = Cost(source.CatalogFor(i, reading));
        return costs;
    }

    /// <summary>The inputs of this shard, in increasing order.</summary>
    public IReadOnlyList<int> Select(InputSource source, Reading reading) => Shares(source, reading, N)[K - 1];

    /// <summary>The inputs of each of <paramref name="n"/> shards (index K - 1), each in increasing order: what <see cref="Select"/> gives shard K.</summary>
    public static List<int>[] Shares(InputSource source, Reading reading, int n)
    {
        var shares = new List<int>[n];
        for (var k = 0; k < n; k++) shares[k] = [];
        if (n == 1)
        {
            shares[0].AddRange(Enumerable.Range(0, source.Count));
            return shares;
        }
        var shard = Assign(Costs(source, reading), n);
        for (var i = 0; i < shard.Length; i++) shares[shard[i]].Add(i);
        return shares;
    }
}
