using System.Text.RegularExpressions;
using Klp.Check.Conformance;

namespace Klp.Check.Tests.Architecture;

/// <summary>A namespace is its folder: a reader who knows the file knows the room (docs/architecture.md).</summary>
public sealed partial class NamespaceTests
{
    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    // Every C# source file of a project with the namespace its folder gives it.
    public static TheoryData<string, string> Projects() => new()
    {
        { "Checker", "Klp.Check" },
        { "Model", "Klp.Check.Model" },
        { "Properties.Tests", "Klp.Check.Tests" },
        { "Benchmarks", "Klp.Check.Benchmarks" },
    };

    [Theory]
    [MemberData(nameof(Projects))]
    public void EverySourceFile_DeclaresTheNamespaceOfItsFolder(string project, string rootNamespace)
    {
        var root = RepositoryFiles.Full(project);
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Any(d => d is "bin" or "obj"))
            .ToList();
        Assert.NotEmpty(files);
        var wrong = new List<string>();
        foreach (var file in files)
        {
            var folder = Path.GetDirectoryName(Path.GetRelativePath(root, file))!;
            var expected = folder.Length == 0 ? rootNamespace : $"{rootNamespace}.{folder.Replace(Path.DirectorySeparatorChar, '.')}";
            var declared = NamespaceLine().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).ToList();
            // A file of top-level statements (Program.cs) declares none; any other declares exactly its folder's.
            if (declared.Count == 0 && Path.GetFileName(file) == "Program.cs") continue;
            if (declared.Count != 1 || declared[0] != expected)
                wrong.Add($"{project}/{Path.GetRelativePath(root, file)}: {(declared.Count == 0 ? "no namespace" : string.Join(", ", declared))}, expected {expected}");
        }
        Assert.Empty(wrong);
    }
}
