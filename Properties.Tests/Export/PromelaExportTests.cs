using System.Text.RegularExpressions;
using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Export;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Scenarios;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Export;

public class PromelaExportTests
{
    private static Catalog Scenario(string file) => ScenarioParser.ParseFile(RepositoryFiles.Full(file)).Catalog;

    private static Reading ReadingOf(string text) => Readings.Parse(text, out var error) ?? throw new ArgumentException(error);

    private static int Explored(Catalog catalog, Reading reading)
    {
        var g = new Explorer().Explore(catalog, reading);
        Assert.Null(g.CutBy);
        return g.States.Count;
    }

    // Plans of up to five releases, encoded by the reading: the last with a customer patch
    // sharing a vendor function, and the last whose releases declare states.
    private static Catalog Plan(string kind, Reading reading)
    {
        var plans = new PlanBounds(Releases: 5).Enumerate();
        var plan = kind == "shared"
            ? plans.Last(p => p.Features == InputFeatures.SharedFunction)
            : plans.Last(p => p.Features == InputFeatures.States);
        return plan.Encode(reading);
    }

    [SpinTheory]
    [InlineData("scenarios/thread/joe-timeline-tuesday-set2.klp", "positional")]
    [InlineData("scenarios/thread/joe-timeline-tuesday-set2.klp", "flat")]
    [InlineData("scenarios/thread/petr-timeline-tuesday-set3.klp", "positional")]
    [InlineData("scenarios/thread/petr-timeline-tuesday-set3.klp", "flat")]
    [InlineData("scenarios/thread/customer-vs-vendor-add-sets.klp", "positional")]
    [InlineData("scenarios/thread/customer-vs-vendor-add-sets.klp", "flat")]
    [InlineData("scenarios/thread/downgrade-block-disable.klp", "positional")]
    [InlineData("scenarios/thread/downgrade-state-version.klp", "flat(states=versions)")]
    [InlineData("scenarios/thread/petr-timeline-tuesday-set3.klp", "upstream")]
    [InlineData("scenarios/thread/petr-timeline-tuesday-set3.klp", "set")]
    public void SpinStoredStates_ScenarioCatalog_EqualsExploredStates(string file, string readingText)
    {
        var catalog = Scenario(file);
        var reading = ReadingOf(readingText);

        var spin = Spin.StoredStates(Promela.Write(catalog, reading, file));

        Assert.Equal(Explored(catalog, reading), spin);
    }

    // Two patches of one set, f and f@1, that can only leave Patches by being replaced (a
    // block_disable state): under exact identity the replacing load's nop clashes, so the state
    // with the second replacing the first is never reached.
    private static Catalog NopClash()
    {
        KlpState blocking = new(1, 0, BlockDisable: true);
        Patch P(string name, int sympos) =>
            new(name, Origin.Vendor, PatchKind.Cumulative, 0, [new FunctionId(FunctionId.Vmlinux, "f", sympos)], [blocking], true, [1u]);
        return new Catalog([P("p", 0), P("q", 1)]);
    }

    [Fact]
    public void NopClashCatalog_ExactIdentity_ReachesFewerStates()
    {
        var exact = Explored(NopClash(), ReadingOf("positional(function-identity=exact)"));

        Assert.True(exact < Explored(NopClash(), Readings.Positional), "the clash must matter for the test above to");
    }

    [SpinTheory]
    [InlineData("shared", "positional")]
    [InlineData("shared", "flat")]
    [InlineData("states", "positional")]
    [InlineData("states", "flat(states=versions)")]
    public void SpinStoredStates_GeneratedPlan_EqualsExploredStates(string kind, string readingText)
    {
        var reading = ReadingOf(readingText);
        var catalog = Plan(kind, reading);

        var spin = Spin.StoredStates(Promela.Write(catalog, reading, kind + " plan"));

        Assert.Equal(Explored(catalog, reading), spin);
    }

    [Fact]
    public void Write_AnyCatalog_DeclaresOnlyTheKernelStateOutsideHiddenScratch()
    {
        var text = Promela.Write(Scenario("scenarios/thread/downgrade-state-version.klp"), Readings.Flat, "f");

        var globals = Regex.Matches(text, @"^(?!hidden)(byte|short|int|bit|unsigned)\s+(\w+)", RegexOptions.Multiline)
            .Select(m => m.Groups[2].Value);

        Assert.Equal(["count", "entry", "inpatches", "loaded"], globals);
    }

    [Fact]
    public void Write_LoadRefusedByItsAttributes_HasNoDStep()
    {
        // replace-set takes one set: klp-2a's {1,2} is refused whatever the state.
        var text = Promela.Write(Scenario("scenarios/thread/joe-timeline-tuesday-set2.klp"), Readings.ReplaceSet, "f");

        Assert.Contains("/* load klp-2a: always refused, unexpressible-attributes */", text);
        Assert.DoesNotContain("d_step { /* load klp-2a */", text);
    }

    // A catalog with a patch that names f and f@1 (refused at every load) beside two that load.
    private static Catalog Duplicate() => new(
    [
        new Patch("a", Origin.Vendor, PatchKind.Hotfix, 0, [new FunctionId(FunctionId.Vmlinux, "g", 0)], [], false, [1u]),
        new Patch("dup", Origin.Vendor, PatchKind.Cumulative, 1,
            [new FunctionId(FunctionId.Vmlinux, "f", 0), new FunctionId(FunctionId.Vmlinux, "f", 1)], [], true, [1u, 2u]),
        new Patch("b", Origin.Vendor, PatchKind.Hotfix, 2, [new FunctionId(FunctionId.Vmlinux, "h", 0)], [], false, [2u]),
    ]);

