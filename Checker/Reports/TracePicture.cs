using Klp.Check.Equivalence;
using Klp.Check.Model;
using Klp.Check.Scenarios;
using Klp.Check.Verdicts;

namespace Klp.Check.Reports;

/// <summary>One step of a run: the operation, its outcome, and the state after it.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="Outcome">What <see cref="Kernel.Step"/> returned for it.</param>
public sealed record TraceFrame(Operation Operation, Outcome Outcome);

/// <summary>The patches that occupy the same sets after a step.</summary>
/// <param name="Sets">The set numbers, as <c>{1,2}</c>, or <c>no sets</c> for a reading without sets.</param>
/// <param name="Patches">The enabled patches that occupy exactly these sets, in list order.</param>
public sealed record SetGroup(string Sets, IReadOnlyList<string> Patches);

/// <summary>What a picture shows of one step under one reading, derived from the state through <see cref="Observables"/>.</summary>
/// <param name="Outcome">"accepted" or "refused ERRNO reason".</param>
/// <param name="Refused">True when the operation was refused.</param>
/// <param name="Gone">Patches the step replaced, removed, unloaded or refused, each with the word: "klp-1a replaced".</param>
/// <param name="Groups">The enabled patches grouped by the sets they occupy.</param>
/// <param name="Transition">The running transition, or null.</param>
/// <param name="Active">Per function, the patch whose code runs ("original" for none).</param>
/// <param name="States">The active states, as <c>id:vN</c>.</param>
public sealed record FrameView(string Outcome, bool Refused, IReadOnlyList<string> Gone, IReadOnlyList<SetGroup> Groups,
    string? Transition, IReadOnlyList<(string Function, string Patch)> Active, IReadOnlyList<string> States)
{
    /// <summary>Every line of the view, for comparing views and for labels that list everything.</summary>
    public IEnumerable<string> Lines()
    {
        yield return Outcome;
        foreach (var g in Gone) yield return g;
        foreach (var g in Groups) yield return $"{g.Sets}: {string.Join(" ", g.Patches)}";
        if (Transition is not null) yield return Transition;
        foreach (var (f, p) in Active) yield return $"{f} -> {p}";
        foreach (var s in States) yield return "state " + s;
    }

    /// <summary>The view of a state with no operation applied yet (the empty kernel, or a graph node).</summary>
    public static FrameView Of(Catalog catalog, Reading reading, in KernelState state) => Build(catalog, reading, null, null, state);

    /// <summary>The view of one step.</summary>
    public static FrameView Of(Catalog catalog, Reading reading, TraceFrame frame) => Build(catalog, reading, frame.Operation, frame.Outcome, frame.Outcome.State);

    private static FrameView Build(Catalog catalog, Reading reading, Operation? op, Outcome? outcome, in KernelState state)
    {
        var gone = new List<string>();
        if (outcome is { } o && op is { } operation)
        {
            if (!o.Accepted && operation.Patch < catalog.Count) gone.Add($"{catalog[operation.Patch].Name} refused");
            var verb = operation.Kind switch { OpKind.Load => "replaced", OpKind.Unload => "unloaded", _ => "removed" };
            foreach (var name in catalog.NamesOf(o.Affected)) gone.Add($"{name} {verb}");
        }
        var groups = new List<(string Sets, List<string> Patches)>();
        foreach (var (p, sets) in Observables.OccupiedSets(catalog, reading, state))
        {
            var key = reading.HasSets ? "{" + string.Join(",", catalog.SetsOf(sets)) + "}" : "no sets";
            var g = groups.FindIndex(x => x.Sets == key);
            if (g < 0) groups.Add((key, [catalog[p].Name]));
            else groups[g].Patches.Add(catalog[p].Name);
        }
        var transition = state.InTransition
            ? $"transition {catalog[state.TransitionPatch].Name} -> {(state.TargetPatched ? "patched" : "unpatched")}"
            : null;
        var active = new List<(string, string)>();
        for (var f = 0; f < catalog.Functions.Length; f++)
        {
            var p = Observables.ActiveImplementation(catalog, state, f);
            active.Add((catalog.Functions[f].ToString(), p < 0 ? "original" : catalog[p].Name));
        }
        var states = Observables.ActiveStates(catalog, state).Values.Select(s => s.ToString()).ToList();
        return new FrameView(outcome is { } r ? KernelStateText.Outcome(catalog, op, r).Split(',')[0] : "initial state", outcome is { Accepted: false },
            gone, [.. groups.Select(g => new SetGroup(g.Sets, g.Patches))], transition, active, states);
    }
}

