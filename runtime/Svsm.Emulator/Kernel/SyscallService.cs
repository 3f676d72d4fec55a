using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Svsm.Runtime;

namespace Svsm.Emulator.Kernel;

/// <summary>
/// One task's syscalls, as COCONUT-SVSM's <c>kernel/src/syscall/</c> serves them: user pointers checked against
/// user memory (outside it: EINVAL; unmapped: EFAULT), paths read as NUL-terminated UTF-8 of at most
/// <c>PATH_MAX</c> bytes, handles allocated lowest-free first with 0 the task's standard output, and file-system
/// failures mapped to error numbers as <c>kernel/src/error.rs</c> maps them. The proposed access calls (seed 001)
/// reach <see cref="EmulatedPlatformDevices"/>.
/// </summary>
internal sealed class SyscallService : ISyscallHandler
{
    private const int Chunk = 4096;

    private readonly EmulatedUserTask task;
    private readonly RamDirectory root;
    private readonly SortedDictionary<uint, TaskObject> objects = new();
    private readonly RamFile standardOutput = new();

    public SyscallService(EmulatedUserTask task, RamDirectory root)
    {
        this.task = task;
        this.root = root;
        // attach_stdout: handle 0 is the task's log, open for writing only.
        objects[0] = new FileObject(standardOutput, read: false, write: true);
    }

    private RamFileSystem FileSystem => task.Kernel.FileSystem;

    public byte[] StandardOutput
    {
        get
        {
            lock (FileSystem.Gate)
            {
                return standardOutput.Contents.ToArray();
            }
        }
    }

    public IReadOnlyList<uint> Handles => objects.Keys.ToList();

    private static SyscallResult Error(SyscallError error) => SyscallResult.Error((long)error);

    private static SyscallResult Ok(ulong value) => SyscallResult.Success(value);

    // ---- Class 0 ----

    public SyscallResult Exit(uint exitCode)
    {
        task.ExitCode = (int)(exitCode & 0xFFFF);
        task.Kernel.Log.Write(EmulatorLogLevel.Info, "task " + task.Id + " (" + task.Name + ") exited with code " + task.ExitCode);
        return Ok(0);
    }

    public SyscallResult Exec(ulong file, ulong root, uint flags)
    {
        if (!TryReadPath(file, out var filePath, out var error) || !TryReadPath(root, out var rootPath, out error))
        {
            return error;
        }

        lock (FileSystem.Gate)
        {
            return FsCall(() =>
            {
                // find_dir refuses an empty path; the file is looked up from the caller's root, as exec_user does.
                if (rootPath.Length == 0)
                {
                    throw new FsException(FsFailure.Invalid, "the root path is empty");
                }

                var newRoot = RamFileSystem.Walk(this.root, RamFileSystem.Split(rootPath));
                var (directory, name) = RamFileSystem.Parent(this.root, filePath);
                if (directory.Find(name) is not RamFile executable)
                {
                    throw new FsException(FsFailure.NotFound, filePath + " is not a file");
                }

                // exec_user loads an ELF image; anything else fails with an ELF error, which has no number: UNKNOWN.
                if (executable.Size < 4 || !executable.Contents[..4].SequenceEqual("\u007fELF"u8))
                {
                    return Error(SyscallError.Unknown);
                }

                var started = task.Kernel.AddTask(name, new PrivateGuestMemory(), newRoot, filePath);
                return Ok(started.Id);
            });
        }
    }

    public SyscallResult Close(uint handle)
    {
        // The ABI document has close return 0 even for a handle that is not open.
        objects.Remove(handle);
        return Ok(0);
    }

    public SyscallResult AccessMsr(uint msrIndex, bool read, ulong data) => Access(data, 8, read, (ref ulong value) => task.Kernel.Devices.AccessMsr(msrIndex, read, ref value));

    public SyscallResult AccessIo(ushort port, byte size, bool read, ulong data) =>
        size is 1 or 2 or 4 ? Access(data, size, read, (ref ulong value) => task.Kernel.Devices.AccessIo(port, size, read, ref value)) : Error(SyscallError.Einval);

    public SyscallResult AccessMmio(ulong paddr, byte size, bool read, ulong data) =>
        size is 1 or 2 or 4 or 8 ? Access(data, size, read, (ref ulong value) => task.Kernel.Devices.AccessMmio(paddr, size, read, ref value)) : Error(SyscallError.Einval);

    private delegate DeviceAccessFailure? DeviceAccess(ref ulong value);

