using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Klp.Check.Engine;
using Klp.Check.Model;
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
            var opsRight = wide || Enumerable.Range(0, 5003).All(s =>
                lookup.OpsOf(s) == set.Where(k => k >> 32 == s).Aggregate(0UL, (m, k) => m | 1UL << (int)(uint)k));
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
    public void Add_OutsideTheAlphabetOrAfterSealing_IsRefused()
    {
        var record = new ReplacingLoads(10);
        record.Add(70, 3);
        Assert.Throws<ArgumentException>(() => record.Add(71, 64));
        Assert.Throws<ArgumentException>(() => record.Add(-1, 2));
        record.Add(200, 1);
        Assert.Equal([70L << 32 | 3, 200L << 32 | 1], record.ToArray());
        Assert.Equal(1UL << 1, record.Seal().OpsOf(200));
        Assert.Throws<InvalidOperationException>(() => record.Add(300, 0));
    }

    // A trace (PropertyChecks.OnTrace: random runs, counterexamples, replayed claims) tells its
    // transitions in the order it takes them, which may go back to an earlier state and take the
    // same load again: load a customer patch, load a cumulative patch that replaces it, take both
    // away, and do it again.
    [Fact]
    public void OnTrace_ReplacingTheSameCustomerPatchTwice_Holds()
    {
        Patch Of(string name, Origin origin, int release, bool replace) =>
            new(name, origin, PatchKind.Hotfix, release, [new FunctionId(FunctionId.Vmlinux, name + "_fn", 0)], [], replace, Patch.DefaultSets);
        var catalog = new Catalog([Of("cust", Origin.Customer, 0, false), Of("cumulative", Origin.Vendor, 1, true)]);
        Operation[] once = [Operation.Load(0), Operation.Load(1), Operation.Disable(1), Operation.Unload(1), Operation.Unload(0)];
        var trace = new Trace(catalog, Readings.Upstream, [.. once, .. once]);

        var checks = PropertyChecks.Begin(PropertyRegistry.All, catalog, Readings.Upstream);
        var g = StateGraph.FromTrace(trace, checks);
        var loads = checks.CustomerLoads(g)!;
        var findings = checks.Finish(g);

        Assert.Equal(1L << 32 | (uint)Array.IndexOf(g.Alphabet, Operation.Load(1)), Assert.Single(loads));
        Assert.Equal(PropertyRegistry.All.Count, findings.Length);
        Assert.Equal(findings.Select(f => f.Finding.Found), PropertyChecks.OnTrace(PropertyRegistry.All, trace).Select(f => f.Finding.Found));
    }

    [Property(MaxTest = 100)]
    public Property Add_InAnyOrder_GivesTheRecordOfTheKeysSorted(bool wide, int seed)
    {
        var operations = wide ? 100 : 64;
        var random = new Random(seed);
        // Over a few states or thousands, so that several share a word of the record's bits; the
        // first ones in order, so that the record is compact until one comes out of order.
        var states = 1 + random.Next(3000);
        var keys = Enumerable.Range(0, random.Next(300)).Select(_ => (long)random.Next(states) << 32 | (uint)random.Next(operations)).ToArray();
        Array.Sort(keys, 0, random.Next(keys.Length + 1));
        var record = new ReplacingLoads(operations);
        foreach (var k in keys) record.Add((int)(k >> 32), (int)(uint)k);
        var sorted = keys.Distinct().Order().ToArray();
        var lookup = record.Seal();
        return (record.Count == sorted.Length && record.SequenceEqual(sorted) && sorted.All(k => lookup.Replacing((int)(k >> 32), (int)(uint)k))
                && lookup.Sources().SequenceEqual(sorted.Select(k => (int)(k >> 32)).Distinct()))
            .Label($"{keys.Length} keys, {sorted.Length} distinct");
    }

    [Fact]
    public void Add_OutOfOrderWhileAWordIsFilled_KeepsTheWordsStates()
    {
        var record = new ReplacingLoads(10);
        record.Add(3, 1);
        record.Add(5, 2);
        record.Add(7, 0);
        record.Add(4, 0);
        Assert.Equal([3L << 32 | 1, 4L << 32 | 0, 5L << 32 | 2, 7L << 32 | 0], record.ToArray());
        Assert.Equal(1UL << 2, record.Seal().OpsOf(5));
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
