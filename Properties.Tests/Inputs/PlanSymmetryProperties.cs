using System.Collections.Immutable;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Inputs;

public class PlanSymmetryProperties
{
    // A plan, and the same plan with its customer releases moved, in their order, to other places
    // among the vendor releases (which keep theirs): a random interleaving of the two.
    private static Gen<(ReleasePlan Plan, ReleasePlan Moved)> MovedCustomers(int maxReleases) =>
        from plan in Generators.Plans(maxReleases)
        from customerFirst in Gen.Shuffle(plan.Releases.Select(r => r.Intent == Intent.Customer).ToArray())
        select (plan, Interleave(plan, customerFirst));

    private static ReleasePlan Interleave(ReleasePlan plan, bool[] customerAt)
    {
        var r = plan.Releases;
        var vendors = Enumerable.Range(0, r.Length).Where(i => r[i].Intent != Intent.Customer).ToList();
        var customers = Enumerable.Range(0, r.Length).Where(i => r[i].Intent == Intent.Customer).ToList();
        var order = new List<int>();
        int v = 0, c = 0;
        foreach (var customer in customerAt) order.Add(customer ? customers[c++] : vendors[v++]);
        var at = new int[r.Length];
        for (var k = 0; k < order.Count; k++) at[order[k]] = k;
        return new ReleasePlan([.. order.Select(i => r[i] with { Updates = r[i].Updates < 0 ? -1 : at[r[i].Updates], SharesWith = r[i].SharesWith < 0 ? -1 : at[r[i].SharesWith] })]);
    }

    // A cap that large plans under two-phase readings reach: a cut exploration is compared only
    // by being cut (which states a cap keeps depends on the order of the patches, and the sweep
    // explores every plan again when a cap cuts one).
    private static readonly ExploreLimits cap = new(MaxStates: 20_000);

    // Everything one exploration of a plan says that a verdict or a report counts: per property
    // whether it applies, was exercised and found something, with the trace's length and the
    // input's features; the states, transitions, depth and operations.
    private static string Summary(ReleasePlan plan, Reading reading)
    {
        var p = Verifier.Check(InputSource.Plan(plan, "plan"), reading, PropertyRegistry.All, cap, threads: 1);
        if (p.Cut.Count > 0) return $"cut at {p.States} states";
        var properties = p.Properties.Select(q => q is null ? "-" : $"{q.Applicable}/{q.Cases}/{q.Tracked}/{q.Best?.Length}/{q.Best?.Features}/{q.Needed}");
        return $"{string.Join(" ", properties)} | {p.States} {p.Transitions} {p.MaxDepth} | {string.Join(",", p.Accepted)} | {string.Join(",", p.Refused)} | {p.Offered}";
    }

    [Property(MaxTest = 150)]
    public Property MovedCustomers_EveryReading_SameFindingsStatesAndOperations() =>
        Prop.ForAll(MovedCustomers(6).ToArbitrary(), Generators.Readings().ToArbitrary(), (c, reading) =>
        {
            var original = Summary(c.Plan, reading);
            var moved = Summary(c.Moved, reading);
            return (original == moved).Label($"{reading.DisplayName}\n{c.Plan}->\n{c.Moved}\n{original}\n{moved}");
        });

    // Found by MovedCustomers_EveryReading_SameFindingsStatesAndOperations: two plans of one
    // class that a state cap cuts keep different states, since the cap stops a breadth-first
    // level part way and the order of the patches orders the level. So a sweep explores every
    // plan of a step in which a cap cut an exploration.
    [Fact]
    public void MovedCustomers_CutByTheStateCap_KeepDifferentOperations()
    {
        var plan = PlanParser.Parse("cum1: cumulative\ncust1: customer\nhot1: hotfix\nhot2: hotfix\ncust2: customer\nhot2v2: update hot2\n", "plan");
        var moved = PlanParser.Parse("cust1: customer\ncust2: customer\ncum1: cumulative\nhot1: hotfix\nhot2: hotfix\nhot2v2: update hot2\n", "moved");
        var reading = Readings.Find("flat-dynamic")!;
        reading = reading.With(reading.Options with { Isolation = Isolation.None, PartialOverlap = PartialOverlap.Replace, Granularity = Granularity.TwoPhase });

        var a = Verifier.Check(InputSource.Plan(plan, "plan"), reading, PropertyRegistry.All, cap, threads: 1);
        var b = Verifier.Check(InputSource.Plan(moved, "moved"), reading, PropertyRegistry.All, cap, threads: 1);

        Assert.Equal(PlanSymmetry.CustomersLast(plan).ToString(), PlanSymmetry.CustomersLast(moved).ToString());
        Assert.NotEmpty(a.Cut);
        Assert.NotEmpty(b.Cut);
        Assert.Equal(a.States, b.States);
        Assert.NotEqual(a.Accepted, b.Accepted);
    }

