using Klp.Check.Model;

namespace Klp.Check.Conformance;

/// <summary>What <c>conform</c> was asked to run, for the report's heading.</summary>
/// <param name="Scenarios">Scenario files read.</param>
/// <param name="Catalogs">Catalog files, each with its number of generated traces.</param>
/// <param name="Seed">The seed of the generated traces.</param>
/// <param name="Length">Their length.</param>
public sealed record ConformInputs(IReadOnlyList<string> Scenarios, IReadOnlyList<(string File, int Traces)> Catalogs, ulong Seed, int Length)
{
    /// <summary>The mode of the generated traces.</summary>
    public Granularity Mode { get; init; } = Granularity.Atomic;
}
