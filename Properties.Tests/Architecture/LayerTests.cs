using ArchUnitNET.xUnit;
using Klp.Check.Conformance;
using Klp.Check.Model;

namespace Klp.Check.Tests.Architecture;

/// <summary>The dependencies between the checker's folders, one test per folder: what it may use (docs/architecture.md).</summary>
public sealed class LayerTests
{
    [Fact]
    public void Model_UsesNothingOfTheChecker()
    {
        var checker = typeof(Klp.Check.Commands.Cli).Assembly.GetName().Name;
        Assert.DoesNotContain(typeof(Kernel).Assembly.GetReferencedAssemblies(), a => a.Name == checker);
    }

    [Fact]
    public void Root_UsesOnlyTheModel() => Layers.RootUsesOnlyTheModel(Layers.Root).Check(Layers.Checker);

    [Fact]
    public void Inputs_UsesOnlyTheModel() => Layers.MayUseOnly(Layers.Root, "Inputs").Check(Layers.Checker);

    [Fact]
    public void Engine_UsesOnlyTheModel() => Layers.MayUseOnly(Layers.Root, "Engine").Check(Layers.Checker);

    [Fact]
    public void Properties_UsesOnlyEngine() => Layers.MayUseOnly(Layers.Root, "Properties").Check(Layers.Checker);

    [Fact]
    public void Proposals_UsesOnlyInputs() => Layers.MayUseOnly(Layers.Root, "Proposals").Check(Layers.Checker);

    [Fact]
    public void Scenarios_UsesOnlyInputsAndProposals() => Layers.MayUseOnly(Layers.Root, "Scenarios").Check(Layers.Checker);

    [Fact]
    public void Verdicts_UsesOnlyInputsEngineAndProperties() => Layers.MayUseOnly(Layers.Root, "Verdicts").Check(Layers.Checker);

    [Fact]
    public void Proofs_UsesOnlyInputsEnginePropertiesAndVerdicts() => Layers.MayUseOnly(Layers.Root, "Proofs").Check(Layers.Checker);

    [Fact]
    public void Equivalence_UsesOnlyInputsEngineAndProperties() => Layers.MayUseOnly(Layers.Root, "Equivalence").Check(Layers.Checker);

    [Fact]
    public void Comparison_UsesNothingAboveVerdictsEquivalenceAndScenarios() => Layers.MayUseOnly(Layers.Root, "Comparison").Check(Layers.Checker);

    [Fact]
    public void Shards_UsesNothingAboveComparison() => Layers.MayUseOnly(Layers.Root, "Shards").Check(Layers.Checker);

    [Fact]
    public void Reports_UsesNothingAboveComparisonAndProofs() => Layers.MayUseOnly(Layers.Root, "Reports").Check(Layers.Checker);

    [Fact]
    public void ReportsHtml_UsesNothingAboveReports() => Layers.MayUseOnly(Layers.Root, "Reports.Html").Check(Layers.Checker);

    [Fact]
    public void Export_UsesOnlyInputsAndEngine() => Layers.MayUseOnly(Layers.Root, "Export").Check(Layers.Checker);

    [Fact]
    public void Conformance_UsesOnlyInputsEngineProposalsScenariosReportsAndExport() => Layers.MayUseOnly(Layers.Root, "Conformance").Check(Layers.Checker);

    [Fact]
    public void Explore_UsesNothingAboveReportsButNotComparisonOrShards() => Layers.MayUseOnly(Layers.Root, "Explore").Check(Layers.Checker);

    [Fact]
    public void Commands_IsUsedByNoFolder() => Layers.NoneUses(Layers.Root, "Commands").Check(Layers.Checker);

    [Fact]
    public void EveryNamespace_IsAFolderOfTheTable()
    {
        var known = Layers.MayUse.Keys.Select(f => $"{Layers.Root}.{f}").Append(Layers.Root).Append($"{Layers.Root}.Model").ToHashSet();
        var namespaces = Layers.Checker.Types.Select(t => t.Namespace.FullName).Where(n => n.Length > 0 && !n.StartsWith("<", StringComparison.Ordinal) && !n.StartsWith("System", StringComparison.Ordinal) && !n.StartsWith("Microsoft", StringComparison.Ordinal)).Distinct();
        Assert.All(namespaces, n => Assert.Contains(n, known));
    }
}
