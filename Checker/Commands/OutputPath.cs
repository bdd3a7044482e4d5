using Klp.Check.Inputs;

namespace Klp.Check.Commands;

/// <summary>A file or folder the user named for the tool to write: checked before any long work, and written so that nothing but a regular file is ever replaced.</summary>
/// <remarks>
/// A symbolic link is followed and kept: the file it points to is written. A file is written
/// beside its target and renamed over it, so an interrupted write never leaves half a file; the
/// rename would replace whatever the name held (a device node, a FIFO), so only a regular file,
/// or a new name in an existing folder, is accepted.
/// </remarks>
public static class OutputPath
{
    /// <summary>Checks a file to write; on a bad path prints <c>klp-check: OPTION: message</c> and returns false.</summary>
    public static bool CheckFile(string option, string path, TextWriter stderr) => Report(option, FileProblem(path), stderr);

    /// <summary>Checks a folder to write files into, without creating it: it exists and takes new files, or it can be created; on a bad path prints <c>klp-check: OPTION: message</c> and returns false.</summary>
    /// <remarks>Nothing is created until <see cref="CreateFolder"/>, so a command that then refuses another argument leaves no trace.</remarks>
    public static bool CheckFolder(string option, string path, TextWriter stderr) => Report(option, FolderProblem(path, create: false), stderr);

    /// <summary>Creates a folder checked by <see cref="CheckFolder"/> (with its missing parents) when the files are about to be written; on failure prints one line and returns false.</summary>
    public static bool CreateFolder(string option, string path, TextWriter stderr) => Report(option, FolderProblem(path, create: true), stderr);

    /// <summary>Checks files the command will write into a folder checked by <see cref="CheckFolder"/>: every entry of the folder whose name matches <paramref name="pattern"/> must be a regular file it may replace.</summary>
    public static bool CheckFilesIn(string option, string folder, string pattern, TextWriter stderr)
    {
        if (InputFile.KindOf(folder) != FileKind.Folder) return true;
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(folder, pattern))
                if (FileProblem(entry) is { } problem) return Report(option, problem, stderr);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Report(option, $"cannot list '{folder}': {e.Message}", stderr);
        }
    }

    /// <summary>Why a file the user named to read is not a regular file (missing, a directory, a device, a FIFO), or null when it is one.</summary>
    /// <remarks>Asked before opening: opening a FIFO waits for a writer, and a device may never end.</remarks>
    public static string? NotRegular(string path) => InputFile.KindOf(path) switch
    {
        FileKind.Missing => "no such file",
        FileKind.Folder => "is a directory",
        FileKind.Other => "not a regular file",
        _ => null,
    };

    /// <summary>Writes a file atomically (a temporary file beside the target, renamed over it), following a symbolic link; on failure prints one line, removes the temporary file and returns false.</summary>
    public static bool Write(string option, string path, string text, TextWriter stderr)
    {
        if (FileProblem(path) is { } problem) return Report(option, problem, stderr);
        var target = Target(path);
        var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(target))!, $".{Path.GetFileName(target)}.{Environment.ProcessId}.tmp");
        var created = false;
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                created = true;
                using var writer = new StreamWriter(stream);
                writer.Write(text);
            }
            if (!OperatingSystem.IsWindows() && File.Exists(target)) File.SetUnixFileMode(temp, File.GetUnixFileMode(target));
            File.Move(temp, target, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                if (created) File.Delete(temp);
            }
            catch (Exception d) when (d is IOException or UnauthorizedAccessException)
            {
                // Nothing more can be done about a temporary file that cannot be removed.
            }
            return Report(option, $"cannot write '{path}': {e.Message}", stderr);
        }
    }

    private static bool Report(string option, string? problem, TextWriter stderr)
    {
        if (problem is null) return true;
        stderr.WriteLine($"klp-check: {option}: {problem}");
        return false;
    }

    private static string? FileProblem(string path)
    {
        if (path.Length == 0) return "empty path";
        string target;
        try
        {
            target = Target(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot follow '{path}': {e.Message}";
        }
        switch (InputFile.KindOf(target))
        {
            case FileKind.Folder: return $"'{path}' is a directory";
            case FileKind.Other: return $"'{path}' is not a regular file; only a regular file is replaced";
            case FileKind.Regular: return Writable(Path.GetDirectoryName(Path.GetFullPath(target))!, path);
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(target))!;
        return InputFile.KindOf(folder) switch
        {
            FileKind.Folder => Writable(folder, path),
            FileKind.Missing => $"cannot write '{path}': no directory '{folder}'",
            _ => $"cannot write '{path}': '{folder}' is not a directory",
        };
    }

    private static string? FolderProblem(string path, bool create)
    {
        if (path.Length == 0) return "empty path";
        switch (InputFile.KindOf(path))
        {
            case FileKind.Regular or FileKind.Other: return $"'{path}' is not a directory";
            case FileKind.Folder: return Writable(path, path);
        }
        var existing = Path.GetDirectoryName(Path.GetFullPath(path));
        while (existing is not null && InputFile.KindOf(existing) == FileKind.Missing) existing = Path.GetDirectoryName(existing);
        if (existing is null) return $"cannot create directory '{path}'";
        if (InputFile.KindOf(existing) != FileKind.Folder) return $"cannot create directory '{path}': '{existing}' is not a directory";
        if (!create) return Writable(existing, path, "cannot create directory");
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"cannot create directory '{path}': {e.Message}";
        }
        return Writable(path, path);
    }

    // Creating a file is the only sure test that a folder takes new files (permissions, read-only
    // mounts, /proc).
    private static string? Writable(string folder, string path, string what = "cannot write")
    {
        var probe = Path.Combine(folder, $".klp-check.{Environment.ProcessId}.probe");
        try
        {
            new FileStream(probe, FileMode.CreateNew, FileAccess.Write).Dispose();
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The probe's own name in .NET's message would only confuse: say what the folder refused.
            var why = e switch
            {
                UnauthorizedAccessException => " (permission denied)",
                FileNotFoundException or DirectoryNotFoundException => "",
                _ => $" ({e.Message.Replace(probe, folder)})",
            };
            return $"{what} '{path}': '{folder}' takes no new files{why}";
        }
    }

    // The file a path names, through every symbolic link (a dangling link names its missing target).
    private static string Target(string path)
    {
        // From the full path: .NET resolves a relative link target against the link's folder as written, "" for a bare name.
        var full = Path.GetFullPath(path);
        if (new FileInfo(full).LinkTarget is null) return path;
        return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? path;
    }
}
