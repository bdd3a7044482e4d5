using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using Klp.Check.Conformance;

namespace Klp.Check.Tests.Architecture;

/// <summary>The rules of <see cref="Layers"/> themselves: applied to a fixture (Violating/) whose folders break them on purpose, they report exactly the types that break them.</summary>
public sealed class RuleTests
{
    private const string Fixture = "Klp.Check.Tests.Architecture.Violating";

    private static readonly ArchUnitNET.Domain.Architecture violating =
        new ArchLoader().LoadNamespacesWithinAssembly(typeof(RuleTests).Assembly, Fixture).Build();

    [Fact]
    public void EngineRule_OnAnEngineTypeThatUsesAProperty_ReportsThatType()
    {
        var rule = Layers.MayUseOnly(Fixture, "Engine");

        Assert.False(rule.HasNoViolations(violating));
        var failure = Assert.Throws<FailedArchRuleException>(() => rule.Check(violating));
        Assert.Contains($"{Fixture}.Engine.Search does depend on \"{Fixture}.Properties.Judge\"", failure.Message);
        Assert.DoesNotContain("Frontier", failure.Message);
    }

    [Fact]
    public void PropertiesRule_OnPropertiesThatUseNothingAbove_Holds()
    {
        Assert.True(Layers.MayUseOnly(Fixture, "Properties").HasNoViolations(violating));
    }

    [Fact]
    public void CommandsRule_OnAReportThatCallsACommand_ReportsThatReport()
    {
        var rule = Layers.NoneUses(Fixture, "Commands");

        var failure = Assert.Throws<FailedArchRuleException>(() => rule.Check(violating));
        Assert.Contains($"{Fixture}.Reports.Header does depend on \"{Fixture}.Commands.Tool\"", failure.Message);
        Assert.DoesNotContain($"{Fixture}.Engine", failure.Message);
    }
}
