using System.Text;
using Klp.Check.Conformance;
using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Proposals;
using Klp.Check.Verdicts;

namespace Klp.Check.Tests.Model;

public class ProposalTextTests
{
    // The presets as Model/Readings.cs defined them in C# before the proposal files replaced them.
    public static TheoryData<string, ReplaceRule, Membership, ZeroRule, SetArity, bool, bool, Isolation, StateRules, PlanEncoding> PreviousPresets => new()
    {
        { "upstream", ReplaceRule.ByReplaceFlag, Membership.None, ZeroRule.Ordinary, SetArity.Single, false, true, Isolation.None, StateRules.Versions, PlanEncoding.ReplaceFlag },
        { "replace-set", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.Ordinary, SetArity.Single, false, false, Isolation.FunctionsAndStates, StateRules.Versions, PlanEncoding.SingleSet },
        { "zero-replaces-all", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.ReplacesAll, SetArity.Single, false, false, Isolation.FunctionsAndStates, StateRules.BlockDisable, PlanEncoding.ZeroSet },
        { "zero-only-by-zero", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.OnlyByZero, SetArity.List, true, false, Isolation.FunctionsAndStates, StateRules.BlockDisable, PlanEncoding.Array },
        { "supersedes", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.Ordinary, SetArity.List, true, false, Isolation.FunctionsAndStates, StateRules.BlockDisable, PlanEncoding.Array },
        { "positional", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.Ordinary, SetArity.List, true, false, Isolation.FunctionsAndStates, StateRules.BlockDisable, PlanEncoding.Array },
        { "flat", ReplaceRule.Intersecting, Membership.AllListed, ZeroRule.Ordinary, SetArity.List, true, false, Isolation.FunctionsAndStates, StateRules.BlockDisable, PlanEncoding.Array },
        { "set", ReplaceRule.Subset, Membership.AllListed, ZeroRule.Ordinary, SetArity.List, true, false, Isolation.FunctionsAndStates, StateRules.BlockDisable, PlanEncoding.Array },
        { "slot", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.Ordinary, SetArity.List, true, false, Isolation.FunctionsAndStates, StateRules.BlockDisable, PlanEncoding.Array },
        { "provides", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.Ordinary, SetArity.List, true, false, Isolation.FunctionsAndStates, StateRules.BlockDisable, PlanEncoding.Array },
        { "flat-dynamic", ReplaceRule.Intersecting, Membership.AllListed, ZeroRule.Ordinary, SetArity.List, true, false, Isolation.FunctionsAndStates, StateRules.BlockDisable, PlanEncoding.Dynamic },
    };

    private static readonly InputSource small = InputSource.Plans(new PlanBounds(Releases: 3));

    [Theory]
    [MemberData(nameof(PreviousPresets))]
    public void ShippedFile_EachReading_BehavesAsThePresetItReplaces(string name, ReplaceRule replace, Membership membership, ZeroRule zero,
        SetArity arity, bool addSets, bool checkedAll, Isolation isolation, StateRules states, PlanEncoding encoding)
    {
        var previous = new Reading(name, replace, membership, zero, arity, addSets, checkedAll, new ReadingOptions(isolation, states)) { Encoding = encoding };
        var file = ProposalFile.Read(RepositoryFiles.Full($"proposals/{name}.proposal"));

        Assert.Equal(previous, file with { Description = "", Fields = "", Source = "", ParameterName = null, Defaults = null });
        Assert.Same(Readings.Find(name), Readings.All.Single(r => r.Name == name));
        Assert.Equal(file, Readings.Find(name));
        var before = Verifier.Run(small, previous, PropertyRegistry.All, default);
        var after = Verifier.Run(small, file, PropertyRegistry.All, default);
        Assert.Equal(before.Coverage.States, after.Coverage.States);
        Assert.Equal(before.Verdicts.Select(v => v.Word), after.Verdicts.Select(v => v.Word));
        Assert.True(Classifier.Classes(small, [previous, file with { Name = name + "-file" }], default).AllEquivalent);
    }

    [Fact]
    public void ShippedFiles_AreTheBuiltInSet_InComparisonOrder()
    {
        var files = Directory.GetFiles(RepositoryFiles.Full("proposals"), "*.proposal").Select(Path.GetFileNameWithoutExtension).Order();

        Assert.Equal(files, Readings.All.Select(r => r.Name).Order());
        Assert.Equal(PreviousPresets.Select(row => (string)row[0]), Readings.All.Select(r => r.Name));
    }

