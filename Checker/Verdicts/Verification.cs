using Klp.Check.Model;

namespace Klp.Check.Exploration;

/// <summary>Runs exploration and the invariant checks for readings over an input source.</summary>
public static class Verification
{
    /// <summary>Checks properties for one reading over every input; catalogs run in parallel, results do not depend on the thread count.</summary>
    public static ReadingResult Run(InputSource source, Reading reading, IReadOnlyList<Invariant> invariants, ExploreLimits limits,
        int threads = 0, CancellationToken cancel = default, Action<int>? progress = null) =>
        ReadingPartial.Check(source, reading, invariants, limits, null, threads, cancel, progress).Finish(source, reading, invariants);

    /// <summary>"1 input", "2 inputs": a count with its noun.</summary>
    public static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

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
