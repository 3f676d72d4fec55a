using System;
using System.Collections.Generic;
using System.Linq;
using Svsm.Runtime;

namespace Svsm.Emulator.Kernel;

/// <summary>Why a file-system operation failed, as COCONUT-SVSM's <c>FsError</c> names it.</summary>
public enum FsFailure
{
    NotFound,
    Exists,
    Invalid,
    IsDirectory,
    IsFile,
    NotEmpty,
    ReadOnly,
    WriteOnly,
}

/// <summary>A file-system operation that failed; the syscall layer maps it to an error number.</summary>
public sealed class FsException(FsFailure failure, string message) : Exception(message)
{
    public FsFailure Failure { get; } = failure;
}

/// <summary>
/// The emulated kernel's in-memory file system, shaped as COCONUT-SVSM's ramfs (<c>kernel/src/fs/ramfs.rs</c>,
/// <c>filesystem.rs</c>): paths split on '/' with empty parts skipped, entries kept in creation order with
/// removal swapping the last entry into the gap, a file reached where a directory is needed reported as not
/// found. The host side seeds and inspects it; tasks reach it through the syscalls.
/// </summary>
public sealed class RamFileSystem
{
    private readonly object gate = new();

    public RamFileSystem()
    {
        Root = new RamDirectory();
    }

    internal RamDirectory Root { get; }

    /// <summary>Serialises every file-system operation: tasks may trap on several threads.</summary>
    internal object Gate => gate;

    /// <summary>Creates the directory at <paramref name="path"/> and any missing parents.</summary>
    public void CreateDirectories(string path)
    {
        lock (gate)
        {
            var directory = Root;
            foreach (var part in Split(path))
            {
                directory = directory.Find(part) switch
                {
                    RamDirectory existing => existing,
                    RamFile => throw new FsException(FsFailure.IsFile, part + " is a file"),
                    _ => directory.Add(part, new RamDirectory()),
                };
            }
        }
    }

    /// <summary>Creates or replaces the file at <paramref name="path"/> with <paramref name="contents"/>; parents must exist.</summary>
    public void WriteFile(string path, ReadOnlySpan<byte> contents)
    {
        lock (gate)
        {
            var (directory, name) = Parent(Root, path);
            if (directory.Find(name) is RamDirectory)
            {
                throw new FsException(FsFailure.IsDirectory, path + " is a directory");
            }

            var file = directory.Find(name) as RamFile ?? directory.Add(name, new RamFile());
            file.Truncate(0);
            file.Write(0, contents);
        }
    }

    /// <summary>The contents of the file at <paramref name="path"/>.</summary>
    public byte[] ReadFile(string path)
    {
        lock (gate)
        {
            var (directory, name) = Parent(Root, path);
            return directory.Find(name) is RamFile file ? file.Contents.ToArray() : throw new FsException(FsFailure.NotFound, path + " is not a file");
        }
    }

    /// <summary>Whether a file or directory exists at <paramref name="path"/>.</summary>
    public bool Exists(string path)
    {
        lock (gate)
        {
            try
            {
                var (directory, name) = Parent(Root, path);
                return directory.Find(name) is not null;
            }
            catch (FsException)
            {
                return false;
            }
        }
    }

    /// <summary>The names in the directory at <paramref name="path"/>, in the order READDIR returns them.</summary>
    public IReadOnlyList<string> List(string path)
    {
        lock (gate)
        {
            return Walk(Root, Split(path)).Entries.Select(e => e.Name).ToList();
        }
    }

    /// <summary>The parts of a path: split on '/', empty parts skipped (so "/a//b" is "a", "b").</summary>
    internal static List<string> Split(string path) => path.Split('/').Where(p => p.Length > 0).ToList();

    /// <summary>The directory that <paramref name="parts"/> names from <paramref name="start"/>; a file on the way is not found, as in ramfs.</summary>
    internal static RamDirectory Walk(RamDirectory start, IEnumerable<string> parts)
    {
        var directory = start;
        foreach (var part in parts)
        {
            directory = directory.Find(part) as RamDirectory ?? throw new FsException(FsFailure.NotFound, "no directory " + part);
        }

        return directory;
    }

    /// <summary>The directory holding the last part of <paramref name="path"/>, and that part; an empty path is invalid.</summary>
    internal static (RamDirectory Directory, string Name) Parent(RamDirectory start, string path)
    {
        var parts = Split(path);
        if (parts.Count == 0)
        {
            throw new FsException(FsFailure.Invalid, "the path names nothing");
        }

        return (Walk(start, parts.Take(parts.Count - 1)), parts[^1]);
    }
}

/// <summary>A ramfs node: a file or a directory.</summary>
internal abstract class RamNode;

internal sealed class RamFile : RamNode
{
    private byte[] data = Array.Empty<byte>();

    public int Size { get; private set; }

    public ReadOnlySpan<byte> Contents => data.AsSpan(0, Size);

    /// <summary>Copies bytes from <paramref name="offset"/> (clamped to the size) into <paramref name="destination"/>; returns how many.</summary>
    public int Read(long offset, Span<byte> destination)
    {
        var start = (int)Math.Min(offset, Size);
        var count = Math.Min(destination.Length, Size - start);
        data.AsSpan(start, count).CopyTo(destination);
        return count;
    }

    /// <summary>Writes at <paramref name="offset"/>, growing the file (with zeros in any gap).</summary>
    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        var end = checked((int)offset + source.Length);
        if (end > data.Length)
        {
            Array.Resize(ref data, Math.Max(end, Math.Min(data.Length * 2, int.MaxValue / 2)));
        }

        source.CopyTo(data.AsSpan((int)offset));
        Size = Math.Max(Size, end);
    }

    /// <summary>Shortens the file; a size above the current one is invalid, as ramfs has it.</summary>
    public void Truncate(long size)
    {
        if (size > Size)
        {
            throw new FsException(FsFailure.Invalid, "truncate can only shorten a file");
        }

        data.AsSpan((int)size, Size - (int)size).Clear();
        Size = (int)size;
    }
}

internal sealed class RamDirectory : RamNode
{
    public List<(string Name, RamNode Node)> Entries { get; } = new();

    public RamNode? Find(string name)
    {
        foreach (var (entryName, node) in Entries)
        {
            if (entryName == name)
            {
                return node;
            }
        }

        return null;
    }

    public T Add<T>(string name, T node)
        where T : RamNode
    {
        if (Find(name) is not null)
        {
            throw new FsException(FsFailure.Exists, name + " exists");
        }

        Entries.Add((name, node));
        return node;
    }

    /// <summary>Removes an entry as ramfs does: the last entry takes its place.</summary>
    public void Remove(string name)
    {
        var index = Entries.FindIndex(e => e.Name == name);
        if (index < 0)
        {
            throw new FsException(FsFailure.NotFound, "no entry " + name);
        }

        Entries[index] = Entries[^1];
        Entries.RemoveAt(Entries.Count - 1);
    }
}
