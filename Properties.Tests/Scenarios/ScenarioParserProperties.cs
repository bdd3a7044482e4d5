using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Inputs;
using Klp.Check.Properties;
using Klp.Check.Scenarios;
using Property = FsCheck.Property;

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
        catch (InputException e)
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

    /// <summary>Shipped scenario files with up to six characters deleted, inserted or replaced.</summary>
    public static Gen<string> Mutants() => TextMutants.Of(corpus, alphabet);

    [Property(MaxTest = 400)]
    public Property MutatedShippedScenario_NeverCrashesTheParser() =>
        Prop.ForAll(Mutants().ToArbitrary(), text => ParsesOrDiagnoses(text).Label("parse or positioned diagnostics"));
}
