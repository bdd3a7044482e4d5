using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Commands;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Reports;
using Klp.Check.Scenarios;
using Klp.Check.Verdicts;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Properties;

/// <summary><c>state-monotonic</c> finds a lowered state whichever catalog index its declarers have.</summary>
public class StateMonotonicTests
{
    private static readonly Klp.Check.Properties.Property stateMonotonic = PropertyRegistry.Find("state-monotonic")!;

    // Two customer patches in different sets declare state 1: with isolation=functions-only the
    // second loads beside the first without replacing it, and its version becomes the active one.
    [Theory]
    [InlineData("patch high customer sets={1} funcs={f} states={1:v2}\npatch low customer sets={2} funcs={g} states={1:v1}\n")]
    [InlineData("patch low customer sets={2} funcs={g} states={1:v1}\npatch high customer sets={1} funcs={f} states={1:v2}\n")]
    public void StateMonotonic_LowerVersionLoadedBesideAHigherOne_ViolatedWhicheverPatchComesFirst(string patches)
    {
        var catalog = ScenarioParser.Parse(patches, "two-declarers.klp").Catalog;
        var reading = Cli.ParseReadings(["replace-set(isolation=functions-only)"], null, TextWriter.Null)![0];

        var v = Verifier.Run(InputSource.Single(catalog, "two-declarers.klp"), reading, [stateMonotonic], default).Verdicts[0];

        Assert.Equal(VerdictKind.Violated, v.Kind);
        Assert.Equal("loading low lowers state 1 from v2 to v1", v.Detail);
        Assert.Equal("load high; load low", ComparisonReport.TraceText(v));
    }

    // The kernel and every property ignore where a patch sits in the catalog: reversing the
    // catalog never changes whether a load can lower an active state.
    [Property(MaxTest = 150)]
    public Property StateMonotonic_CatalogReversed_SameVerdict() =>
        Prop.ForAll(Generators.Catalogs(2, 3).ToArbitrary(), Generators.Readings().ToArbitrary(), (catalog, reading) =>
        {
            var reversed = new Catalog(catalog.Patches.Reverse(), catalog.AddSetsVariants.Skip(1));
            var forward = Verifier.Run(InputSource.Single(catalog, "generated"), reading, [stateMonotonic], default, threads: 1).Verdicts[0];
            var backward = Verifier.Run(InputSource.Single(reversed, "generated"), reading, [stateMonotonic], default, threads: 1).Verdicts[0];
            return (forward.Kind == backward.Kind)
                .Label($"{reading.DisplayName}: {forward.Word} ({forward.Detail}), reversed {backward.Word} ({backward.Detail}) on {CatalogText.Describe(catalog)}")
                .Classify(forward.Kind == VerdictKind.Violated, "violated");
        });
}
