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
}
