using Klp.Check.Commands;
using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Shards;

namespace Klp.Check.Tests.Shards;

/// <summary>The share of inputs each shard takes: every input in exactly one shard, deterministic, balanced.</summary>
public class ShardTests
{
    private static readonly double[] DefaultCosts = Shard.Costs(InputSource.Plans(InputOptions.DefaultPlans), Readings.Positional);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(64)]
    public void Select_DefaultBounds_EveryInputInExactlyOneShard(int n)
    {
        var source = InputSource.Plans(InputOptions.DefaultPlans);
        var seen = new int[source.Count];
        for (var k = 1; k <= n; k++)
            foreach (var i in new Shard(k, n).Select(source, Readings.Positional)) seen[i]++;
        Assert.All(seen, s => Assert.Equal(1, s));
    }

    [Fact]
    public void Assign_SameCostsTwice_SameShards() =>
        Assert.Equal(Shard.Assign(DefaultCosts, 7), Shard.Assign(DefaultCosts, 7));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(16)]
    public void Assign_DefaultBounds_NoShardAboveAverageByMoreThanTheLargestInput(int n)
    {
        var shard = Shard.Assign(DefaultCosts, n);
        var load = new double[n];
        for (var i = 0; i < shard.Length; i++) load[shard[i]] += DefaultCosts[i];
        // Greedy largest-first assignment bound: a shard exceeds the mean by at most one input.
        Assert.True(load.Max() <= DefaultCosts.Sum() / n + DefaultCosts.Max(), string.Join(", ", load));
        Assert.True(load.Max() <= 1.1 * load.Min(), string.Join(", ", load));
    }

    [Fact]
    public void Cost_DefaultBounds_CorrelatesWithExploredStates()
    {
        var source = InputSource.Plans(InputOptions.DefaultPlans);
        var explorer = new Explorer();
        var states = new double[source.Count];
        for (var i = 0; i < source.Count; i++)
        {
            var g = explorer.Explore(source.CatalogFor(i, Readings.Positional), Readings.Positional);
            states[i] = g.States.Count;
            explorer.Recycle(g);
        }
        Assert.True(Correlation(DefaultCosts, states) > 0.6, $"correlation {Correlation(DefaultCosts, states):F2}");
    }

    [Theory]
    [InlineData("2/3", 2, 3)]
    [InlineData("1/1", 1, 1)]
    [InlineData("7/7", 7, 7)]
    public void Parse_KOverN_RoundTrips(string text, int k, int n)
    {
        Assert.Equal(new Shard(k, n), Shard.Parse(text, out _));
        Assert.Equal(text, new Shard(k, n).ToString());
    }

    /// <summary>Pearson's correlation coefficient.</summary>
    public static double Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
