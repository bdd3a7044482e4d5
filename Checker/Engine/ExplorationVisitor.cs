using Klp.Check.Model;

namespace Klp.Check.Engine;

/// <summary>Observes a search: each state as it is added, each accepted transition as it is recorded, each refusal as it happens.</summary>
/// <remarks>
/// Properties subscribe to a search through a visitor instead of the engine computing their
/// facts for them (stateright's <c>CheckerVisitor</c> plays the same part). States and
/// transitions are reported on one thread in id and edge order, after the state or edge is in
/// the graph. Refusals too are reported on that thread, in state and operation order, whatever
/// the number of threads: the events and their order do not depend on it.
/// </remarks>
public abstract class ExplorationVisitor
{
    /// <summary>A state was added to the graph (its id, depth and parent are set); <paramref name="value"/> is the state, as the search holds it, so that a visitor need not read it back from the graph.</summary>
    public virtual void OnState(StateGraph graph, int state, in KernelState value) { }

    /// <summary>An accepted transition was added to the graph (its target state is in the graph); <paramref name="before"/> and <paramref name="after"/> are the values of its source and target states.</summary>
    public virtual void OnTransition(StateGraph graph, in Edge edge, in KernelState before, in KernelState after) { }

    /// <summary>False when <see cref="OnTransition"/> does nothing for an accepted <paramref name="op"/>: a search may then leave out those transitions.</summary>
    /// <remarks>Asked once per operation of the alphabet, before the search.</remarks>
    public virtual bool SeesTransitionsOf(Operation op) => true;

    /// <summary>False when only refusals that changed the state matter to this visitor: a search may then leave out the refusals that left it unchanged.</summary>
    public virtual bool SeesUnchangedRefusals => true;

    /// <summary>The operation at <paramref name="op"/> (an alphabet index) was refused in <paramref name="state"/>, whose value is <paramref name="before"/>, leaving <paramref name="after"/> (equal to <paramref name="before"/> if the refusal changed nothing).</summary>
    public virtual void OnRefusal(StateGraph graph, int state, int op, in KernelState before, in KernelState after) { }
}
