using FsCheck.Fluent;
using FsCheck.Xunit;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Properties;

/// <summary>A check's screen turns away only steps on which it finds nothing, so the findings are those of every step handed to every check.</summary>
[Properties(Arbitrary = new[] { typeof(Arbitraries) }, MaxTest = 100)]
public class StepScreenProperties
{
    private static Reading WithGranularity(Reading reading, bool twoPhase) =>
        reading.WithGranularity(twoPhase ? Granularity.TwoPhase : Granularity.Atomic);

    // Each step one screen turns away is handed alone to a fresh check of its property: it must
    // find nothing there. Atomic or two-phase, where the step settles after Complete.
    [Property]
    public Property EveryStepAScreenTurnsAway_BreaksNothing(Trace run, bool twoPhase)
    {
        var reading = WithGranularity(run.Reading, twoPhase);
        var catalog = run.Catalog;
        var g = new Explorer().Explore(catalog, reading, new ExploreLimits(MaxStates: 2000));
        var facts = new GraphFacts(g);
        var properties = PropertyRegistry.ApplicableTo(reading).ToArray();
        var checks = Array.ConvertAll(properties, p => p.Begin(catalog, reading));
        var (turnedAway, broken) = (0, new List<string>());
        foreach (var e in g.Edges)
        {
            var op = g.Alphabet[e.Op];
            var events = op.Kind switch { OpKind.Load => CheckEvents.Loads, OpKind.Disable => CheckEvents.Disables, _ => CheckEvents.None };
            if (events == CheckEvents.None) continue;
            var before = g.States[e.From];
            var after = g.States[e.To];
            var extra = 0;
            if (twoPhase && (op.Kind == OpKind.Load || after.InTransition))
                (after, extra) = (Kernel.Step(catalog, reading, after, Operation.Complete()).State, 1);
            var affected = g.AffectedBy(e.From, e.Op);
            var gone = Observables.EnabledMask(before) & ~Observables.EnabledMask(after);
            for (var k = 0; k < checks.Length; k++)
            {
                if ((checks[k].Events & events) == 0 || !checks[k].Concerns(op) || checks[k].Screen(op).Passes(affected, gone, after.InPatches)) continue;
                turnedAway++;
                var alone = properties[k].Begin(catalog, reading);
                alone.OnSettled(g, new SettledStep(e.From, op, affected, in before, in after, extra, g.Depth[e.From] + 1 + extra));
                if (alone.Finish(facts).Found) broken.Add($"{properties[k].Id} on {op.Format(catalog)} from state {e.From}");
            }
        }
        return (broken.Count == 0)
            .Label($"{g.States.Count} states, {turnedAway} steps turned away; found on: {string.Join("; ", broken.Take(3))}")
            .Classify(turnedAway > 0, "some step turned away");
    }

    // The whole search with screens and without: the same finding, trace and message, and the
    // same answer to whether each case happened, for every property that applies.
    [Property]
    public Property Findings_WithScreens_AreThoseWithout(Trace run, bool twoPhase)
    {
        var reading = WithGranularity(run.Reading, twoPhase);
        GraphFinding[] Check(bool screened)
        {
            var visitor = new PropertyChecks(PropertyRegistry.ApplicableTo(reading).Select(p => p.Begin(run.Catalog, reading)), run.Catalog, reading) { Screened = screened };
            var g = new Explorer().Explore(run.Catalog, reading, new ExploreLimits(MaxStates: 3000), visitor: visitor);
            return visitor.Finish(g, exercised: true);
        }
        var (with, without) = (Check(true), Check(false));
        var same = with.Zip(without).All(p =>
            p.First.Exercised == p.Second.Exercised
            && p.First.Finding.Applicable == p.Second.Finding.Applicable
            && p.First.Finding.Found == p.Second.Finding.Found
            && p.First.Finding.Message == p.Second.Finding.Message
            && (p.First.Finding.Trace ?? []).SequenceEqual(p.Second.Finding.Trace ?? []));
        return same
            .Label($"with: {string.Join(", ", with.Select(f => f.Finding.Message))}; without: {string.Join(", ", without.Select(f => f.Finding.Message))}")
            .Classify(with.Any(f => f.Finding.Found), "something found");
    }

    [Fact]
    public void Passes_EveryAndNone_AndEachMaskAsked()
    {
        var screen = new StepScreen(Affected: 0b0110, Gone: 0b1000, After: ulong.MaxValue);

        Assert.True(StepScreen.Every.Passes(0, 0, 0));
        Assert.False(StepScreen.None.Passes(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue));
        Assert.True(screen.Passes(affected: 0b0010, gone: 0b1000, after: 0));
        Assert.False(screen.Passes(affected: 0b0001, gone: 0b1000, after: 0));
        Assert.False(screen.Passes(affected: 0b0100, gone: 0b0111, after: ulong.MaxValue));
        Assert.False(new StepScreen(ulong.MaxValue, ulong.MaxValue, 0b1).Passes(ulong.MaxValue, ulong.MaxValue, 0b10));
    }
}