    [Fact]
    public void Write_EveryBuiltInReading_ParsesBackToItAndFits80Columns()
    {
        foreach (var r in Readings.All)
        {
            var text = ProposalFile.Write(r, ["a comment that is long enough to need wrapping at the eightieth column of an email message"]);
            Assert.Equal(r, ProposalText.Parse(text, "x", out var error));
            Assert.Null(error);
            Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 80, line));
        }
    }

    [Fact]
    public void Parse_MissingKeys_TakeTheDocumentedDefaults()
    {
        var r = ProposalText.Parse("replaces: subset\n", "mine", out var error);

        Assert.Null(error);
        Assert.Equal(ProposalText.Defaults with { Name = "mine", Replace = ReplaceRule.Subset, Encoding = PlanEncoding.Array }, r);
    }

    [Theory]
    [InlineData("name: x\ncolour: blue\n", 2, 1, "unknown key 'colour'")]
    [InlineData("name: x\nreplaces: most\n", 2, 11, "replaces takes flag|intersect|subset, not 'most'")]
    [InlineData("name: x\n# a comment\nname: y\n", 3, 1, "duplicate key 'name' (first on line 1)")]
    [InlineData("", 1, 1, "empty proposal")]
    [InlineData("# only a comment\n\n", 1, 1, "empty proposal")]
    [InlineData("name: x\nfields: a\u0000\u0001b\n", 2, 10, "not a text file")]
    [InlineData("name: x\nzero: \uFFFD\n", 2, 7, "zero takes ordinary|replaces-all|only-by-zero, not '\uFFFD'")]
    [InlineData("name: x\ndescription: a\u001b]0;t\u0007\n", 2, 15, "not a text file: control character U+001B")]
    [InlineData("name: x\rdescription: y\n", 1, 8, "not a text file: control character U+000D")]
    [InlineData("  continued\nname: x\n", 1, 3, "no key: value line came before it")]
    [InlineData("name: x\nreplaces: flag\n", 2, 11, "replaces: flag goes with occupies: none")]
    [InlineData("name: x\noccupies: none\nreplaces: flag\nencoding: array\n", 4, 11, "encoding: replace-flag goes with replaces: flag")]
    [InlineData("name: x\nadd-sets: no\nparameter: merge\n", 3, 12, "add-sets: no says there is none")]
    [InlineData("name: x\npartial-overlap: replace\n", 2, 18, "applies only with replaces: subset")]
    [InlineData("name: Big Name\n", 1, 7, "must be lower-case letters")]
    [InlineData("name: x\nisolation: total\n", 2, 12, "option isolation takes")]
    [InlineData("just words\n", 1, 1, "expected KEY: VALUE")]
    public void Parse_Malformed_OneErrorAtItsPosition(string text, int line, int column, string message)
    {
        Assert.Null(ProposalText.Parse(text, "x", out var error));

        Assert.NotNull(error);
        Assert.Equal((line, column), (error.Value.Line, error.Value.Column));
        Assert.Contains(message, error.Value.Message);
    }

    [Fact]
    public void Parse_IndentedLines_ContinueTheValue()
    {
        var r = ProposalText.Parse("name: x\ndescription: one\n  two\n\tthree\n", "x", out _);

        Assert.Equal("one two three", r!.Description);
    }

    [Fact]
    public void Parse_HundredThousandContinuationLines_KeepsEveryWordInOrder()
    {
        // Regression: each continuation line was joined into the whole value so far, so 100,000 of
        // them (1.1 MB) took 64 s; the size keeps a quadratic join from passing unnoticed.
        const int lines = 100_000;
        var text = new StringBuilder("name: long\nsource: start\n");
        for (var i = 0; i < lines; i++) text.Append("  w").Append(i).Append('\n');

        var r = ProposalText.Parse(text.ToString(), "x", out var error);

        Assert.Null(error);
        var words = r!.Source.Split(' ');
        Assert.Equal(lines + 1, words.Length);
        Assert.Equal(("start", "w0", $"w{lines - 1}"), (words[0], words[1], words[^1]));
    }

    [Fact]
    public void Parse_IndentedLineStartingWithHash_ContinuesTheValue()
    {
        // Regression: readings wrapped a value onto a line "  #5 ...", which read back as a comment.
        var r = ProposalText.Parse("name: x\ndescription: see\n  #5 and\n# a comment\n  more\n", "x", out var error);

        Assert.Null(error);
        Assert.Equal("see #5 and more", r!.Description);
    }

    [Fact]
    public void Parse_RunsOfSpacesAndTabs_SeparateWordsByOneSpace()
    {
        var r = ProposalText.Parse("name: x\ndescription: a  b\t\tc \n  \t d\n", "x", out _);

        Assert.Equal("a b c d", r!.Description);
    }
}
