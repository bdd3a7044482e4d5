using Klp.Check.Engine;
using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Tests.Verdicts;

// The verifier and the equivalence check sum their inputs per worker; what they give must be what
// one worker gives, and what the inputs give one by one, added in index order.
public class WorkerPartialTests
{
    // Raw catalogs of two patches, cut at depth 1 (every input is cut) or not, and with
    // fingerprints (every input has a collision probability).
    private static readonly InputSource Source = InputSource.Raw(new RawBounds(Patches: 2, Numbers: 2));

    public static TheoryData<int, bool> Limits() => new() { { 1, false }, { 0, false }, { 0, true } };

    private static ExploreLimits Limit(int depth, bool fingerprints) => new(MaxDepth: depth, Fingerprints: fingerprints);

    private static string Key(ReadingPartial p)
    {
        var lines = new List<string>
        {
            $"inputs {p.InputsChecked} complete {p.Complete} catalogs {p.Catalogs} states {p.States} transitions {p.Transitions} depth {p.MaxDepth} offered {p.Offered}",
            $"accepted {string.Join(",", p.Accepted)} refused {string.Join(",", p.Refused)}",
            $"cut {string.Join(";", p.Cut)}",
            $"collisions {string.Join(";", p.Collisions.Select(c => $"{c.Index}:{c.Probability:R}"))}",
        };
        foreach (var q in p.Properties)
            lines.Add(q is null ? "-" : $"{q.Applicable} {q.Needed} {q.Best?.Index}/{q.Best?.Length}/{q.Best?.Message} {q.Undecided} {q.UndecidedFeatures} {q.FirstUndecided} {q.FirstCap} {q.Frontier} {q.Tracked} {q.Cases}");
        return string.Join("\n", lines);
    }

    [Theory]
    [MemberData(nameof(Limits))]
    public void Check_OnFourWorkers_IsTheInputsOneByOneAddedInOrder(int depth, bool fingerprints)
    {
        var limits = Limit(depth, fingerprints);
        var reading = Readings.Flat;

        var four = Verifier.Check(Source, reading, PropertyRegistry.All, limits, threads: 4);
        var one = Verifier.Check(Source, reading, PropertyRegistry.All, limits, threads: 1);
        var sum = Verifier.Check(Source, reading, PropertyRegistry.All, limits, [0], threads: 1);
        for (var i = 1; i < Source.Count; i++) sum.Add(Verifier.Check(Source, reading, PropertyRegistry.All, limits, [i], threads: 1));

        Assert.Equal(Key(sum), Key(four));
        Assert.Equal(Key(sum), Key(one));
        if (depth == 1) Assert.Equal(Source.Count, four.Cut.Count);
        if (fingerprints) Assert.Equal(Source.Count, four.Collisions.Count);
        if (depth == 0) Assert.Contains(four.Properties, p => p?.Best is not null);
    }

    // One input's search and checks take every worker: all cores when no count is given; several
    // inputs run side by side, each on one thread.
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1, 2, 2)]
    [InlineData(1, 3, 3)]
    [InlineData(2, 0, 1)]
    [InlineData(5, 2, 1)]
    [InlineData(5, 1, 1)]
    public void SearchThreads_OneInputTakesEveryWorker(int inputs, int threads, int expected) =>
        Assert.Equal(expected, Verifier.SearchThreads(inputs, threads));

    [Fact]
    public void SearchThreads_OneInputWithoutACount_TakesEveryCore() =>
        Assert.Equal(Environment.ProcessorCount, Verifier.SearchThreads(1, 0));

    private static string Key(EquivalencePartial p) =>
        $"states {p.PhaseStates} transitions {p.PhaseTransitions} joined {string.Join(",", p.Joined)} apart {string.Join("", p.Apart.Select(a => a ? 1 : 0))}\n" +
        $"cut {string.Join(";", p.Cut)}\n" +
        string.Join("\n", p.Pairs.Select(q => q is null ? "-" : $"{q.Count} {q.Index} {q.Features} {q.Length} {q.States} {q.Transitions}"));

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void Equivalence_OnFourWorkers_IsTheInputsOneByOneAddedInOrder(int depth)
    {
        var limits = Limit(depth, false);
        var readings = Readings.All.ToArray();

        var four = EquivalencePartial.Check(Source, readings, limits, null, alone: false, threads: 4);
        var one = EquivalencePartial.Check(Source, readings, limits, null, alone: false, threads: 1);
        var sum = EquivalencePartial.Check(Source, readings, limits, [0], alone: false, threads: 1);
        for (var i = 1; i < Source.Count; i++) sum.Add(EquivalencePartial.Check(Source, readings, limits, [i], alone: false, threads: 1));

        Assert.Equal(Key(sum), Key(four));
        Assert.Equal(Key(sum), Key(one));
        Assert.Contains(four.Pairs, p => p is { Index: >= 0 });
        if (depth == 1) Assert.NotEmpty(four.Cut);
    }
}
