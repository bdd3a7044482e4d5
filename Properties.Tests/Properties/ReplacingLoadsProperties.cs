using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Klp.Check.Properties;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Properties;

/// <summary>The record of loads that replaced a customer patch answers what the plain set of its keys answers, kept as masks per state (at most 64 operations) or as the keys.</summary>
public class ReplacingLoadsProperties
{
    // Loads spread over a few thousand states, so that the states with one lie in many words of
    // the record's bits, some words empty and some states with several loads.
    private static Gen<long[]> Keys(int operations) =>
        Gen.Choose(0, 5000).SelectMany(s => Gen.Choose(0, operations - 1).Select(op => (long)s << 32 | (uint)op)).ArrayOf();

    [Property(MaxTest = 200)]
    public Property Record_AnswersWhatItsKeysAnswer(bool wide, bool reversed)
    {
        var operations = wide ? 100 : 64;
        return Prop.ForAll(Keys(operations).ToArbitrary(), keys =>
        {
            var set = new HashSet<long>(keys);
            var record = ReplacingLoads.From(reversed ? keys.Reverse() : keys, operations);
            var lookup = record.Seal();
            var sorted = set.Order().ToArray();
            var states = sorted.Select(k => (int)(k >> 32)).Distinct().ToArray();
            var opsRight = wide || Enumerable.Range(-1, 5003).All(s =>
                lookup.OpsOf(s < 0 ? 0 : s) == set.Where(k => k >> 32 == (s < 0 ? 0 : s)).Aggregate(0UL, (m, k) => m | 1UL << (int)(uint)k));
            var replacing = Enumerable.Range(0, 400).All(i =>
            {
                var (s, op) = (i * 13 % 5003, i * 7 % operations);
                return lookup.Replacing(s, op) == set.Contains((long)s << 32 | (uint)op);
            }) && sorted.All(k => lookup.Replacing((int)(k >> 32), (int)(uint)k));
            return (record.Count == set.Count && record.SequenceEqual(sorted) && lookup.Sources().SequenceEqual(states)
                    && lookup.Wide == wide && opsRight && replacing)
                .Label($"{set.Count} loads out of {states.Length} states");
        });
    }

    [Fact]
    public void Add_OutOfOrder_IsRefused()
    {
        var record = new ReplacingLoads(10);
        record.Add(70, 3);
        Assert.Throws<ArgumentException>(() => record.Add(70, 3));
        Assert.Throws<ArgumentException>(() => record.Add(69, 9));
        Assert.Throws<ArgumentException>(() => record.Add(71, 64));
        record.Add(200, 1);
        Assert.Equal([70L << 32 | 3, 200L << 32 | 1], record.ToArray());
        Assert.Equal(1UL << 1, record.Seal().OpsOf(200));
        Assert.Throws<InvalidOperationException>(() => record.Add(300, 0));
    }

    [Fact]
    public void Clear_ForAnotherSearch_ForgetsTheLoads()
    {
        var record = new ReplacingLoads(10);
        record.Add(5, 2);
        Assert.Equal(1UL << 2, record.Seal().OpsOf(5));
        record.Clear(10);
        record.Add(1, 4);
        var lookup = record.Seal();
        Assert.Equal(0UL, lookup.OpsOf(5));
        Assert.Equal(1, Assert.Single(lookup.Sources()));
        Assert.Equal(1L << 32 | 4, Assert.Single(record));
    }
}
