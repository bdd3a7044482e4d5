using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Reference;

/// <summary>Every property, as the checker decides it, agrees with <see cref="ReferenceProperties"/> on generated catalogs and plans, every reading, both modes, capped and not.</summary>
public class PropertyAgreementProperties
{
    public sealed record Case(Catalog Catalog, Reading Reading, string Source);

    // Small raw catalogs, or release plans encoded by the reading (plans are what compare explores).
    private static Gen<Case> Cases() =>
        from reading in Generators.Readings()
        from pick in Gen.Choose(0, 1)
        from catalog in pick == 0
            ? Generators.Catalogs(2, 3)
            : Generators.Plans(3).Select(plan => plan.Encode(reading))
        select new Case(catalog, reading, pick == 0 ? "raw catalog" : "release plan");

    private static Property Agree(Case c, int maxStates, int maxDepth)
    {
        var expected = ReferenceProperties.Evaluate(c.Catalog, c.Reading, maxStates, maxDepth);
        var limits = new ExploreLimits(maxStates, maxDepth);
        var actual = Verifier.Run(InputSource.Single(c.Catalog, "generated"), c.Reading, PropertyRegistry.All, limits, threads: 1);
        var differences = new List<string>();
        foreach (var v in actual.Verdicts)
        {
            var want = expected[v.Property.Id];
            var word = v.Kind switch
            {
                VerdictKind.Holds => "holds",
                VerdictKind.Violated => "violated",
                VerdictKind.Inconclusive => "inconclusive",
                _ => "n/a",
            };
            if (word != want.Word) differences.Add($"{v.Property.Id}: {word} ({v.Detail}), reference {want.Word}");
            // refusal-is-atomic keeps the first case in search order, not the shortest; the others keep the shortest.
            else if (want.Length >= 0 && v.Property.Id != "refusal-is-atomic" && v.Trace?.Count != want.Length)
                differences.Add($"{v.Property.Id}: trace of {v.Trace?.Count} operations, reference {want.Length}");
        }
        return (differences.Count == 0)
            .Label($"{c.Reading.DisplayName} {c.Reading.Options.Granularity} on {CatalogText.Describe(c.Catalog)}: {string.Join("; ", differences)}")
            .Classify(c.Reading.Options.Granularity == Granularity.TwoPhase, "two-phase")
            .Classify(actual.Coverage.Cut.Count > 0, "cut by a cap")
            .Classify(actual.Verdicts.Any(v => v.Kind == VerdictKind.Inconclusive), "inconclusive")
            .Classify(actual.Verdicts.Any(v => v.Kind == VerdictKind.Violated), "violated");
    }

    [Property(MaxTest = 40)]
    public Property Checker_Uncapped_AgreesWithTheReference() =>
        Prop.ForAll(Cases().ToArbitrary(), c => Agree(c, ExploreLimits.DefaultMaxStates, int.MaxValue));

    [Property(MaxTest = 40)]
    public Property Checker_CutByAStateCap_AgreesWithTheReference() =>
        Prop.ForAll(Cases().ToArbitrary(), Gen.Choose(1, 60).ToArbitrary(), (c, cap) => Agree(c, cap, int.MaxValue));

    [Property(MaxTest = 40)]
    public Property Checker_CutByADepthCap_AgreesWithTheReference() =>
        Prop.ForAll(Cases().ToArbitrary(), Gen.Choose(1, 5).ToArbitrary(), (c, depth) => Agree(c, ExploreLimits.DefaultMaxStates, depth));
}
