using System.Numerics;
using Klp.Check.Model;

namespace Klp.Check.Equivalence;

/// <summary>One reading's side of the step on which the readings first differ.</summary>
/// <param name="Reading">The reading.</param>
/// <param name="Catalog">The catalog it explored (its own encoding of a release plan).</param>
/// <param name="Before">Its state before the last operation of the trace.</param>
/// <param name="After">The outcome of that operation, with the state after it.</param>
public sealed record LockstepView(Reading Reading, Catalog Catalog, KernelState Before, Outcome After);

/// <summary>A shortest trace on which the readings' observables differ, and what differed.</summary>
/// <param name="Trace">The operations; every one but the last agrees under every reading.</param>
/// <param name="Differs">The observables that differ after the last operation, between the first reading and some other.</param>
/// <param name="Views">Per reading, in the order given, the state before the last operation and its outcome.</param>
public sealed record Divergence(IReadOnlyList<Operation> Trace, Observed Differs, IReadOnlyList<LockstepView> Views)
{
    /// <summary>The number of operations.</summary>
    public int Length => Trace.Count;
}

/// <summary>The result of one lockstep exploration.</summary>
/// <param name="Divergence">The first divergence in breadth-first order, or null when no trace within the caps distinguishes the readings.</param>
/// <param name="ProductStates">Distinct product states (tuples of kernel states) reached.</param>
/// <param name="Transitions">Operations applied, counting one per product transition.</param>
/// <param name="CutBy">Null when exploration was exhaustive (or stopped at a divergence); otherwise which cap cut it.</param>
public sealed record LockstepResult(Divergence? Divergence, long ProductStates, long Transitions, string? CutBy);
