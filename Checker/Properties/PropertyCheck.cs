using Klp.Check.Engine;

namespace Klp.Check.Properties;

/// <summary>The events of an exploration a check subscribes to.</summary>
[Flags]
public enum CheckEvents
{
    /// <summary>None: the check works on the finished graph (<see cref="GraphFacts"/>) only.</summary>
    None = 0,
    /// <summary><see cref="ExplorationVisitor.OnState"/>.</summary>
    States = 1,
    /// <summary><see cref="ExplorationVisitor.OnTransition"/>, for every accepted operation.</summary>
    Transitions = 2,
    /// <summary><see cref="PropertyCheck.OnSettled"/> for every accepted load.</summary>
    Loads = 4,
    /// <summary><see cref="PropertyCheck.OnSettled"/> for every accepted disable.</summary>
    Disables = 8,
    /// <summary><see cref="ExplorationVisitor.OnRefusal"/>, for every refusal.</summary>
    Refusals = 16,
    /// <summary><see cref="ExplorationVisitor.OnRefusal"/>, for the refusals that changed the state at least (others may come too).</summary>
    ChangingRefusals = 32,
}

/// <summary>One property watching one exploration: it sees the events it subscribes to as the graph is built, and gives its finding at the end.</summary>
/// <remarks>
/// Safety checks decide as the search goes (a state, a transition, a settled load at a time)
/// and keep only their shortest finding; liveness checks read the finished graph through the
/// shared, lazily computed <see cref="GraphFacts"/>.
/// </remarks>
public abstract class PropertyCheck : ExplorationVisitor
{
    /// <summary>The events this check needs; the others are never delivered to it.</summary>
    public virtual CheckEvents Events => CheckEvents.None;

    /// <summary>An accepted load or disable with the quiescent state it settles in (see <see cref="SettledStep"/>).</summary>
    public virtual void OnSettled(StateGraph graph, in SettledStep step) { }

    /// <summary>False when no settled step of this operation can break or exercise the check: such steps are not handed to it.</summary>
    /// <remarks>Asked once per operation of the alphabet, before the search; a step check whose case needs a vendor load, say, leaves out the loads of customer patches.</remarks>
    public virtual bool Concerns(Klp.Check.Model.Operation op) => true;

    /// <summary>What a settled step of an operation this check concerns must show to be handed to it (<see cref="StepScreen"/>); by default every step.</summary>
    /// <remarks>Asked once per operation, before the search. A screen must let through every step on which the check could find something.</remarks>
    public virtual StepScreen Screen(Klp.Check.Model.Operation op) => StepScreen.Every;

    /// <summary>True while the check wants every settled step it concerns whatever its screen says: while it waits to see its case.</summary>
    /// <remarks>Not virtual, so that reading it costs a load: it is read for every settled step. A check sets it when what it waits for changes.</remarks>
    public bool SeesEveryStep { get; protected set; } = true;

    /// <summary>The finding, once exploration has ended.</summary>
    public abstract CatalogFinding Finish(GraphFacts facts);

    /// <summary>Whether the case the property is about happened (its witness against vacuity), or null when not tracked.</summary>
    public virtual bool? Exercised(GraphFacts facts) => null;

    /// <summary>A check whose case cannot occur in the catalog: it holds vacuously and costs nothing.</summary>
    public static PropertyCheck Vacuous { get; } = new Fixed(CatalogFinding.Nothing, false);

    /// <summary>A check whose case cannot occur in the catalog, for a property that does not track its case: it holds and costs nothing.</summary>
    public static PropertyCheck Untracked { get; } = new Fixed(CatalogFinding.Nothing, null);

    /// <summary>A check that the catalog gives nothing to talk about: not applicable, at no cost.</summary>
    public static PropertyCheck NotApplicable { get; } = new Fixed(CatalogFinding.NotApplicable, null);

    private sealed class Fixed(CatalogFinding finding, bool? exercised) : PropertyCheck
    {
        public override CatalogFinding Finish(GraphFacts facts) => finding;

        public override bool? Exercised(GraphFacts facts) => exercised;
    }
}