    [Property(MaxTest = 300)]
    public Property MovedCustomers_SameFormWithCustomersLast_AndTheSamePatchesUnderEveryReading() =>
        Prop.ForAll(MovedCustomers(8).ToArbitrary(), c =>
        {
            var same = PlanSymmetry.CustomersLast(c.Plan).ToString() == PlanSymmetry.CustomersLast(c.Moved).ToString();
            var patches = Readings.All.All(r =>
                c.Plan.Encode(r).Patches.OrderBy(p => p.Name, StringComparer.Ordinal).SequenceEqual(c.Moved.Encode(r).Patches.OrderBy(p => p.Name, StringComparer.Ordinal), PatchComparer.Instance));
            return (same && patches).Label($"{c.Plan}->\n{c.Moved}");
        });

    [Property(MaxTest = 300)]
    public Property CustomersLast_PutsTheVendorsFirstInTheirOrder_AndIsItsOwnForm() =>
        Prop.ForAll(Generators.Plans(8).ToArbitrary(), plan =>
        {
            var last = PlanSymmetry.CustomersLast(plan);
            var intents = last.Releases.Select(r => r.Intent == Intent.Customer).ToList();
            var ordered = intents.SequenceEqual(intents.Order());
            var names = last.Names.Where((_, i) => !intents[i]).SequenceEqual(plan.Names.Where((_, i) => plan.Releases[i].Intent != Intent.Customer));
            return (ordered && names && PlanSymmetry.CustomersLast(last).ToString() == last.ToString()).Label($"{plan}->\n{last}");
        });

    [Fact]
    public void Representatives_DefaultBounds_FirstPlanOfEachClassWithTheSameFormAndItsOwnRepresentative()
    {
        var plans = new PlanBounds().Enumerate().ToList();

        var first = PlanSymmetry.Representatives(plans);

        for (var i = 0; i < plans.Count; i++)
        {
            Assert.True(first[i] <= i);
            Assert.Equal(first[i], first[first[i]]);
            Assert.Equal(PlanSymmetry.CustomersLast(plans[first[i]]).ToString(), PlanSymmetry.CustomersLast(plans[i]).ToString());
        }
        // Plans in different classes differ with the customers last.
        Assert.Equal(first.Distinct().Count(), plans.Select(p => PlanSymmetry.CustomersLast(p).ToString()).Distinct().Count());
        // The enumeration lists vendor releases before a customer release at each place, so a
        // class's first plan has its customers last.
        Assert.All(first.Distinct(), i => Assert.Equal(PlanSymmetry.CustomersLast(plans[i]).ToString(), plans[i].ToString()));
        Assert.Equal(682, first.Distinct().Count());
    }

    [Fact]
    public void Representatives_PlanSource_OnlyForReleasePlans()
    {
        Assert.NotNull(InputSource.Plans(new PlanBounds(Releases: 2)).Representatives);
        Assert.Null(InputSource.Raw(new RawBounds(Patches: 1)).Representatives);
    }

    // Patches compared by what the kernel reads: records with arrays compare by reference.
    private sealed class PatchComparer : IEqualityComparer<Patch>
    {
        public static readonly PatchComparer Instance = new();

        public bool Equals(Patch? a, Patch? b) => a is not null && b is not null && Text(a) == Text(b);

        public int GetHashCode(Patch p) => Text(p).GetHashCode(StringComparison.Ordinal);

        private static string Text(Patch p) =>
            $"{p.Name} {p.Origin} {p.Kind} {p.Release} [{string.Join(",", p.Funcs)}] [{string.Join(",", p.States)}] {p.Replace} [{string.Join(",", p.Sets.IsDefault ? ImmutableArray<uint>.Empty : p.Sets)}] {p.SetSource} {p.AutoOf} {p.Updates}";
    }
}