    /// <summary>A device access whose value travels through <paramref name="size"/> bytes of user memory at <paramref name="data"/>.</summary>
    private SyscallResult Access(ulong data, int size, bool read, DeviceAccess access)
    {
        Span<byte> bytes = stackalloc byte[8];
        if (CheckUserRange(data, (ulong)size) is { } bad)
        {
            return bad;
        }

        if (!read && CopyFromUser(data, bytes[..size]) is { } fault)
        {
            return fault;
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        switch (access(ref value))
        {
            case DeviceAccessFailure.Invalid:
                return Error(SyscallError.Einval);
            case DeviceAccessFailure.NotPermitted:
                return Error(SyscallError.Eperm);
        }

        if (read)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
            if (CopyToUser(data, bytes[..size]) is { } writeFault)
            {
                return writeFault;
            }
        }

        return Ok(0);
    }

    // ---- Class 1 ----

    public SyscallResult Open(ulong path, ulong mode, ulong flags)
    {
        if (!TryReadPath(path, out var text, out var error))
        {
            return error;
        }

        const ulong knownModes = (ulong)(SyscallFileModeFlags.Read | SyscallFileModeFlags.Write | SyscallFileModeFlags.Append | SyscallFileModeFlags.Trunc);
        if ((mode & ~knownModes) != 0 || (flags & ~(ulong)SyscallFileOpenFlags.FileFlagCreate) != 0)
        {
            return Error(SyscallError.Einval);
        }

        var modes = (SyscallFileModeFlags)mode;
        lock (FileSystem.Gate)
        {
            return FsCall(() =>
            {
                var (directory, name) = RamFileSystem.Parent(root, text);
                FileObject opened;
                switch (directory.Find(name))
                {
                    case RamFile file:
                        opened = new FileObject(file, modes.HasFlag(SyscallFileModeFlags.Read), modes.HasFlag(SyscallFileModeFlags.Write));
                        break;
                    case null when (flags & (ulong)SyscallFileOpenFlags.FileFlagCreate) != 0:
                        // create_root opens what it creates for reading and writing, whatever the mode.
                        opened = new FileObject(directory.Add(name, new RamFile()), read: true, write: true);
                        break;
                    default:
                        // A directory is not a file to open: ramfs reports it as not found.
                        throw new FsException(FsFailure.NotFound, text + " is not a file");
                }

                if (modes.HasFlag(SyscallFileModeFlags.Trunc))
                {
                    opened.CheckWrite();
                    opened.File.Truncate(0);
                }

                if (modes.HasFlag(SyscallFileModeFlags.Append))
                {
                    opened.Position = opened.File.Size;
                }

                return Ok(AddObject(opened));
            });
        }
    }

    public SyscallResult Read(uint handle, ulong buffer, ulong length)
    {
        if (!TryOpen<FileObject>(handle, out var file, out var error))
        {
            return error;
        }

        lock (FileSystem.Gate)
        {
            return FsCall(() =>
            {
                file.CheckRead();
                // Page-sized steps, as the kernel's UserBuffer copies: a fault part-way keeps what was copied before it.
                var chunk = new byte[Chunk];
                ulong done = 0;
                while (done < length)
                {
                    var count = file.File.Read(file.Position, chunk.AsSpan(0, (int)Math.Min(Chunk, length - done)));
                    if (count == 0)
                    {
                        break;
                    }

                    if (CopyToUser(buffer + done, chunk.AsSpan(0, count)) is { } fault)
                    {
                        return fault;
                    }

                    file.Position += count;
                    done += (ulong)count;
                }

                return Ok(done);
            });
        }
    }

    public SyscallResult Write(uint handle, ulong buffer, ulong length)
    {
        if (!TryOpen<FileObject>(handle, out var file, out var error))
        {
            return error;
        }

        lock (FileSystem.Gate)
        {
            return FsCall(() =>
            {
                file.CheckWrite();
                if (length > (ulong)(int.MaxValue - file.Position))
                {
                    // The emulator keeps a file in one array: past 2 GiB it is out of memory, as a kernel would be.
                    return Error(SyscallError.Enomem);
                }

                var chunk = new byte[Chunk];
                ulong done = 0;
                while (done < length)
                {
                    var piece = chunk.AsSpan(0, (int)Math.Min(Chunk, length - done));
                    if (CopyFromUser(buffer + done, piece) is { } fault)
                    {
                        return fault;
                    }

                    file.File.Write(file.Position, piece);
                    file.Position += piece.Length;
                    done += (ulong)piece.Length;
                }

                return Ok(done);
            });
        }
    }

