using System.Text;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Proposals;

/// <summary>Proposal files on disk (docs/proposals.md): reading one, naming one wherever a reading is named, writing one.</summary>
public static class ProposalFile
{
    /// <summary>The extension every proposal file has.</summary>
    public const string Extension = ".proposal";

    /// <summary>True when a reading name is a proposal file: it ends with <c>.proposal</c> or names a directory.</summary>
    public static bool IsPath(string name) =>
        name.EndsWith(Extension, StringComparison.Ordinal) || name.Contains('/') || name.Contains(Path.DirectorySeparatorChar);

    /// <summary>Reads and parses a proposal file.</summary>
    /// <exception cref="InputException">The file cannot be read, is not a proposal, or takes a built-in reading's name for another reading.</exception>
    public static Reading Read(string path)
    {
        var text = InputFile.Read(path);
        var reading = ProposalText.Parse(text, Path.GetFileNameWithoutExtension(path), out var error);
        if (reading is null) throw new InputException([new Diagnostic(path, error!.Value.Line, error.Value.Column, error.Value.Message)]);
        if (Readings.Find(reading.Name) is { } builtin && builtin != reading)
            throw new InputException([new Diagnostic(path, NameLine(text), 1,
                $"name '{reading.Name}' is a built-in reading's; give the proposal a name of its own")]);
        return reading;
    }

    private static int NameLine(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            if (lines[i].StartsWith("name:", StringComparison.Ordinal)) return i + 1;
        return 1;
    }

    /// <summary>Every <c>*.proposal</c> file of a directory, in name order; null with a message when the directory cannot be listed or holds none.</summary>
    /// <exception cref="InputException">A file is unreadable or malformed.</exception>
    public static IReadOnlyList<Reading>? ReadDirectory(string directory, out string? error)
    {
        error = null;
        string[] files;
        try
        {
            files = Directory.GetFiles(directory, "*" + Extension);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            error = $"cannot list directory '{directory}': {e.Message}";
            return null;
        }
        if (files.Length == 0)
        {
            error = $"no *{Extension} file in '{directory}'";
            return null;
        }
        Array.Sort(files, StringComparer.Ordinal);
        return [.. files.Select(Read)];
    }

    /// <summary>Resolves <c>NAME</c>, <c>FILE.proposal</c>, and either with <c>(option=value,...)</c>; a relative file is looked up under <paramref name="directory"/>.</summary>
    /// <exception cref="InputException">A named proposal file is unreadable or malformed.</exception>
    public static Reading? Resolve(string text, string? directory, out string? error) =>
        Readings.Parse(text, (string name, out string? message) =>
        {
            message = null;
            if (!IsPath(name))
            {
                if (Readings.Find(name) is { } r) return r;
                message = $"unknown reading '{name}' (known: {string.Join(", ", Readings.All.Select(x => x.Name))}, or a FILE{Extension})";
                return null;
            }
            return Read(directory is null || Path.IsPathRooted(name) ? name : Path.Combine(directory, name));
        }, out error);

    /// <summary>How a scenario names a reading so that replay resolves it: a built-in reading by its display name, a proposal as <c>NAME.proposal</c> with its changed options, a file that <see cref="Beside"/> puts next to the scenario.</summary>
    public static string ScenarioName(Reading reading) =>
        Readings.Find(reading.Name) is not null ? reading.DisplayName : reading.Name + Extension + reading.DisplayName[reading.Name.Length..];

    /// <summary>The proposal file (path and text) that a scenario written into <paramref name="directory"/> needs beside it; null for a built-in reading, or when that file already holds the same proposal.</summary>
    /// <remarks>A copy rather than a path back to the file the reading came from: the folder replays wherever it is moved, and the reading carries no path.</remarks>
    public static (string Path, string Text)? Beside(Reading reading, string directory)
    {
        if (Readings.Find(reading.Name) is not null) return null;
        var path = Path.Combine(directory, reading.Name + Extension);
        var preset = reading.With(reading.Defaults ?? reading.Options);
        try
        {
            if (File.Exists(path) && Read(path) == preset) return null;
        }
        catch (InputException)
        {
            // Not the proposal: the copy replaces it.
        }
        return (path, Write(preset));
    }

    /// <summary>A reading as a proposal file: every key, long values continued on indented lines to fit 80 columns.</summary>
    /// <param name="reading">The reading.</param>
    /// <param name="comments">Lines written first, each as a <c>#</c> comment.</param>
    public static string Write(Reading reading, IEnumerable<string>? comments = null)
    {
        var sb = new StringBuilder();
        foreach (var c in comments ?? [])
            foreach (var line in TextLayout.Wrap(Terminal.Escape(c, keepLineFeeds: false).Split(' '), "# ")) sb.AppendLine(line);
        foreach (var key in ProposalText.Keys)
        {
            var value = ProposalText.Value(reading, key);
            if (value.Length == 0)
            {
                sb.AppendLine(key + ":");
                continue;
            }
            // The key leads the first line; the indent marks the lines that continue it.
            var lines = TextLayout.Wrap([key + ":", .. value.Split(' ')], "  ").ToList();
            sb.AppendLine(lines[0].TrimStart());
            foreach (var line in lines.Skip(1)) sb.AppendLine(line);
        }
        return sb.ToString();
    }
}
