using System.Text.Json;
using Klp.Check.Tests.Proofs;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Commands;

/// <summary><c>compare --prove N</c>: the cells proved beyond the bounds are marked in every format, the legend says which hold only within them, and a baseline records the proofs.</summary>
public class CompareProveTests
{
    private static readonly string[] Small = ["compare", "--reading", "flat", "--reading", "set", "--bounds", "releases=2", "--no-scenarios"];

    private static (int Code, string Out, string Err) Compare(params string[] more) => Run([.. Small, .. more]);

    [SkippableFact]
    public void CompareProve_Text_MarksProvedCellsAndKeepsViolationsAndLiveness()
    {
        Skip.If(ProverTests.SolversMissing is not null, ProverTests.SolversMissing);

        var (code, output, err) = Compare("--prove", "3", "--format", "text");

        Assert.True(code is 0 or 1, err);
        var rows = output.Split('\n').Where(l => l.Length > 22 && l[0] != ' ').DistinctBy(l => l[..22]).ToDictionary(l => l[..22].TrimEnd(), l => l[22..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["P", "P"], rows["one-per-set"]);
        // Within plans of 2 releases no-silent-revert holds under flat; prove finds it violated on 3.
        Assert.Equal(["X>", "P"], rows["no-silent-revert"]);
        var flowed = output.Replace("\n", " ");
        Assert.Contains("Violated beyond the bounds", output);
        Assert.Contains("no-silent-revert under flat: upgrade to hot1v2 reverts cum1_fn", flowed);
        // Liveness stays bounded.
        Assert.DoesNotContain("P", rows["hotfix-coexists"]);
        Assert.Contains("P, (P): holds, and proved for every release plan of at most 3 releases", flowed);
        Assert.Contains("ok, (ok): hold only within the bounds above", flowed);
    }

    [SkippableFact]
    public void CompareProve_JsonAndSavedBaseline_RecordEveryProof()
    {
        Skip.If(ProverTests.SolversMissing is not null, ProverTests.SolversMissing);
        var baseline = Path.Combine(Directory.CreateTempSubdirectory("klp").FullName, "proved.verdicts");

        var (code, output, err) = Compare("--prove", "3", "--format", "json", "--save-baseline", baseline);

        Assert.True(code is 0 or 1, err);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(3, doc.RootElement.GetProperty("provedUpTo").GetInt32());
        var flat = doc.RootElement.GetProperty("readings")[0].GetProperty("verdicts").EnumerateArray().ToDictionary(v => v.GetProperty("property").GetString()!);
        Assert.Equal("proved", flat["one-per-set"].GetProperty("proof").GetProperty("verdict").GetString());
        Assert.Equal(3, flat["one-per-set"].GetProperty("proof").GetProperty("patches").GetInt32());
        Assert.Equal("holds", flat["no-silent-revert"].GetProperty("verdict").GetString());
        Assert.Equal("violated", flat["no-silent-revert"].GetProperty("proof").GetProperty("verdict").GetString());
        Assert.False(flat["recoverable"].TryGetProperty("proof", out _));
        var lines = File.ReadAllLines(baseline);
        Assert.Contains("flat one-per-set holds proved:3", lines);
        Assert.Contains("flat no-silent-revert holds", lines);

        // The same run without --prove loses every proof: each is a change.
        var (again, _, changes) = Compare("--format", "json", "--expect", baseline);

        Assert.Equal(1, again);
        Assert.Contains($"{baseline}:", changes);
        Assert.Contains("flat one-per-set: baseline says holds proved:3, now holds (not proved: compare --prove N proves)", changes);
    }

    [SkippableTheory]
    [InlineData("markdown", "| `one-per-set` | holds, **P** | holds, **P** |")]
    [InlineData("html", "\u2713 P</a>")]
    public void CompareProve_MarkdownAndHtml_MarkProvedCells(string format, string cell)
    {
        Skip.If(ProverTests.SolversMissing is not null, ProverTests.SolversMissing);

        var (_, output, _) = Compare("--prove", "3", "--format", format);

        Assert.Contains(cell, output);
        Assert.Contains("proved for every release plan of at most 3 releases", output);
    }

    [Fact]
    public void Compare_WithoutProve_SaysNothingOfProofs()
    {
        var (_, output, _) = Compare("--format", "text");

        Assert.DoesNotContain("P, (P)", output);
        Assert.DoesNotContain(" P ", output);
    }
}
