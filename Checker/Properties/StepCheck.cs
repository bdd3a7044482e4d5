using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary>A check decided on settled steps: the shortest step that breaks the property is its finding.</summary>
public abstract class StepCheck : PropertyCheck
{
    private readonly ShortestStep shortest = new();
    private bool exercised;

    /// <summary>What the step shows (a violation, or for a witness the case), or null.</summary>
    protected abstract string? Broken(in SettledStep step);

    /// <summary>Whether the step is the property's case; null when the property does not track it.</summary>
    protected virtual bool? Exercises(in SettledStep step) => null;

    /// <inheritdoc/>
    public override CheckEvents Events => CheckEvents.Loads;

    /// <summary>A check that sees every step it concerns only while it tracks its case and has not seen it.</summary>
    protected StepCheck() => SeesEveryStep = Tracked;

    /// <inheritdoc/>
    public override void OnSettled(StateGraph graph, in SettledStep step)
    {
        if (!exercised && Exercises(step) == true)
        {
            exercised = true;
            SeesEveryStep = false;
        }
        if (shortest.Improves(step) && Broken(step) is { } what) shortest.Keep(graph, step, what);
    }

    /// <inheritdoc/>
    public override CatalogFinding Finish(GraphFacts facts) => shortest.Finding;

    /// <inheritdoc/>
    public override bool? Exercised(GraphFacts facts) => Tracked ? exercised : null;

    /// <summary>True when <see cref="Exercises"/> is meaningful for this property.</summary>
    protected virtual bool Tracked => false;
}

/// <summary>A check decided on single quiescent states: the first (so shallowest) state that shows something is its finding.</summary>
public abstract class StateCheck : PropertyCheck
{
    private int found = -1;
    private string? message;

    /// <summary>What the state shows, or null.</summary>
    protected abstract string? Shows(in Klp.Check.Model.KernelState state);

    /// <summary>The lowest bit that two enabled patches of the state both have in their per-patch bits (functions or state ids), or -1.</summary>
    protected static int FirstShared(in Klp.Check.Model.KernelState s, Klp.Check.Model.Catalog c, bool states)
    {
        ulong seen = 0;
        for (var i = 0; i < s.Count; i++)
        {
            var p = s.PatchAt(i);
            if (!Klp.Check.Model.Observables.IsEnabled(s, p)) continue;
            var bits = states ? c.StateBits(p) : c.FunctionBits(p);
            if ((seen & bits) != 0) return System.Numerics.BitOperations.TrailingZeroCount(seen & bits);
            seen |= bits;
        }
        return -1;
    }

    /// <inheritdoc/>
    public override CheckEvents Events => CheckEvents.States;

    /// <inheritdoc/>
    public override void OnState(StateGraph graph, int state, in KernelState value)
    {
        if (found >= 0) return;
        ref readonly var s = ref value;
        if (s.InTransition) return;
        if (Shows(s) is { } what)
        {
            found = state;
            message = what;
        }
    }

    /// <inheritdoc/>
    public override CatalogFinding Finish(GraphFacts facts) =>
        found < 0 ? CatalogFinding.Nothing : new CatalogFinding(true, true, facts.Graph.PathTo(found), message);
}