    public SyscallResult Seek(uint handle, long offset, ulong mode)
    {
        if (!TryOpen<FileObject>(handle, out var file, out var error))
        {
            return error;
        }

        lock (FileSystem.Gate)
        {
            long size = file.File.Size;
            long? position = mode switch
            {
                // The kernel takes the offset as usize for these two: a negative one is huge.
                SyscallSeekModes.Absolute => offset < 0 ? size : Math.Min(offset, size),
                SyscallSeekModes.End => offset < 0 ? 0 : Math.Max(0, size - offset),
                // seek_rel: an underflow lands on 0, and no position passes the end.
                SyscallSeekModes.Relative => Math.Min(offset < 0 && -offset > file.Position ? 0 : file.Position + offset, size),
                _ => null,
            };
            if (position is null)
            {
                return Error(SyscallError.Einval);
            }

            file.Position = position.Value;
            return Ok((ulong)file.Position);
        }
    }

    public SyscallResult Truncate(uint handle, ulong length)
    {
        if (!TryOpen<FileObject>(handle, out var file, out var error))
        {
            return error;
        }

        lock (FileSystem.Gate)
        {
            return FsCall(() =>
            {
                file.CheckWrite();
                if (length > (ulong)file.File.Size)
                {
                    throw new FsException(FsFailure.Invalid, "truncate can only shorten a file");
                }

                file.File.Truncate((long)length);
                file.Position = Math.Min(file.Position, file.File.Size);
                return Ok(length);
            });
        }
    }

    public SyscallResult Unlink(ulong path) => PathCall(path, text =>
    {
        var (directory, name) = RamFileSystem.Parent(root, text);
        if (directory.Find(name) is RamDirectory)
        {
            throw new FsException(FsFailure.IsDirectory, text + " is a directory");
        }

        directory.Remove(name);
        return Ok(0);
    });

    public SyscallResult Opendir(ulong path) => PathCall(path, text =>
    {
        if (text.Length == 0)
        {
            throw new FsException(FsFailure.Invalid, "the path is empty");
        }

        return Ok(AddObject(new DirectoryObject(RamFileSystem.Walk(root, RamFileSystem.Split(text)))));
    });

