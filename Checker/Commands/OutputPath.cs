using System.Runtime.InteropServices;

namespace Klp.Check.Commands;

/// <summary>A file or folder the user named for the tool to write: checked before any long work, and written so that nothing but a regular file is ever replaced.</summary>
/// <remarks>
/// A symbolic link is followed and kept: the file it points to is written. A file is written
/// beside its target and renamed over it, so an interrupted write never leaves half a file; the
/// rename would replace whatever the name held (a device node, a FIFO), so only a regular file,
/// or a new name in an existing folder, is accepted.
/// </remarks>
public static partial class OutputPath
{
    private enum Kind { Missing, Regular, Folder, Other }

    /// <summary>Checks a file to write; on a bad path prints <c>klp-check: OPTION: message</c> and returns false.</summary>
    public static bool CheckFile(string option, string path, TextWriter stderr) => Report(option, FileProblem(path), stderr);

    /// <summary>Checks a folder to write files into, creating it if needed; on a bad path prints <c>klp-check: OPTION: message</c> and returns false.</summary>
    public static bool CheckFolder(string option, string path, TextWriter stderr) => Report(option, FolderProblem(path), stderr);

    /// <summary>Why a file the user named to read is not a regular file (missing, a directory, a device, a FIFO), or null when it is one.</summary>
    /// <remarks>Asked before opening: opening a FIFO waits for a writer, and a device may never end.</remarks>
    public static string? NotRegular(string path) => KindOf(path) switch
    {
        Kind.Missing => "no such file",
        Kind.Folder => "is a directory",
        Kind.Other => "not a regular file",
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
        switch (KindOf(target))
        {
            case Kind.Folder: return $"'{path}' is a directory";
            case Kind.Other: return $"'{path}' is not a regular file; only a regular file is replaced";
            case Kind.Regular: return Writable(Path.GetDirectoryName(Path.GetFullPath(target))!, path);
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(target))!;
        return KindOf(folder) switch
        {
            Kind.Folder => Writable(folder, path),
            Kind.Missing => $"cannot write '{path}': no directory '{folder}'",
            _ => $"cannot write '{path}': '{folder}' is not a directory",
        };
    }

    private static string? FolderProblem(string path)
    {
        if (path.Length == 0) return "empty path";
        switch (KindOf(path))
        {
            case Kind.Regular or Kind.Other: return $"'{path}' is not a directory";
            case Kind.Missing:
                var existing = Path.GetDirectoryName(Path.GetFullPath(path));
                while (existing is not null && KindOf(existing) == Kind.Missing) existing = Path.GetDirectoryName(existing);
                if (existing is not null && KindOf(existing) != Kind.Folder) return $"cannot create directory '{path}': '{existing}' is not a directory";
                try
                {
                    Directory.CreateDirectory(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    return $"cannot create directory '{path}': {e.Message}";
                }
                break;
        }
        return Writable(path, path);
    }

    // Creating a file is the only sure test that a folder takes new files (permissions, read-only
    // mounts, /proc).
    private static string? Writable(string folder, string path)
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
            return $"cannot write '{path}': {e.Message}";
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

    private static Kind KindOf(string path)
    {
        if (Directory.Exists(path)) return Kind.Folder;
        if (!File.Exists(path)) return Kind.Missing;
        if (OperatingSystem.IsWindows()) return (File.GetAttributes(path) & FileAttributes.Device) != 0 ? Kind.Other : Kind.Regular;
        if (!OperatingSystem.IsLinux()) return Kind.Regular;
        // .NET reports no file type but directory on Unix: ask statx(2), whose struct has one
        // layout on every architecture. It follows symbolic links, so a link to a device counts
        // as the device.
        var buffer = new byte[256];
        const int AtFdCwd = -100, StatxType = 1, ModeOffset = 28, TypeMask = 0xF000, Regular = 0x8000;
        if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return Kind.Other;
        return (BitConverter.ToUInt16(buffer, ModeOffset) & TypeMask) == Regular ? Kind.Regular : Kind.Other;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte[] buffer);
}
