using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;

namespace Klp.Check.Verdicts;

/// <summary>Runs exploration and the invariant checks for readings over an input source.</summary>
public static class Verification
{
    /// <summary>Checks properties for one reading over every input; catalogs run in parallel, results do not depend on the thread count.</summary>
    public static ReadingResult Run(InputSource source, Reading reading, IReadOnlyList<Invariant> invariants, ExploreLimits limits,
        int threads = 0, CancellationToken cancel = default, Action<int>? progress = null) =>
        ReadingPartial.Check(source, reading, invariants, limits, null, threads, cancel, progress).Finish(source, reading, invariants);

    /// <summary>Replays a trace through Step; throws if it is not a real run (every operation but the last accepted).</summary>
    public static KernelState Replay(Catalog catalog, Reading reading, IReadOnlyList<Operation> trace)
    {
        var s = KernelState.Empty;
        for (var i = 0; i < trace.Count; i++)
        {
            var o = Kernel.Step(catalog, reading, s, trace[i]);
            if (!o.Accepted && i < trace.Count - 1)
                throw new InvalidOperationException($"trace step {i + 1} ({trace[i].Format(catalog)}) was refused on replay: {o.Reason.Name()}");
            s = o.State;
        }
        return s;
    }
}
