using System.Text.Json;
using Klp.Check.Conformance;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Commands;

public class SweepCommandTests
{
    [Fact]
    public void Sweep_ReleasesOneToThree_TableListsOnlyChangedCellsWithTheStepTheyHoldFrom()
    {
        var (code, output, _) = Run("sweep", "--reading", "upstream", "--reading", "set", "--bounds-range", "releases=1..3", "--threads", "1");

        // upstream no-silent-revert holds at releases=1..2 and is violated at 3: not settled.
        Assert.Equal(1, code);
        var lines = output.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("releases (the other bounds at the base)", StringComparison.Ordinal));
        Assert.Contains("                      upst set", lines);
        Assert.Contains("no-shared-function    2    .", lines);
        Assert.Contains("no-silent-revert      3!   .", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("one-per-set", StringComparison.Ordinal));
        Assert.Contains("releases / no-shared-function: upstream\n    holds at 1, violated from 2\n", output);
        Assert.Contains("releases / no-silent-revert: upstream\n    holds at 1..2, violated at 3 (not settled)\n", output);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"wider than 80 columns: {l}"));
    }

    // --no-symmetry explores every release plan rather than one per class: the same report,
    // and the option is not "ignored without --raw" here.
    [Fact]
    public void Sweep_NoSymmetryOnReleasePlans_SameReportWithoutAWarning()
    {
        string[] args = ["sweep", "--reading", "upstream", "--reading", "flat", "--bounds-range", "releases=1..3,customers=0..2", "--format", "json"];

        var (code, output, _) = Run(args);
        var (plainCode, plain, err) = Run([.. args, "--no-symmetry"]);

        Assert.Equal(code, plainCode);
        Assert.Equal(output, plain);
        Assert.DoesNotContain("ignored", err);
    }

    [Fact]
    public void Sweep_VerdictChangesAtTheLargestBound_FlagsNotSettledAndExitsOne()
    {
        var (code, output, err) = Run("sweep", "--reading", "upstream", "--invariant", "no-shared-function", "--bounds-range", "releases=1..2");

        Assert.Equal(1, code);
        Assert.Contains("holds at 1, violated at 2 (not settled)", output);
        Assert.Contains("1 cell not settled: the verdict changed at the largest bound of its dimension", output);
        Assert.Contains("not settled (exit 1)", err);
    }

    [Fact]
    public void Sweep_OneStepPastTheChange_IsSettledAndExitsZero()
    {
        var (code, output, _) = Run("sweep", "--reading", "upstream", "--invariant", "no-shared-function", "--bounds-range", "releases=1..3");

        Assert.Equal(0, code);
        Assert.Contains("holds at 1, violated from 2\n", output);
        Assert.Contains("every cell is settled", output);
    }

    [Fact]
    public void SweepJson_FirstAppearance_IsTheStepTheLastVerdictHoldsFrom()
    {
        var (_, output, _) = Run("sweep", "--reading", "upstream", "--invariant", "no-shared-function,no-silent-revert", "--bounds-range", "releases=1..3", "--format", "json");

        using var doc = JsonDocument.Parse(output);
        var cells = doc.RootElement.GetProperty("dimensions")[0].GetProperty("cells");
        var shared = cells.EnumerateArray().Single(c => c.GetProperty("property").GetString() == "no-shared-function");
        Assert.Equal(["holds", "violated", "violated"], shared.GetProperty("verdicts").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("2", shared.GetProperty("since").GetString());
        Assert.Equal(1, shared.GetProperty("sinceStep").GetInt32());
        Assert.True(shared.GetProperty("settled").GetBoolean());
        var revert = cells.EnumerateArray().Single(c => c.GetProperty("property").GetString() == "no-silent-revert");
        Assert.Equal("3", revert.GetProperty("since").GetString());
        Assert.False(revert.GetProperty("settled").GetBoolean());
        Assert.Equal(1, doc.RootElement.GetProperty("notSettled").GetInt32());
    }

    [Fact]
    public void SweepJson_TwoKeys_HasEveryFieldOfDocsJson()
    {
        var (_, output, _) = Run("sweep", "--reading", "upstream", "--reading", "flat", "--bounds", "releases=2", "--bounds-range", "releases=1..2,hotfixes=0..1", "--format", "json");

        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(["tool", "command", "schema", "complete", "interrupted", "base", "scope", "exhaustive", "mode", "readings", "properties", "dimensions", "notSettled", "undecided", "short"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("sweep", root.GetProperty("command").GetString());
        Assert.Equal("release plans", root.GetProperty("base").GetProperty("kind").GetString());
        Assert.Equal(["releases", "hotfixes", "all"], root.GetProperty("dimensions").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        var all = root.GetProperty("dimensions")[2];
        Assert.Equal(["name", "keys", "steps", "stopped", "cells"], all.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["#1", "#2"], all.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var step = all.GetProperty("steps")[1];
        Assert.Equal(["name", "bounds", "values", "inputs", "states", "transitions", "cut", "exhaustive", "cutInputs", "reused"], step.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, step.GetProperty("values").GetProperty("releases").GetInt32());
        Assert.Equal(1, step.GetProperty("values").GetProperty("hotfixes").GetInt32());
        Assert.Equal(2 * root.GetProperty("properties").GetArrayLength(), all.GetProperty("cells").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, all.GetProperty("stopped").ValueKind);
    }

    [Fact]
    public void Sweep_BoundsMetTwice_AreExploredOnceAndMarked()
    {
        // releases=2 at the base hotfixes=1 is hotfixes=1 at the base releases=2.
        var (_, output, err) = Run("sweep", "--reading", "upstream", "--bounds", "releases=2,hotfixes=1", "--bounds-range", "releases=1..2,hotfixes=0..1", "--format", "json");

        using var doc = JsonDocument.Parse(output);
        var hotfixes = doc.RootElement.GetProperty("dimensions")[1].GetProperty("steps");
        Assert.False(hotfixes[0].GetProperty("reused").GetBoolean());
        Assert.True(hotfixes[1].GetProperty("reused").GetBoolean());
        Assert.Equal(doc.RootElement.GetProperty("dimensions")[0].GetProperty("steps")[1].GetProperty("states").GetInt64(), hotfixes[1].GetProperty("states").GetInt64());
        Assert.Contains("klp-check: hotfixes=0:", err);
        Assert.DoesNotContain("klp-check: hotfixes=1:", err);
    }

    [Fact]
    public void Sweep_SameArgumentsOnOneThreadOrAll_GivesByteIdenticalOutput()
    {
        string[] args = ["sweep", "--reading", "upstream", "--reading", "positional", "--bounds", "releases=2", "--bounds-range", "releases=1..2,updates=0..1"];
        var first = Run(args);
        var second = Run([.. args, "--threads", "1"]);
        var json = Run([.. args, "--format", "json"]);
        var jsonAgain = Run([.. args, "--format", "json", "--threads", "1"]);

        Assert.Equal(first.Out, second.Out);
        Assert.Equal(json.Out, jsonAgain.Out);
    }

    [Fact]
    public void Sweep_MaxSecondsZero_StopsEachDimensionAfterItsFirstStepAndSaysSo()
    {
        var (code, output, err) = Run("sweep", "--reading", "upstream", "--invariant", "no-shared-function", "--bounds-range", "releases=1..3", "--max-seconds", "0");

        // Nothing is known before the first step, so it runs; the next is estimated past a budget of 0.
        Assert.Contains("stopped before releases=2: that step is estimated to pass the --max-seconds\n  budget", output);
        var flat = output.ReplaceLineEndings(" ");
        Assert.Contains("1 dimension stopped by --max-seconds", flat);
        Assert.Contains("klp-check: releases: stopped before releases=2, estimated at", err);
        // Regression: one step has nothing to compare its verdicts with, yet this sweep said
        // "every cell is settled" and exited 0.
        Assert.DoesNotContain("every cell is settled", output);
        Assert.Contains("releases explored 1 step: whether its cells settled is not known", flat);
        Assert.Contains("klp-check: releases: fewer than two steps explored, so whether the verdicts settled is not known (exit 3)", err);
        Assert.Equal(3, code);
    }

    [Fact]
    public void Sweep_RangeOfOneStep_NoCellSettledExitsThree()
    {
        var (code, output, _) = Run("sweep", "--reading", "upstream", "--invariant", "no-shared-function", "--bounds-range", "releases=2..2");
        var (jsonCode, json, _) = Run("sweep", "--reading", "upstream", "--invariant", "no-shared-function", "--bounds-range", "releases=2..2", "--format", "json");
        var (twoCode, two, _) = Run("sweep", "--reading", "upstream", "--invariant", "no-shared-function", "--bounds-range", "releases=2..3", "--format", "json");

        Assert.Equal(3, code);
        Assert.Contains("releases explored 1 step: whether its cells settled is not known", output.ReplaceLineEndings(" "));
        Assert.Equal(3, jsonCode);
        using var doc = JsonDocument.Parse(json);
        var cell = doc.RootElement.GetProperty("dimensions")[0].GetProperty("cells")[0];
        Assert.False(cell.GetProperty("settled").GetBoolean());
        Assert.True(cell.GetProperty("decided").GetBoolean());
        Assert.Equal(["releases"], doc.RootElement.GetProperty("short").EnumerateArray().Select(e => e.GetString()));
        // Two steps with the same verdict are settled.
        Assert.Equal(0, twoCode);
        using var twoDoc = JsonDocument.Parse(two);
        Assert.True(twoDoc.RootElement.GetProperty("dimensions")[0].GetProperty("cells")[0].GetProperty("settled").GetBoolean());
        Assert.Empty(twoDoc.RootElement.GetProperty("short").EnumerateArray());
    }

    [Fact]
    public void Sweep_StateCapLeavesRecoverableInconclusive_NotDecidedNeverSettledExitsThree()
    {
        var (code, output, err) = Run("sweep", "--reading", "upstream", "--invariant", "recoverable", "--max-states", "3", "--bounds-range", "releases=2..3");

        Assert.Equal(3, code);
        Assert.DoesNotContain("every verdict is the same at every step", output);
        Assert.DoesNotContain("every cell is settled", output);
        Assert.Contains("recoverable           .?", output);
        Assert.Contains("inconclusive at 2..3 (not decided: a cap cut it)", output);
        Assert.Contains("1 cell not decided", output);
        Assert.Contains("not exhaustive, 1 cell not decided (exit 3)", err);
    }

    [Fact]
    public void SweepMarkdown_ChangedCellsInBoldWhenNotSettled()
    {
        var (_, output, _) = Run("sweep", "--reading", "upstream", "--invariant", "no-shared-function,one-per-set", "--bounds-range", "releases=1..2", "--format", "markdown");

        Assert.Contains("| `no-shared-function` | **holds at 1, violated at 2 (not settled)** |", output);
        Assert.Contains("| `one-per-set` | n/a |", output);
        Assert.Contains("| 2 | `releases=2` | 38 |", output);
    }

    [Fact]
    public void Sweep_RawCatalogs_GrowsRawKeys()
    {
        var (code, output, _) = Run("sweep", "--raw", "--reading", "upstream", "--invariant", "one-per-set", "--bounds-range", "patches=1..2");

        Assert.NotEqual(2, code);
        Assert.Contains("base: raw catalogs patches=3,numbers=3,sets=2,functions=1,states=no,customers=yes (symmetry-reduced)", output.Replace("\n", " "));
        Assert.Contains("patches (the other bounds at the base)", output);
    }

    [Theory]
    [InlineData("--bounds-range", "releases=0..2")]
    [InlineData("--bounds-range", "releases=3..2")]
    [InlineData("--bounds-range", "releases=1..9")]
    [InlineData("--bounds-range", "releases=a..b")]
    [InlineData("--bounds-range", "nosuch=1..2")]
    [InlineData("--bounds-range", "patches=1..2")]
    [InlineData("--bounds-range", "releases=1..2,releases=1..3")]
    [InlineData("--bounds-range", ",")]
    [InlineData("--raw", "--bounds-range", "releases=1..2")]
    [InlineData("--bounds", "releases=99")]
    [InlineData("--max-seconds", "-1")]
    [InlineData("--max-seconds", "1.5")]
    [InlineData("--catalog", "scenarios/thread/petr-timeline-tuesday-set3.klp")]
    [InlineData("--invariant", "no-such-property")]
    [InlineData("--reading", "no-such-reading")]
    public void Sweep_BadInput_OneLineAndExitTwoBeforeAnyWork(params string[] args)
    {
        var (code, output, err) = Run(["sweep", .. args]);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Sweep_RawKeyWithoutRaw_SaysToAddRaw()
    {
        var (_, _, err) = Run("sweep", "--bounds-range", "patches=1..2");

        Assert.Equal("klp-check: --bounds-range: 'patches' is a bound of raw catalogs (add --raw); expected KEY=FROM..TO with releases=1..8, customers=0..3, hotfixes=0..4, updates=0..4\n", err);
    }
}
