using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Klp.Check.Scenarios;

namespace Klp.Check.Tests.Scenarios;

public class ScenarioParserProperties
{
    private static bool ParsesOrDiagnoses(string text)
    {
        try
        {
            ScenarioParser.Parse(text, "fuzz.klp");
            return true;
        }
        catch (ScenarioException e)
        {
            return e.Diagnostics.Count > 0
                && e.Diagnostics.All(d => d.Line >= 1 && d.Column >= 1 && d.File == "fuzz.klp" && !d.Message.StartsWith("internal error", StringComparison.Ordinal));
        }
    }

    [Property(MaxTest = 500)]
    public Property ArbitraryText_NeverCrashesTheParser(string? text) =>
        ParsesOrDiagnoses(text ?? "").Label("parse or positioned diagnostics");

    private static readonly string[] corpus = [.. RepositoryFiles.Scenarios().Select(f => File.ReadAllText(RepositoryFiles.Full(f)))];

    private static readonly string alphabet = "{}()<>-:=,;@#> \n\tab01239xvE_";

    public static Gen<string> Mutants() =>
        from file in Gen.Elements(corpus.Length > 0 ? corpus : ["patch a\nload a\nexpect accepted\n"])
        from edits in Gen.ListOf(
            from kind in Gen.Choose(0, 2)
            from at in Gen.Choose(0, Math.Max(0, file.Length - 1))
            from ch in Gen.Elements(alphabet.ToCharArray())
            select (kind, at, ch)).Select(l => l.Take(6).ToList())
        select Apply(file, edits);

    private static string Apply(string text, List<(int Kind, int At, char Ch)> edits)
    {
        var sb = new System.Text.StringBuilder(text);
        foreach (var (kind, at, ch) in edits)
        {
            var i = Math.Min(at, sb.Length);
            if (kind == 0 && i < sb.Length) sb.Remove(i, 1);
            else if (kind == 1) sb.Insert(i, ch);
            else if (i < sb.Length) sb[i] = ch;
        }
        return sb.ToString();
    }

    [Property(MaxTest = 400)]
    public Property MutatedShippedScenario_NeverCrashesTheParser() =>
        Prop.ForAll(Mutants().ToArbitrary(), text => ParsesOrDiagnoses(text).Label("parse or positioned diagnostics"));
}
