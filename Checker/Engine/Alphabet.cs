using Klp.Check.Model;

namespace Klp.Check.Engine;

/// <summary>The operations exploration tries in every state.</summary>
public static class Alphabet
{
    /// <summary>Every load (with every <c>add_sets</c> variant), disable and unload; in two-phase mode also Complete, Reverse and Force.</summary>
    /// <remarks>
    /// In this order, which the explorer relies on to apply only what gets past
    /// <see cref="Kernel.EarlyScreen"/>: the load of patch p with variant v at p × variants + v,
    /// the disable of p at n × variants + p, its unload at n × (variants + 1) + p (n patches),
    /// then the transition operations.
    /// </remarks>
    public static Operation[] For(Catalog catalog, Granularity granularity)
    {
        var ops = new List<Operation>();
        for (var p = 0; p < catalog.Count; p++)
            for (var v = 0; v < catalog.AddSetsVariants.Length; v++)
                ops.Add(Operation.Load(p, v));
        for (var p = 0; p < catalog.Count; p++) ops.Add(Operation.Disable(p));
        for (var p = 0; p < catalog.Count; p++) ops.Add(Operation.Unload(p));
        if (granularity == Granularity.TwoPhase)
        {
            ops.Add(Operation.Complete());
            ops.Add(Operation.Reverse());
            ops.Add(Operation.Force());
        }
        return [.. ops];
    }
}
