using System.Runtime.InteropServices;

namespace Klp.Check.Commands;

/// <summary>The check every command makes before it writes a file the user named: only a new or regular file is ever written.</summary>
public static partial class OutputFile
{
    /// <summary>Why <paramref name="path"/> cannot take the output (a directory, a device or another file that is not regular, or a folder that does not exist), or null.</summary>
    public static string? Problem(string path)
    {
        if (path.Length == 0) return "the path is empty";
        if (Directory.Exists(path)) return $"{path} is a directory";
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            return IsRegular(path) ? null : $"{path} is not a regular file";
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir)) return $"folder {dir} does not exist";
        return null;
    }

    // .NET exposes no file type, so on Linux ask statx(2) (its struct has one layout on every
    // architecture); it follows symbolic links, so a link to a device counts as the device.
    private static bool IsRegular(string path)
    {
        if (!OperatingSystem.IsLinux()) return File.Exists(path);
        var buffer = new byte[256];
        const int AtFdCwd = -100, StatxType = 1, ModeOffset = 28, TypeMask = 0xF000, Regular = 0x8000;
        if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return false;
        var mode = BitConverter.ToUInt16(buffer, ModeOffset);
        return (mode & TypeMask) == Regular;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte[] buffer);
}
