using System.Reflection;
using System.Text.RegularExpressions;
using ArchUnitNET.Domain;
using ArchUnitNET.Fluent;
using ArchUnitNET.Loader;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Klp.Check.Tests.Architecture;

/// <summary>The folders of the checker and the folders each may depend on, as docs/architecture.md writes them down.</summary>
/// <remarks>
/// Every folder may use its own types, the model (<c>Klp.Check.Model</c>) and the root namespace
/// (<c>Klp.Check</c>: plain-text layout and terminal escaping); besides those, only the folders listed
/// here. A folder that is not listed is a test failure (<see cref="LayerTests.EveryNamespace_IsAFolderOfTheTable"/>),
/// so a new folder gets its place before its first type lands.
/// </remarks>
public static class Layers
{
    /// <summary>The root namespace of the checker.</summary>
    public const string Root = "Klp.Check";

    /// <summary>Per folder (its namespace under the root), the folders it may depend on besides itself, the model and the root.</summary>
    public static IReadOnlyDictionary<string, string[]> MayUse { get; } = new Dictionary<string, string[]>
    {
        ["Inputs"] = [],
        ["Engine"] = [],
        ["Properties"] = ["Engine"],
        ["Proposals"] = ["Inputs"],
        ["Scenarios"] = ["Inputs", "Proposals"],
        ["Verdicts"] = ["Inputs", "Engine", "Properties"],
        // Proofs (an SMT-based prove command) sits beside Verdicts: it proves what the verifier checks.
        ["Proofs"] = ["Inputs", "Engine", "Properties", "Verdicts"],
        ["Equivalence"] = ["Inputs", "Engine", "Properties"],
        ["Comparison"] = ["Inputs", "Engine", "Properties", "Verdicts", "Equivalence", "Proposals", "Scenarios"],
        ["Shards"] = ["Inputs", "Engine", "Properties", "Verdicts", "Equivalence", "Comparison", "Proposals", "Scenarios"],
        ["Reports"] = ["Inputs", "Engine", "Properties", "Verdicts", "Proofs", "Equivalence", "Comparison", "Proposals", "Scenarios"],
        ["Reports.Html"] = ["Inputs", "Engine", "Properties", "Verdicts", "Proofs", "Equivalence", "Comparison", "Proposals", "Scenarios", "Reports"],
        ["Export"] = ["Inputs", "Engine"],
        ["Conformance"] = ["Inputs", "Engine", "Proposals", "Scenarios", "Reports", "Export"],
        ["Explore"] = ["Inputs", "Engine", "Properties", "Verdicts", "Equivalence", "Proposals", "Scenarios", "Reports"],
        ["Commands"] = ["Inputs", "Engine", "Properties", "Proposals", "Scenarios", "Verdicts", "Proofs", "Equivalence", "Comparison",
            "Shards", "Reports", "Reports.Html", "Export", "Conformance", "Explore"],
    };

    /// <summary>The checker and the model, loaded once.</summary>
    public static ArchUnitNET.Domain.Architecture Checker { get; } =
        new ArchLoader().LoadAssemblies(typeof(Klp.Check.Commands.Cli).Assembly, typeof(Klp.Check.Model.Kernel).Assembly).Build();

    /// <summary>The rule "types of <paramref name="folder"/> under <paramref name="root"/> depend on no folder of the table but those it may use".</summary>
    /// <param name="root">The root namespace (the checker's, or a fixture's that breaks a rule on purpose).</param>
    /// <param name="folder">The folder, as its namespace under the root.</param>
    public static IArchRule MayUseOnly(string root, string folder)
    {
        var forbidden = MayUse.Keys.Where(f => f != folder && !MayUse[folder].Contains(f)).Select(f => $"{root}.{f}").ToArray();
        var others = Types().That().ResideInNamespaceMatching(Exactly(forbidden[0]));
        foreach (var ns in forbidden.Skip(1)) others = others.Or().ResideInNamespaceMatching(Exactly(ns));
        return Types().That().ResideInNamespaceMatching(Exactly($"{root}.{folder}"))
            .Should().NotDependOnAny(others)
            .Because($"{folder} may use only {(MayUse[folder].Length == 0 ? "the model and the root namespace" : string.Join(", ", MayUse[folder]) + ", the model and the root namespace")} (docs/architecture.md)")
            .WithoutRequiringPositiveResults();
    }

    /// <summary>The rule "no folder but <paramref name="folder"/> itself uses it": nothing is above it.</summary>
    public static IArchRule NoneUses(string root, string folder) =>
        Types().That().ResideInNamespaceMatching($"^{Regex.Escape(root)}(\\.(?!{Regex.Escape(folder)}$).+)?$")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(Exactly($"{root}.{folder}")))
            .Because($"{folder} is on top: it runs the rest, and nothing runs it (docs/architecture.md)")
            .WithoutRequiringPositiveResults();

    /// <summary>The rule "the root namespace depends on nothing of the checker but the model".</summary>
    public static IArchRule RootUsesOnlyTheModel(string root) =>
        Types().That().ResideInNamespaceMatching(Exactly(root))
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching($"^{Regex.Escape(root)}\\.(?!Model$).+$"))
            .Because("the root namespace holds what every folder uses, so it uses none of them")
            .WithoutRequiringPositiveResults();

    /// <summary>A regular expression that matches exactly one namespace.</summary>
    public static string Exactly(string ns) => $"^{Regex.Escape(ns)}$";
}
