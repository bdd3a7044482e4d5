namespace Klp.Check.Tests;

/// <summary>Locates files of the repository the tests run from.</summary>
public static class RepositoryFiles
{
    /// <summary>The folder holding Klp.Check.sln.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Klp.Check.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Klp.Check.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Every scenario file under scenarios/, relative to the root, sorted.</summary>
    public static IEnumerable<string> Scenarios(string under = "scenarios") =>
        Directory.EnumerateFiles(Path.Combine(Root, under), "*.klp", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    /// <summary>The absolute path of a repository-relative path.</summary>
    public static string Full(string relative) => Path.Combine(Root, relative);
}
