namespace Klp.Check.Engine;

/// <summary>An accepted transition of the reachable graph, in 16 bytes.</summary>
public readonly struct Edge
{
    private readonly uint affected;
    private readonly ushort op;

    /// <summary>Records a transition.</summary>
    public Edge(int from, int to, int op, ulong affected)
    {
        From = from;
        To = to;
        this.op = (ushort)op;
        this.affected = (uint)affected;
    }

    /// <summary>Source state id.</summary>
    public int From { get; }

    /// <summary>Target state id.</summary>
    public int To { get; }

    /// <summary>Index into the alphabet.</summary>
    public int Op => op;

    /// <summary>What the operation replaced or removed, as a mask over catalog indices.</summary>
    public ulong Affected => affected;
}
