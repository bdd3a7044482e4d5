using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Tests.Scenarios;

public class ScenarioParserTests
{
    private static Scenario Parse(string text) => ScenarioParser.Parse(text, "t.klp");

    private static Diagnostic Single(string text)
    {
        var e = Assert.Throws<InputException>(() => Parse(text));
        return Assert.Single(e.Diagnostics);
    }

    [Theory]
    [InlineData("patch a funcs={f}\nload a\nexpect active typo_fn = original\n", 3, 15)]
    [InlineData("patch a funcs={f}\nload a\nexpect accepted;  active   g = a\n", 3, 28)]
    public void ActiveExpectation_FunctionNoPatchPatches_IsAnErrorAtTheFunction(string text, int line, int column)
    {
        var d = Single(text);

        Assert.Equal((line, column), (d.Line, d.Column));
        Assert.StartsWith("no patch patches function", d.Message);
    }

    [Fact]
    public void TimelineLine_QuotedWithNote_DeclaresVendorPatchAndLoadsIt()
    {
        var s = Parse(">    Thu: klp-1b: hotfix        (replace_sets={2})     <- coexists with klp-1a\n");

        var p = Assert.Single(s.Catalog.Patches);
        Assert.Equal(("klp-1b", Origin.Vendor, PatchKind.Hotfix, false), (p.Name, p.Origin, p.Kind, p.Replace));
        Assert.Equal([2u], p.Sets.ToArray());
        var step = s.Steps[1];
        Assert.Equal(Operation.Load(0), step.Operation);
        Assert.Equal("coexists with klp-1a", step.Note);
    }

    [Fact]
    public void TimelineNote_WrappedByTheMailer_IsJoinedToTheNote()
    {
        var s = Parse("> >   Fri: klp-1c: hotfix     (replace_sets={2})     <- replaces klp-1b \n> > (same set)\n");

        Assert.Equal("replaces klp-1b (same set)", s.Steps[1].Note);
    }

    [Fact]
    public void Cumulative_WithoutFunctions_RollsUpEarlierVendorFunctions()
    {
        var s = Parse("""
            Wed: klp-1a: cumulative (replace_sets={1})
            Thu: klp-1b: hotfix (replace_sets={2})
            Fri: klp-1c: hotfix v2 (replace_sets={2})
            patch cust customer
            Mon: klp-2a: cumulative (replace_sets={1,2})
            """);

        static string[] Funcs(Scenario s, string name) => [.. s.Catalog[s.Catalog.IndexOf(name)].Funcs.Select(f => f.Name)];
        Assert.Equal(["klp_1b_fn"], Funcs(s, "klp-1c"));
        Assert.Equal(["klp_2a_fn", "klp_1a_fn", "klp_1b_fn"], Funcs(s, "klp-2a"));
        Assert.True(s.Catalog[s.Catalog.IndexOf("klp-2a")].Replace);
    }

    [Fact]
    public void HotfixV2_WithoutEarlierHotfixInTheSameSet_IsAnErrorAtTheVersion()
    {
        var d = Single("Thu: klp-1b: hotfix v2 (replace_sets={2})\n");

        Assert.Equal((1, 21), (d.Line, d.Column));
    }

    [Fact]
    public void Declaration_ThenTimelineLine_KeepsDeclaredStatesAndTakesTheSets()
    {
        var s = Parse("patch klp-5a states={1:v2:block_disable}\n> Fri: klp-5a: cumulative (replace_sets={1,2,3})\n");

        var p = s.Catalog[0];
        Assert.Equal([1u, 2u, 3u], p.Sets.ToArray());
        Assert.Equal([new KlpState(1, 2, true)], p.States.ToArray());
        Assert.Equal(PatchKind.Cumulative, p.Kind);
    }

    [Fact]
    public void Expectation_WithReadingList_AppliesOnlyToThoseReadings()
    {
        var s = Parse("patch a\nload a\nexpect flat, set(states=versions): accepted\nexpect refused\n");

        var e = s.Steps[1].Expectations;
        Assert.Equal(["flat", "set(states=versions)"], e[0].Readings!.Select(r => r.DisplayName));
        Assert.Null(e[1].Readings);
    }

    // Issue 16.1: rmmod of a module in use fails with EWOULDBLOCK, the kernel's other name for EAGAIN.
    [Theory]
    [InlineData("EAGAIN")]
    [InlineData("EWOULDBLOCK")]
    public void RefusedClause_EagainOrEwouldblock_ParsesAsEagain(string errno)
    {
        var s = Parse($"patch a\nload a\nunload a\nexpect refused {errno} module-in-use\n");

        Assert.Equal(new RefusedClause(Errno.EAGAIN, Reason.ModuleInUse), s.Steps[2].Expectations[0].Clause);
    }

    [Fact]
    public void Option_AppliesToReadingsNamedAfterIt()
    {
        var s = Parse("option function-identity=exact\npatch a\nload a\nexpect replace-set: accepted\n");

        Assert.Equal(FunctionIdentity.Exact, s.Steps[1].Expectations[0].Readings![0].Options.FunctionIdentity);
    }

