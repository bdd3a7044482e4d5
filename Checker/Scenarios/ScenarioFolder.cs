namespace Klp.Check.Scenarios;

/// <summary>Where scenario files are found: the folder shipped with the tool, and the files under a folder.</summary>
public static class ScenarioFolder
{
    /// <summary>The folder of the scenarios shipped with the tool: <c>scenarios/</c> of the repository that holds the current directory or the tool (the folder with <c>Klp.Check.sln</c>), else a copy beside the executable; null when there is none.</summary>
    public static string? Shipped()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Klp.Check.sln")) && Directory.Exists(Path.Combine(dir.FullName, "scenarios")))
                    return Path.Combine(dir.FullName, "scenarios");
        var beside = Path.Combine(AppContext.BaseDirectory, "scenarios");
        return Directory.Exists(beside) ? beside : null;
    }

    /// <summary>The scenario files under a folder, in ordinal order, relative to the current directory.</summary>
    public static IReadOnlyList<string> Files(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*.klp", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Directory.GetCurrentDirectory(), f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];
}
