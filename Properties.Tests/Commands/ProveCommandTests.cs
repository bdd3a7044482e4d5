using System.Text.Json;
using Klp.Check.Tests.Proofs;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Commands;

public class ProveCommandTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Theory]
    [InlineData("prove --reading nosuch", "--reading: unknown reading 'nosuch'")]
    [InlineData("prove --reading set --property nosuch", "--property: unknown property 'nosuch'")]
    [InlineData("prove --reading set --property one-per-set,", "--property: empty property id")]
    [InlineData("prove --reading set --patches 0", "--patches takes a whole number from 1 to 32, not '0'")]
    [InlineData("prove --reading set --patches 33", "--patches takes a whole number from 1 to 32, not '33'")]
    [InlineData("prove --reading set --functions 2", "--functions bounds raw catalogs: give --raw")]
    [InlineData("prove --reading set --solver yices", "--solver takes z3, cvc5 or both, not 'yices'")]
    [InlineData("prove --reading set --timeout 0", "--timeout takes")]
    [InlineData("compare --reading set --prove 0", "--prove takes a whole number from 1 to 32, not '0'")]
    [InlineData("compare --reading set --prove 3 --shard 1/2 --out x.partial", "--prove does not go with --shard")]
    public void ProveOrCompareProve_BadInput_ExitsTwoWithOneLine(string command, string message)
    {
        var (code, output, err) = Run(command.Split(' '));

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(message, err);
        Assert.Single(Lines(err));
    }

    [SkippableFact]
    public void Prove_PropertyThatHolds_ExitsZeroAndSaysProvedWithItsScope()
    {
        Skip.If(ProverTests.SolversMissing is not null, ProverTests.SolversMissing);

        var (code, output, _) = Run("prove", "--reading", "set", "--property", "one-per-set,recoverable", "--patches", "4");

        Assert.Equal(0, code);
        Assert.Matches(@"one-per-set +proved +k-induction, k=1, \d+ lemmas, N=4, cvc5", output);
        Assert.Contains("scope: for every release plan of at most 4 releases", output);
        Assert.Matches(@"recoverable +n/a +liveness", output);
    }

    [SkippableFact]
    public void Prove_ViolatedProperty_ExitsOneWithJsonShapedLikeChecks()
    {
        Skip.If(ProverTests.SolversMissing is not null, ProverTests.SolversMissing);

        var (code, output, _) = Run("prove", "--reading", "flat", "--property", "no-silent-revert,one-per-set", "--patches", "4", "--solver", "both", "--format", "json");

        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("prove", doc.RootElement.GetProperty("command").GetString());
        var verdicts = doc.RootElement.GetProperty("verdicts").EnumerateArray().ToDictionary(v => v.GetProperty("property").GetString()!, v => v);
        Assert.Equal(["one-per-set", "no-silent-revert"], verdicts.Keys);
        Assert.Equal("proved", verdicts["one-per-set"].GetProperty("verdict").GetString());
        Assert.Equal("violated", verdicts["no-silent-revert"].GetProperty("verdict").GetString());
        Assert.Equal(["load cum1", "load hot1v2"], verdicts["no-silent-revert"].GetProperty("trace").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal("z3+cvc5", doc.RootElement.GetProperty("solver").GetString());
        Assert.Equal(4, doc.RootElement.GetProperty("scope").GetProperty("patches").GetInt32());
    }

    [SkippableFact]
    public void Prove_NotInductiveAndNoCounterexampleWithinTheDepth_ExitsThreeWithTheCounterexampleToInduction()
    {
        Skip.If(ProverTests.SolversMissing is not null, ProverTests.SolversMissing);

        // Violated in two operations, so not inductive; searched only one deep: unknown.
        var (code, output, _) = Run("prove", "--reading", "flat", "--property", "no-silent-revert", "--patches", "3", "--max-k", "1", "--depth", "1");

        Assert.Equal(3, code);
        Assert.Contains("no-silent-revert      UNKNOWN", output);
        Assert.Contains("k=1: not inductive", output);
        Assert.Contains("no counterexample in 1", output);
        Assert.Contains("counterexample to induction:", output);
        Assert.Contains("operation 1: load", output);
    }

    [SkippableFact]
    public void Prove_Traces_WritesAScenarioThatReplayReproduces()
    {
        Skip.If(ProverTests.SolversMissing is not null, ProverTests.SolversMissing);
        var dir = Directory.CreateTempSubdirectory("klp").FullName;

        var (code, _, err) = Run("prove", "--reading", "zero-replaces-all", "--property", "customer-untouched", "--patches", "3", "--traces", dir);

        Assert.Equal(1, code);
        var file = Path.Combine(dir, "zero-replaces-all--customer-untouched.klp");
        Assert.Contains($"klp-check: wrote {file}", err);
        var (replayed, output, _) = Run("replay", file);
        Assert.Equal(0, replayed);
        Assert.Contains("load cum1", output);
    }

    [SkippableFact]
    public void Prove_Html_IsOnePageWithTheVerdicts()
    {
        Skip.If(ProverTests.SolversMissing is not null, ProverTests.SolversMissing);

        var (code, output, _) = Run("prove", "--reading", "upstream", "--property", "customer-untouched", "--patches", "3", "--format", "html");

        Assert.Equal(1, code);
        Assert.StartsWith("<!DOCTYPE html>", output);
        Assert.Contains("customer-untouched", output);
        Assert.Contains("cust1: customer", output);
    }
}
