using System.Text.RegularExpressions;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Conformance;
using Klp.Check.Engine;
using Klp.Check.Export;
using Klp.Check.Model;
using Klp.Check.Properties;
using Property = FsCheck.Property;
using static Klp.Check.Tests.CliRunner;

namespace Klp.Check.Tests.Export;

/// <summary>What a file name or a catalog puts into the generated Promela stays inside its comment.</summary>
public partial class PromelaCommentTests
{
    // C code that, if it ever escaped a comment, would create a file named PWNED when pan starts;
    // tabs for spaces, so that the wrapping of a long comment line cannot split it.
    private const string Payload = "c_code{__attribute__((constructor))\tstatic\tvoid\tp(void){fopen(\"PWNED\",\"w\");}}";

    private static void Inert(string text)
    {
        Assert.DoesNotContain("*/", text);
        Assert.DoesNotContain("/*", text);
        Assert.All(text, ch => Assert.True(ch is >= ' ' and <= '~' && ch != '\\', $"U+{(int)ch:X4} in '{text}'"));
    }

    // The model as the C preprocessor sees it: every comment, from /* to the first */, removed.
    private static string WithoutComments(string promela) => Comment().Replace(promela, " ");

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [Theory]
    [InlineData("scenarios/thread/joe.klp", "scenarios/thread/joe.klp")]
    [InlineData("*/", "* /")]
    [InlineData("/*", "/ *")]
    [InlineData("a*/c_code{x}/*b", "a* /c_code{x}/ *b")]
    [InlineData("*/*/", "* / * /")]
    [InlineData("line\nnext\r", "line<U+000A>next<U+000D>")]
    [InlineData("tab\there", "tab<U+0009>here")]
    [InlineData("back\\", "back<U+005C>")]
    [InlineData("caf\u00e9 \U0001F600", "caf<U+00E9> <U+1F600>")]
    [InlineData("say \"hi\"", "say \"hi\"")]
    public void CommentText_KnownText_IsWrittenInert(string text, string expected)
    {
        var inert = Promela.CommentText(text);

        Assert.Equal(expected, inert);
        Inert(inert);
    }

    [Property(MaxTest = 2000)]
    public Property CommentText_AnyText_NeitherEndsTheCommentNorTheLine(string? text)
    {
        var inert = Promela.CommentText(text ?? "");
        var comment = $"/* {inert} */";
        return (!inert.Contains("*/") && !inert.Contains("/*") && inert.All(ch => ch is >= ' ' and <= '~' && ch != '\\')
                && WithoutComments(comment) == " ")
            .Label($"'{inert}'")
            .Classify((text ?? "").Contains('/') || (text ?? "").Contains('*'), "slash or star");
    }

    // Two patches whose names, and one function whose name, carry the payload in every way it
    // could close a comment or end a line; the loader accepts any name here (the scenario parser
    // would refuse these, so only a file's path reaches the export from the command line).
    private static Catalog Hostile()
    {
        Patch P(string name, string function, uint set) =>
            new(name, Origin.Vendor, PatchKind.Cumulative, 0, [new FunctionId(FunctionId.Vmlinux, function, 0)], [], true, [set]);
        return new Catalog([
            P("x*/" + Payload + "/*y", "f", 1),
            P("q\n" + Payload + "\n\"z\\", "g*/" + Payload + "/*", 2),
        ]);
    }

    private const string HostileSource = "dir*/" + Payload + "/*\n\"x\\.klp";

    [Fact]
    public void PromelaWrite_HostileNamesAndSource_LeaveNoCodeOutsideComments()
    {
        var promela = Promela.Write(Hostile(), Readings.Positional, HostileSource);
        var code = WithoutComments(promela);

        Assert.DoesNotContain("c_code", code);
        Assert.DoesNotContain("fopen", code);
        Assert.DoesNotContain("PWNED", code);
        Assert.Contains("fopen", promela);
    }

    [SpinFact]
    public void Spin_HostileNamesAndSource_RunsNoInjectedCodeAndCountsTheStates()
    {
        var dir = Directory.CreateTempSubdirectory("klp-spin").FullName;
        var catalog = Hostile();

        var stored = Spin.StoredStates(Promela.Write(catalog, Readings.Positional, HostileSource), dir);

        Assert.False(File.Exists(Path.Combine(dir, "PWNED")), "code from a patch name or the catalog path ran");
        Assert.Equal(new Explorer().Explore(catalog, Readings.Positional).States.Count, stored);
        Directory.Delete(dir, recursive: true);
    }

    // A scenario file in a folder whose path closes the header comment, opens C code and reopens
    // a comment (issue: export --promela wrote the path unescaped and pan created the file).
    private static string HostileCatalogFile(string root)
    {
        var folder = Path.Combine(root, "x*", Payload, "*y\n\"");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "catalog.klp");
        File.WriteAllText(file, "patch a sets={1}\npatch b sets={2}\n");
        return file;
    }

    [Fact]
    public void ExportPromela_CatalogPathClosingTheComment_WritesNoCodeOutsideComments()
    {
        var root = Directory.CreateTempSubdirectory("klp").FullName;
        var file = HostileCatalogFile(root);
        var model = Path.Combine(root, "m.pml");

        var (code, _, err) = Run("export", "--promela", "--catalog", file, "-r", "positional", "--out", model);

        Assert.True(code == 0, err);
        var text = File.ReadAllText(model);
        Assert.Contains("fopen", text);
        Assert.DoesNotContain("fopen", WithoutComments(text));
    }

    [SpinFact]
    public void Spin_ExportOfACatalogPathClosingTheComment_RunsNoInjectedCode()
    {
        var root = Directory.CreateTempSubdirectory("klp").FullName;
        var file = HostileCatalogFile(root);
        var model = Path.Combine(root, "m.pml");
        Assert.Equal(0, Run("export", "--promela", "--catalog", file, "-r", "positional", "--out", model).Code);
        var dir = Directory.CreateTempSubdirectory("klp-spin").FullName;

        var stored = Spin.StoredStates(File.ReadAllText(model), dir);

        Assert.False(File.Exists(Path.Combine(dir, "PWNED")), "code from the catalog path ran");
        Assert.True(stored > 0);
        Directory.Delete(dir, recursive: true);
        Directory.Delete(root, recursive: true);
    }
}