    public SyscallResult Readdir(uint handle, ulong dirents, ulong count)
    {
        if (!TryOpen<DirectoryObject>(handle, out var directory, out var error))
        {
            return error;
        }

        // UserPtr<[DirEnt]>::new checks the whole array lies in user memory before any entry is written.
        if (count > ulong.MaxValue / DirEnt.Size || CheckUserRange(dirents, count * DirEnt.Size) is { })
        {
            return Error(SyscallError.Einval);
        }

        lock (FileSystem.Gate)
        {
            for (ulong i = 0; i < count; i++)
            {
                if (directory.Cursor >= directory.Directory.Entries.Count)
                {
                    return Ok(i);
                }

                var (name, node) = directory.Directory.Entries[directory.Cursor];
                var entry = default(DirEnt);
                var nameBytes = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref entry.FileName, 1));
                var utf8 = Encoding.UTF8.GetBytes(name);
                var kept = Math.Min(utf8.Length, (int)SyscallLimits.FNameSize - 1);
                while (kept > 0 && kept < utf8.Length && (utf8[kept] & 0xC0) == 0x80)
                {
                    kept--; // cut on a character boundary, as sys_readdir does
                }

                utf8.AsSpan(0, kept).CopyTo(nameBytes);
                entry.FileType = (byte)(node is RamFile ? SyscallFileTypes.File : SyscallFileTypes.Directory);
                entry.FileSize = node is RamFile file ? (ulong)file.Size : 0;
                if (CopyToUser(dirents + (i * DirEnt.Size), MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref entry, 1))) is { } fault)
                {
                    return fault;
                }

                directory.Cursor++;
            }

            return Ok(count);
        }
    }

    public SyscallResult Mkdir(ulong path) => PathCall(path, text =>
    {
        var (directory, name) = RamFileSystem.Parent(root, text);
        directory.Add(name, new RamDirectory());
        return Ok(0);
    });

    public SyscallResult Rmdir(ulong path) => PathCall(path, text =>
    {
        var (directory, name) = RamFileSystem.Parent(root, text);
        switch (directory.Find(name))
        {
            case null:
                throw new FsException(FsFailure.NotFound, text + " does not exist");
            case RamFile:
                throw new FsException(FsFailure.IsFile, text + " is a file");
            case RamDirectory { Entries.Count: > 0 }:
                throw new FsException(FsFailure.NotEmpty, text + " is not empty");
        }

        directory.Remove(name);
        return Ok(0);
    });

    // ---- Class 3 ----

    public SyscallResult Capabilities(uint index) => index switch
    {
        0 => Ok(SyscallCapWordIndices.Count),
        1 + SyscallCapWordIndices.AvailableVmBitmap => Ok(task.Kernel.AvailableVmBitmap),
        1 + SyscallCapWordIndices.GlobalFeatureBitmap => Ok(task.Kernel.GlobalFeatureBitmap),
        _ => Error(SyscallError.Enotfound),
    };

    public SyscallResult UnknownSyscall(ulong code)
    {
        task.Kernel.Log.Write(EmulatorLogLevel.Debug, "task " + task.Id + ": no syscall 0x" + code.ToString("X", System.Globalization.CultureInfo.InvariantCulture));
        return Error(SyscallError.Einval);
    }

    // ---- Objects, user memory and paths ----

    private uint AddObject(TaskObject value)
    {
        // obj_add: the lowest id not in use.
        uint id = 0;
        while (objects.ContainsKey(id))
        {
            id++;
        }

        objects[id] = value;
        return id;
    }

    /// <summary>The object of kind <typeparamref name="T"/> behind <paramref name="handle"/>: ENOTFOUND when nothing is open there, ENOTSUPP for another kind.</summary>
    private bool TryOpen<T>(uint handle, out T value, out SyscallResult error)
        where T : TaskObject
    {
        objects.TryGetValue(handle, out var found);
        value = (found as T)!;
        error = found is null ? Error(SyscallError.Enotfound) : found is T ? default : Error(SyscallError.Enotsupp);
        return found is T;
    }

    private SyscallResult PathCall(ulong path, Func<string, SyscallResult> call)
    {
        if (!TryReadPath(path, out var text, out var error))
        {
            return error;
        }

        lock (FileSystem.Gate)
        {
            return FsCall(() => call(text));
        }
    }

    private static SyscallResult FsCall(Func<SyscallResult> call)
    {
        try
        {
            return call();
        }
        catch (FsException failure)
        {
            // kernel/src/error.rs: the failures without a number of their own come back as UNKNOWN.
            return Error(failure.Failure switch
            {
                FsFailure.NotFound => SyscallError.Enotfound,
                FsFailure.Exists => SyscallError.Eexist,
                FsFailure.Invalid => SyscallError.Einval,
                FsFailure.ReadOnly => SyscallError.Erdonly,
                FsFailure.WriteOnly => SyscallError.Ewronly,
                _ => SyscallError.Unknown,
            });
        }
    }

    /// <summary>read_c_string: byte by byte up to PATH_MAX, each byte in user memory (EINVAL outside it, EFAULT unmapped); no NUL or not UTF-8 is EINVAL.</summary>
    private bool TryReadPath(ulong address, out string path, out SyscallResult error)
    {
        path = string.Empty;
        var bytes = new List<byte>();
        Span<byte> one = stackalloc byte[1];
        for (ulong offset = 0; offset < SyscallLimits.PathMax; offset++)
        {
            if (CopyFromUser(address + offset, one) is { } fault)
            {
                error = fault;
                return false;
            }

            if (one[0] == 0)
            {
                try
                {
                    path = new UTF8Encoding(false, true).GetString(bytes.ToArray());
                    error = default;
                    return true;
                }
                catch (ArgumentException)
                {
                    error = Error(SyscallError.Einval);
                    return false;
                }
            }

            bytes.Add(one[0]);
        }

        error = Error(SyscallError.Einval);
        return false;
    }

    /// <summary>UserPtr::new: the range must lie in user memory (EINVAL otherwise).</summary>
    private static SyscallResult? CheckUserRange(ulong address, ulong length) =>
        address >= EmulatedKernel.UserMemoryEnd || length > EmulatedKernel.UserMemoryEnd - address ? Error(SyscallError.Einval) : null;

    private SyscallResult? CopyFromUser(ulong address, Span<byte> destination)
    {
        if (CheckUserRange(address, (ulong)destination.Length) is { } bad)
        {
            return bad;
        }

        try
        {
            task.Memory.Read(address, destination);
            return null;
        }
        catch (GuestMemoryException)
        {
            return Error(SyscallError.Efault);
        }
    }

    private SyscallResult? CopyToUser(ulong address, ReadOnlySpan<byte> source)
    {
        if (CheckUserRange(address, (ulong)source.Length) is { } bad)
        {
            return bad;
        }

        try
        {
            task.Memory.Write(address, source);
            return null;
        }
        catch (GuestMemoryException)
        {
            return Error(SyscallError.Efault);
        }
    }

    private abstract class TaskObject;

    private sealed class FileObject(RamFile file, bool read, bool write) : TaskObject
    {
        public RamFile File { get; } = file;

        public long Position { get; set; }

        public void CheckRead()
        {
            if (!read)
            {
                throw new FsException(FsFailure.WriteOnly, "the file is open for writing only");
            }
        }

        public void CheckWrite()
        {
            if (!write)
            {
                throw new FsException(FsFailure.ReadOnly, "the file is open for reading only");
            }
        }
    }

    private sealed class DirectoryObject(RamDirectory directory) : TaskObject
    {
        public RamDirectory Directory { get; } = directory;

        public int Cursor { get; set; }
    }
}
