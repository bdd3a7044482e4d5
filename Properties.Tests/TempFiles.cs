using Klp.Check.Conformance;

namespace Klp.Check.Tests;

/// <summary>Files the tests write into fresh temporary folders.</summary>
public static class TempFiles
{
    /// <summary>Writes <paramref name="text"/> as <c>NAME</c> in a new folder <paramref name="folder"/> (any name the file system takes: quotes, escape sequences, line ends) under a fresh temporary folder; returns its path.</summary>
    public static string InFolderNamed(string folder, string name, string text)
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("klp").FullName, folder);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, name);
        File.WriteAllText(file, text);
        return file;
    }
}
