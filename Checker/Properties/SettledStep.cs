using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary>An accepted load or disable seen from quiescent state to quiescent state: in two-phase mode the operation followed by Complete.</summary>
/// <remarks>Built once per transition for every check that subscribes, and never stored: the states are references to the values the search passes (or to the settled state).</remarks>
public readonly ref struct SettledStep
{
    /// <summary>Describes a settled step.</summary>
    public SettledStep(int from, Operation op, ulong affected, ref readonly KernelState before, ref readonly KernelState after, int extra, int length)
    {
        From = from;
        Op = op;
        Affected = affected;
        Before = ref before;
        After = ref after;
        Extra = extra;
        Length = length;
    }

    /// <summary>The state id the operation starts from.</summary>
    public int From { get; }

    /// <summary>The operation.</summary>
    public Operation Op { get; }

    /// <summary>What the operation replaced or removed, as a mask over catalog indices.</summary>
    public ulong Affected { get; }

    /// <summary>The state before.</summary>
    public readonly ref readonly KernelState Before;

    /// <summary>The quiescent state after (after Complete, when one was needed).</summary>
    public readonly ref readonly KernelState After;

    /// <summary>1 when a Complete follows the operation, else 0.</summary>
    public int Extra { get; }

    /// <summary>The length of the shortest trace that ends with this step.</summary>
    public int Length { get; }

    /// <summary>The shortest trace that ends with this step.</summary>
    public List<Operation> Trace(StateGraph graph)
    {
        var trace = graph.PathTo(From);
        trace.Add(Op);
        if (Extra > 0) trace.Add(Operation.Complete());
        return trace;
    }
}

/// <summary>The shortest settled step found so far that shows something, with what it shows.</summary>
public sealed class ShortestStep
{
    private List<Operation>? trace;
    private int length = int.MaxValue;
    private string? message;

    /// <summary>True when a step of this length could still replace the one kept (only a strictly shorter one does).</summary>
    public bool Improves(in SettledStep step) => step.Length < length;

    /// <summary>Keeps a step and its message.</summary>
    public void Keep(StateGraph graph, in SettledStep step, string what)
    {
        trace = step.Trace(graph);
        length = step.Length;
        message = what;
    }

    /// <summary>True when a step was kept.</summary>
    public bool Found => trace is not null;

    /// <summary>The trace length kept, or <see cref="int.MaxValue"/>.</summary>
    public int Length => length;

    /// <summary>The finding: the kept step, or nothing.</summary>
    public CatalogFinding Finding => trace is null ? CatalogFinding.Nothing : new CatalogFinding(true, true, trace, message);
}