    [Fact]
    public void Write_LoadOfPatchNamingAFunctionTwice_HasNoDStep()
    {
        var text = Promela.Write(Duplicate(), Readings.Flat, "dup");

        Assert.Contains("/* load dup: always refused, duplicate-function */", text);
        Assert.DoesNotContain("d_step { /* load dup */", text);
    }

    [SpinTheory]
    [InlineData("nop clash", "positional(function-identity=exact)")]
    [InlineData("nop clash", "positional")]
    [InlineData("duplicate function", "flat")]
    [InlineData("duplicate function", "upstream(function-identity=exact)")]
    public void SpinStoredStates_HandBuiltCatalog_EqualsExploredStates(string name, string readingText)
    {
        var catalog = name switch
        {
            "nop clash" => NopClash(),
            "duplicate function" => Duplicate(),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such catalog"),
        };
        var reading = ReadingOf(readingText);

        var spin = Spin.StoredStates(Promela.Write(catalog, reading, name));

        Assert.Equal(Explored(catalog, reading), spin);
    }

    private const string Joe = "scenarios/thread/joe-timeline-tuesday-set2.klp";

    [Fact]
    public void Export_SameInputTwice_GivesByteIdenticalModel()
    {
        var first = Run("export", "--promela", "--catalog", RepositoryFiles.Full(Joe), "-r", "flat");
        var second = Run("export", "--promela", "--catalog", RepositoryFiles.Full(Joe), "-r", "flat");

        Assert.Equal(0, first.Code);
        Assert.Equal(first.Out, second.Out);
        Assert.StartsWith("/* klp-check export --promela:", first.Out);
    }

    [Theory]
    [InlineData("no format", "klp-check: export: give the format, --promela")]
    [InlineData("two-phase", "klp-check: export --promela: positional: mode=two-phase: the Promela export models atomic mode only")]
    [InlineData("auto sets", "klp-check: export --promela: flat: patch 'klp-2b' has sets=auto: sets chosen at load time are not exported")]
    [InlineData("unknown reading", "klp-check: --reading: unknown reading 'nope'")]
    [InlineData("missing catalog", ":1:1: cannot read file:")]
    public void Export_BadInput_ExitsTwoWithOneLine(string problem, string message)
    {
        string[] args = problem switch
        {
            "no format" => ["export", "--catalog", RepositoryFiles.Full(Joe), "-r", "flat"],
            "two-phase" => ["export", "--promela", "--catalog", RepositoryFiles.Full(Joe), "-r", "positional", "--mode", "two-phase"],
            "auto sets" => ["export", "--promela", "--catalog", RepositoryFiles.Full("scenarios/thread/joe-dynamic-allocation.klp"), "-r", "flat"],
            "unknown reading" => ["export", "--promela", "--catalog", RepositoryFiles.Full(Joe), "-r", "nope"],
            _ => ["export", "--promela", "--catalog", Path.Combine(Path.GetTempPath(), "no-such-catalog.klp"), "-r", "flat"],
        };

        var (code, output, error) = Run(args);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains(message, error);
    }

    [Fact]
    public void ExportOut_Directory_ExitsTwoBeforeReadingTheCatalog()
    {
        var dir = Directory.CreateTempSubdirectory("klp").FullName;

        var (code, _, error) = Run("export", "--promela", "--catalog", "no-such-file.klp", "-r", "flat", "--out", dir);

        Assert.Equal(2, code);
        Assert.Equal($"klp-check: --out: '{dir}' is a directory\n", error);
    }

    [Fact]
    public void ExportOut_CharacterDevice_ExitsTwoAndWritesNothing()
    {
        var (code, _, error) = Run("export", "--promela", "--catalog", RepositoryFiles.Full(Joe), "-r", "flat", "--out", "/dev/null");

        Assert.Equal(2, code);
        Assert.Equal("klp-check: --out: '/dev/null' is not a regular file; only a regular file is replaced\n", error);
    }

    [Fact]
    public void ExportOut_MissingFolder_ExitsTwo()
    {
        var path = Path.Combine(Path.GetTempPath(), "klp-no-such-folder", "m.pml");

        var (code, _, error) = Run("export", "--promela", "--catalog", RepositoryFiles.Full(Joe), "-r", "flat", "--out", path);

        Assert.Equal(2, code);
        Assert.StartsWith("klp-check: --out: cannot write '", error);
        Assert.Contains("no directory", error);
    }

    [Fact]
    public void ExportOut_ExistingRegularFile_IsReplacedByTheModel()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("klp").FullName, "m.pml");
        File.WriteAllText(path, "old");

        var (code, output, _) = Run("export", "--promela", "--catalog", RepositoryFiles.Full(Joe), "-r", "flat", "--out", path);

        Assert.Equal(0, code);
        Assert.Equal("", output);
        Assert.Equal(Promela.Write(Scenario(Joe), Readings.Flat, RepositoryFiles.Full(Joe)), File.ReadAllText(path));
    }
}
