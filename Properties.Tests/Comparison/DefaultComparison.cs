using Klp.Check.Commands;
using Klp.Check.Comparison;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Tests.Comparison;

/// <summary>The default comparison, computed once for every test that needs it.</summary>
public static class DefaultComparison
{
    private static readonly Lazy<ComparisonResult> result = new(() =>
        Comparer.Run(InputSource.Plans(InputOptions.DefaultPlans), Readings.All, PropertyRegistry.All, new ExploreLimits(), []));

    /// <summary>The verdict matrix at the default bounds, without scenario replays.</summary>
    public static ComparisonResult Result => result.Value;

    /// <summary>The committed baseline the tests hold the matrix to.</summary>
    public const string BaselineFile = "baselines/compare-default.verdicts";

    /// <summary>The verdict of one cell.</summary>
    public static Verdict Cell(string reading, string property) =>
        Result.Results.Single(r => r.Reading.DisplayName == reading).Verdicts.Single(v => v.Property.Id == property);
}
