using System.Runtime.InteropServices;
using Klp.Check.Model;

namespace Klp.Check.Inputs;

/// <summary>What a path names, through symbolic links.</summary>
public enum FileKind
{
    /// <summary>Nothing (or a dangling link).</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Folder,
    /// <summary>A device, FIFO or socket.</summary>
    Other,
}

/// <summary>Reads every input file of the tool (scenarios, proposals, release plans, baselines) the same way: a regular file of at most <see cref="MaxBytes"/> bytes, whose text keeps <see cref="InputText.Rule"/>.</summary>
/// <remarks>
/// The kind and size are checked before a byte is read, so <c>/dev/zero</c>, a FIFO or a
/// directory is one line, never an unbounded read or a wait for a writer.
/// </remarks>
public static partial class InputFile
{
    /// <summary>The most bytes an input file may hold (8 MiB; docs/scenarios.md).</summary>
    public const int MaxBytes = 8 << 20;

    /// <summary>The text of an input file.</summary>
    /// <exception cref="InputException">The file is not a regular file, is larger than <see cref="MaxBytes"/>, cannot be read, or breaks the text rule (at its line and column).</exception>
    public static string Read(string path)
    {
        var bytes = ReadBytes(path, MaxBytes);
        var text = InputText.Decode(bytes, out var error);
        if (text is null) throw new InputException([new Diagnostic(path, error!.Value.Line, error.Value.Column, error.Value.Message)]);
        return text;
    }

    /// <summary>The bytes of a regular file of at most <paramref name="max"/> bytes, read without trusting its reported size.</summary>
    /// <exception cref="InputException">The file is not a regular file, is larger than <paramref name="max"/>, or cannot be read.</exception>
    public static byte[] ReadBytes(string path, int max)
    {
        static InputException Refuse(string path, string message) => new([new Diagnostic(path, 1, 1, message)]);
        if (path.Length == 0) throw Refuse(path, "empty file name");
        switch (KindOf(path))
        {
            case FileKind.Folder: throw Refuse(path, "is a directory");
            case FileKind.Other: throw Refuse(path, "is not a regular file (a device, FIFO or socket); only regular files are read");
        }
        try
        {
            return ReadAtMost(path, max) ?? throw Refuse(path, $"is larger than {max:N0} bytes, the most an input file may hold");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw Refuse(path, $"cannot read file: {e.Message}");
        }
    }

    /// <summary>The bytes of a file, or null when it holds more than <paramref name="max"/>: never more than <paramref name="max"/> + 1 bytes are read, whatever size the file reports.</summary>
    /// <remarks>The caller checks that the path names a regular file: opening a FIFO would wait for a writer.</remarks>
    /// <exception cref="IOException">The file cannot be read (also <see cref="UnauthorizedAccessException"/>, <see cref="ArgumentException"/>, <see cref="NotSupportedException"/>).</exception>
    public static byte[]? ReadAtMost(string path, int max)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        if (stream.Length > max) return null;
        // The size can change between the check and the read: never read more than max + 1 bytes.
        var buffer = new byte[Math.Min(max + 1L, Math.Max(stream.Length + 1, 4096))];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length > max) return null;
                Array.Resize(ref buffer, (int)Math.Min(max + 1L, buffer.Length * 2L));
            }
            var n = stream.Read(buffer, filled, buffer.Length - filled);
            if (n == 0) break;
            filled += n;
        }
        return filled > max ? null : buffer[..filled];
    }

    /// <summary>What a path names, following symbolic links (a link to a device counts as the device).</summary>
    public static FileKind KindOf(string path)
    {
        if (Directory.Exists(path)) return FileKind.Folder;
        if (!File.Exists(path)) return FileKind.Missing;
        if (OperatingSystem.IsWindows()) return (File.GetAttributes(path) & FileAttributes.Device) != 0 ? FileKind.Other : FileKind.Regular;
        if (!OperatingSystem.IsLinux()) return FileKind.Regular;
        // .NET reports no file type but directory on Unix: ask statx(2), whose struct has one
        // layout on every architecture. It follows symbolic links.
        var buffer = new byte[256];
        const int AtFdCwd = -100, StatxType = 1, ModeOffset = 28, TypeMask = 0xF000, Regular = 0x8000;
        if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return FileKind.Other;
        return (BitConverter.ToUInt16(buffer, ModeOffset) & TypeMask) == Regular ? FileKind.Regular : FileKind.Other;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte[] buffer);
}