/// <summary>A trace as run by one or more readings that show the same thing at every step.</summary>
/// <param name="Label">The readings, comma-separated.</param>
/// <param name="Views">Per step, what the readings show.</param>
public sealed record TraceLane(string Label, IReadOnlyList<FrameView> Views);

/// <summary>A trace to draw: its operations, one lane per group of readings, the steps to highlight and why.</summary>
/// <param name="Operations">Per step, the operation as written.</param>
/// <param name="Lanes">The readings' runs, readings that show the same run merged into one lane.</param>
/// <param name="Marked">The 0-based steps to highlight: where the property breaks, the witness is reached, readings differ, or an expectation failed.</param>
/// <param name="Mark">What a highlighted step means, e.g. "breaks here".</param>
/// <param name="Broken">True when the highlight is bad news (a violation, a difference, a failure); false for a witness reached.</param>
public sealed record TracePicture(IReadOnlyList<string> Operations, IReadOnlyList<TraceLane> Lanes, IReadOnlySet<int> Marked, string Mark, bool Broken)
{
    /// <summary>The steps of a trace: each operation with its outcome (<see cref="Trace.Replay"/>).</summary>
    public static List<TraceFrame> Frames(Trace trace)
    {
        var outcomes = trace.Replay();
        return [.. trace.Operations.Select((op, i) => new TraceFrame(op, outcomes[i]))];
    }

    /// <summary>Merges readings whose views agree at every step into one lane, keeping first-appearance order.</summary>
    public static List<TraceLane> Merge(IEnumerable<(string Reading, IReadOnlyList<FrameView> Views)> runs)
    {
        var lanes = new List<(List<string> Readings, IReadOnlyList<FrameView> Views, string Key)>();
        foreach (var (reading, views) in runs)
        {
            var key = string.Join("\n", views.SelectMany(v => v.Lines().Append("|")));
            var g = lanes.FindIndex(l => l.Key == key);
            if (g < 0) lanes.Add(([reading], views, key));
            else lanes[g].Readings.Add(reading);
        }
        return [.. lanes.Select(l => new TraceLane(string.Join(", ", l.Readings), l.Views))];
    }

    /// <summary>The picture of verdicts that share one trace: the last step breaks the property, or reaches the witness.</summary>
    public static TracePicture OfVerdicts(IReadOnlyList<Verdict> verdicts)
    {
        var first = verdicts[0];
        var runs = verdicts.Select(v => (v.Reading.DisplayName, (IReadOnlyList<FrameView>)[.. Frames(new Trace(v.Catalog!, v.Reading, v.Trace!)).Select(f => FrameView.Of(v.Catalog!, v.Reading, f))]));
        var witness = first.Kind == VerdictKind.Holds;
        return new TracePicture([.. first.Trace!.Select(o => o.Format(first.Catalog!))], Merge(runs),
            new HashSet<int> { first.Trace!.Count - 1 }, witness ? "reached here" : "breaks here", !witness);
    }

    /// <summary>The picture of a distinguishing trace: each representative's run on its own catalog; the last step differs.</summary>
    public static TracePicture OfDivergence(Divergence d)
    {
        // One lane per reading even when they agree: the point is to show them side by side.
        var lanes = d.Views.Select(v => new TraceLane(v.Reading.DisplayName, [.. Frames(new Trace(v.Catalog, v.Reading, d.Trace)).Select(f => FrameView.Of(v.Catalog, v.Reading, f))])).ToList();
        return new TracePicture([.. d.Trace.Select(o => o.Format(d.Views[0].Catalog))], lanes, new HashSet<int> { d.Trace.Count - 1 }, "differ here", true);
    }

    /// <summary>The picture of a scenario replay: the views come from the replay's own outcomes; steps with a failed expectation are marked.</summary>
    public static TracePicture OfReplay(ReplayResult result)
    {
        var catalog = result.Scenario.Catalog;
        var steps = Enumerable.Range(0, result.Steps.Count).Where(i => result.Steps[i].Step.Operation is not null).ToList();
        var runs = result.Readings.Select((r, k) => (r.DisplayName, (IReadOnlyList<FrameView>)[.. steps.Select(i =>
            FrameView.Of(catalog, r, new TraceFrame(result.Steps[i].Step.Operation!.Value, result.Steps[i].Outcomes[k]!.Value)))]));
        var marked = new HashSet<int>();
        for (var j = 0; j < steps.Count; j++)
            if (result.Failures.Any(f => result.Steps[steps[j]].Step.Expectations.Contains(f.Expectation))) marked.Add(j);
        return new TracePicture([.. steps.Select(i => result.Steps[i].Step.Operation!.Value.Format(catalog))], Merge(runs), marked, "expectation failed", true);
    }
}
