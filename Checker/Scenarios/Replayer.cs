using Klp.Check.Model;

namespace Klp.Check.Scenarios;

/// <summary>The outcome of one scenario step under every reading replayed.</summary>
/// <param name="Step">The step.</param>
/// <param name="Outcomes">Per reading (same order as <see cref="ReplayResult.Readings"/>), the outcome; null for the initial step.</param>
public sealed record StepResult(ScenarioStep Step, IReadOnlyList<Outcome?> Outcomes);

/// <summary>An expectation that did not hold.</summary>
/// <param name="Expectation">What was expected.</param>
/// <param name="Reading">Under which reading.</param>
/// <param name="Actual">What was observed instead.</param>
public sealed record ExpectationFailure(Expectation Expectation, Reading Reading, string Actual);

/// <summary>A scenario replayed under several readings.</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Readings">The readings, one column each, with the granularity in force.</param>
/// <param name="Steps">Per step, the outcomes.</param>
/// <param name="States">Per step, per reading, the state after it.</param>
/// <param name="Checked">How many (expectation, reading) pairs were checked.</param>
/// <param name="Failures">The ones that did not hold.</param>
public sealed record ReplayResult(
    Scenario Scenario,
    IReadOnlyList<Reading> Readings,
    IReadOnlyList<StepResult> Steps,
    IReadOnlyList<IReadOnlyList<KernelState>> States,
    int Checked,
    IReadOnlyList<ExpectationFailure> Failures);

/// <summary>Replays scenarios through <see cref="Kernel.Step"/> and checks their expectations.</summary>
public static class Replayer
{
    /// <summary>The readings a replay shows: the requested ones, else every preset and every variant the file names; with the file's options and the granularity in force.</summary>
    public static IReadOnlyList<Reading> Columns(Scenario scenario, IReadOnlyList<Reading>? requested, Granularity? mode)
    {
        var granularity = mode ?? scenario.Mode ?? Granularity.Atomic;
        var list = new List<Reading>();
        void Add(Reading r)
        {
            if (!list.Any(x => Expectation.Same(x, r))) list.Add(r);
        }
        if (requested is { Count: > 0 })
        {
            foreach (var r in requested) Add(WithFileOptions(scenario, r, keepExplicit: true));
        }
        else
        {
            foreach (var r in Readings.All) Add(WithFileOptions(scenario, r, keepExplicit: false));
            foreach (var r in scenario.NamedReadings) Add(r);
        }
        return [.. list.Select(r => r.WithGranularity(granularity))];
    }

    private static Reading WithFileOptions(Scenario scenario, Reading reading, bool keepExplicit)
    {
        var own = reading.Defaults ?? reading.Options;
        if (keepExplicit && reading.Options with { Granularity = Granularity.Atomic } != own with { Granularity = Granularity.Atomic }) return reading;
        var o = reading.Options;
        foreach (var setting in scenario.Options) ReadingOptionText.TryApply(ref o, setting, out _);
        return reading.With(o);
    }

    /// <summary>Replays a scenario under the given readings.</summary>
    public static ReplayResult Run(Scenario scenario, IReadOnlyList<Reading> readings)
    {
        var steps = new List<StepResult>();
        var states = new List<IReadOnlyList<KernelState>>();
        var failures = new List<ExpectationFailure>();
        var current = new KernelState[readings.Count];
        var checkedCount = 0;
        // Every reading's run of the scenario's operations, step by step below.
        var ops = scenario.Steps.Where(s => s.Operation is not null).Select(s => s.Operation!.Value).ToArray();
        var runs = readings.Select(r => new Trace(scenario.Catalog, r, ops).Replay()).ToArray();
        var at = 0;
        foreach (var step in scenario.Steps)
        {
            var outcomes = new Outcome?[readings.Count];
            for (var r = 0; r < readings.Count; r++)
            {
                if (step.Operation is not null)
                {
                    var o = runs[r][at];
                    outcomes[r] = o;
                    current[r] = o.State;
                }
                foreach (var e in step.Expectations)
                {
                    if (!e.AppliesTo(readings[r], scenario.ExpectationReadings)) continue;
                    checkedCount++;
                    var actual = e.Clause.Check(scenario.Catalog, readings[r], outcomes[r], current[r]);
                    if (actual is not null) failures.Add(new ExpectationFailure(e, readings[r], actual));
                }
            }
            if (step.Operation is not null) at++;
            steps.Add(new StepResult(step, outcomes));
            states.Add([.. current]);
        }
        return new ReplayResult(scenario, readings, steps, states, checkedCount, failures);
    }
}