    [Theory]
    [InlineData("patch a\nload b\n", 2, 6, "unknown patch 'b'")]
    [InlineData("patch a sets={1,x}\n", 1, 17, "'x' is not a set number")]
    [InlineData("patch a funcs={foo@x}\n", 1, 16, "sympos")]
    [InlineData("patch a states={0:v1}\n", 1, 17, "not a state")]
    [InlineData("patch a colour=red\n", 1, 9, "unknown patch attribute")]
    [InlineData("patch a\npatch a\n", 2, 7, "already declared at line 1")]
    [InlineData("frobnicate a\n", 1, 1, "unknown statement 'frobnicate'")]
    [InlineData("patch a\nload a\nexpect maybe\n", 3, 8, "unknown expectation 'maybe'")]
    [InlineData("patch a\nload a\nexpect nonsense-reading: accepted\n", 3, 8, "unknown reading 'nonsense-reading'")]
    [InlineData("patch a\nload a\nexpect flat(states=maybe): accepted\n", 3, 13, "option states takes")]
    [InlineData("patch a\nload a\nexpect refused EFOO\n", 3, 16, "not an errno")]
    [InlineData("patch a\nload a\nexpect refused EFOO\n", 3, 16, "EBUSY, ENOENT, EAGAIN)")]
    [InlineData("mode sometimes\n", 1, 6, "mode takes atomic or two-phase")]
    [InlineData("expect accepted\n", 1, 8, "needs an operation")]
    [InlineData("patch a\nload a add_sets={}\n", 2, 8, "at least one set")]
    [InlineData("patch a sets={}\n", 1, 14, "never empty")]
    [InlineData("patch a\nload a\nexpect enabled {a\n", 3, 16, "unclosed")]
    [InlineData("patch a funcs={f}\nload a\nexpect runs h = a for all tasks\n", 3, 13, "unknown function 'h'")]
    [InlineData("patch a funcs={f}\nload a\nexpect accepted; runs f = b for all tasks\n", 3, 27, "unknown patch 'b'")]
    [InlineData("patch a funcs={f}\nload a\nexpect runs f = a for some tasks\n", 3, 8, "switched|unswitched|all")]
    [InlineData("patch a funcs=f\n", 1, 15, "funcs takes a list in braces, e.g. funcs={cmdline_proc_show, mod:fn@2}, not 'f'")]
    [InlineData("patch a states=1:v2\n", 1, 16, "states takes a list in braces, e.g. states={1:v2, 3:v0:block_disable}, not '1:v2'")]
    [InlineData("patch a funcs={f, g@x}\n", 1, 19, "'g@x': sympos")]
    [InlineData("patch a states={1:v2, 0}\n", 1, 23, "'0' is not a state")]
    public void MalformedLine_IsReportedAtItsLineAndColumn(string text, int line, int column, string message)
    {
        var d = Single(text);

        Assert.Equal("t.klp", d.File);
        Assert.Equal((line, column), (d.Line, d.Column));
        Assert.Contains(message, d.Message);
        Assert.StartsWith($"t.klp:{line}:{column}: ", d.ToString());
    }

    // A function written twice is two klp_func entries, a module the kernel refuses at load
    // (duplicate-function); the parser used to drop the second silently.
    [Fact]
    public void Funcs_NamedTwice_KeepsBothEntries()
    {
        var s = Parse("patch a funcs={f, mod:g, f, h}\n");

        Assert.Equal(["f", "g", "f", "h"], s.Catalog[0].Funcs.Select(f => f.Name));
        Assert.True(s.Catalog.HasDuplicateFunction(0));
    }

    [Fact]
    public void Funcs_OfVendorCumulative_RollUpSympos0And1AsOneFunction()
    {
        var s = Parse("patch a funcs={f}\npatch b funcs={f@1, g}\npatch c cumulative\n");

        Assert.Equal(["c_fn", "f", "g"], s.Catalog[2].Funcs.Select(f => f.ToString()));
        Assert.False(s.Catalog.HasDuplicateFunction(2));
    }

    [Fact]
    public void ManyErrors_AreAllReported_InFileOrder()
    {
        var e = Assert.Throws<InputException>(() => Parse("foo\nbar\npatch a colour=red\n"));

        Assert.Equal([1, 2, 3], e.Diagnostics.Select(d => d.Line));
    }

    [Fact]
    public void MissingFile_IsADiagnosticNotACrash()
    {
        var e = Assert.Throws<InputException>(() => ScenarioParser.ParseFile("/nonexistent/x.klp"));

        Assert.Contains("cannot read file", Assert.Single(e.Diagnostics).Message);
    }

    [Fact]
    public void Parse_NoteWrappedOverHundredThousandQuotedLines_KeepsEveryWordInOrder()
    {
        // Regression: each wrapped line was joined into the whole note so far, so an 880 KB note
        // took 47 s; the size keeps a quadratic join from passing unnoticed.
        const int lines = 100_000;
        var text = new System.Text.StringBuilder("> Mon: klp-1: cumulative (replace_sets={1})     <- starts\n");
        for (var i = 0; i < lines; i++) text.Append("> w").Append(i).Append('\n');

        var s = ScenarioParser.Parse(text.ToString(), "long.klp");

        var words = s.Steps[1].Note!.Split(' ');
        Assert.Equal(lines + 1, words.Length);
        Assert.Equal(("starts", "w0", $"w{lines - 1}"), (words[0], words[1], words[^1]));
    }
}
