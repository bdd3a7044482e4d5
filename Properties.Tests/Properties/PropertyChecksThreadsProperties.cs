using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Properties;

/// <summary>
/// One catalog checked with its levels expanded on two threads tells the properties exactly what
/// one thread tells them, in the same order, and every property finds the same (the same
/// verdicts, the same shortest traces, the same messages).
/// </summary>
[Properties(Arbitrary = new[] { typeof(Arbitraries) }, MaxTest = 100)]
public class PropertyChecksThreadsProperties
{
    // Every level, however small, on two threads.
    private readonly Explorer pipelined = new() { ParallelLevel = 1 };
    private readonly Explorer sequential = new();

    // Every event a search tells a visitor, as text, in the order told.
    private sealed class Recorder(bool unchangedRefusals) : ExplorationVisitor
    {
        public List<string> Events { get; } = [];

        public override bool SeesUnchangedRefusals => unchangedRefusals;

        public override void OnState(StateGraph graph, int state) => Events.Add($"state {state}");

        public override void OnTransition(StateGraph graph, in Edge edge, in KernelState before, in KernelState after) =>
            Events.Add($"edge {edge.From} {edge.To} {edge.Op} {edge.Affected} {before.Fingerprint()} {after.Fingerprint()}");

        public override void OnRefusal(StateGraph graph, int state, int op, in KernelState before, in KernelState after) =>
            Events.Add($"refused {state} {op} {before.Fingerprint()} {after.Fingerprint()}");
    }

    private static List<string> Events(Explorer explorer, Trace run, ExploreLimits limits, int threads, bool unchangedRefusals)
    {
        var recorder = new Recorder(unchangedRefusals);
        explorer.Recycle(explorer.Explore(run.Catalog, run.Reading, limits, threads, recorder));
        return recorder.Events;
    }

    private static string[] Findings(Explorer explorer, Trace run, ExploreLimits limits, int threads)
    {
        var checks = PropertyChecks.Begin(PropertyRegistry.All.Where(p => p.NotApplicable(run.Reading) is null), run.Catalog, run.Reading);
        var g = explorer.Explore(run.Catalog, run.Reading, limits, threads, checks.Silent ? null : checks);
        var found = checks.Finish(g, exercised: true);
        explorer.Recycle(g);
        return [.. found.Select(f => $"{f.Finding.Applicable} {f.Finding.Found} {f.Finding.Inconclusive} {f.Exercised} {f.Finding.Message} [{string.Join(", ", f.Finding.Trace ?? [])}]")];
    }

    private Property SameEvents(Trace run, ExploreLimits limits, bool unchangedRefusals)
    {
        var one = Events(sequential, run, limits, 1, unchangedRefusals);
        var two = Events(pipelined, run, limits, 2, unchangedRefusals);
        var first = Enumerable.Range(0, Math.Min(one.Count, two.Count)).FirstOrDefault(i => one[i] != two[i], -1);
        return one.SequenceEqual(two).Label($"{one.Count} and {two.Count} events; first difference at {first}");
    }

    [Property]
    public Property Visitor_TwoThreads_ToldWhatOneThreadIsTold(Trace run) =>
        SameEvents(run, new ExploreLimits(MaxStates: 20_000), unchangedRefusals: false);

    [Property]
    public Property Visitor_TwoThreadsEveryRefusal_ToldWhatOneThreadIsTold(Trace run) =>
        SameEvents(run, new ExploreLimits(MaxStates: 20_000), unchangedRefusals: true);

    [Property]
    public Property Visitor_TwoThreadsCutByAStateCap_ToldWhatOneThreadIsTold(Trace run, PositiveInt cap) =>
        SameEvents(run, new ExploreLimits(MaxStates: 1 + cap.Get % 300), unchangedRefusals: true);

    [Property]
    public Property EveryProperty_TwoThreads_FindsWhatOneThreadFinds(Trace run, PositiveInt cap, bool capped)
    {
        var limits = new ExploreLimits(MaxStates: capped ? 1 + cap.Get % 300 : 20_000);
        var one = Findings(sequential, run, limits, 1);
        var two = Findings(pipelined, run, limits, 2);
        return one.SequenceEqual(two)
            .Label($"one thread: {string.Join("; ", one)}\ntwo threads: {string.Join("; ", two)}")
            .Classify(one.Any(f => f.StartsWith("True True")), "a property found something")
            .Classify(capped, "capped");
    }
}
