using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Svsm.Runtime.SharedMemory;

/// <summary>
/// Guest RAM in a file that two processes map (MAP_SHARED): the guest side and the SVSM side of the calling-area
/// transport. The file starts with a control region, then holds guest RAM as GPA 0 to <see cref="RamSize"/>.
/// </summary>
/// <remarks>
/// <para>File layout (little-endian; every offset below is from the start of the file):</para>
/// <code>
/// header, 4 KiB at 0:
///   0  u32 magic "SVSM" (0x4D535653)     4  u32 layout version (1)
///   8  u64 guest RAM size in bytes       16 u32 vCPU count           20 u32 control block size (256)
///   24 u64 file offset of GPA 0          32 u32 doorbell (futex word the server sleeps on; guests add 1)
///   36 u32 server sleeping (1 while the server is in, or about to be in, futex wait on the doorbell)
///   40 u32 server generation (each server adds 1 when it starts)
///   44 u32 process id of the server that owns the file (0: none)
///   48 i64 server heartbeat (Environment.TickCount64 of its last loop; 0: never ran)
/// per vCPU i, a 256-byte control block at 4096 + 256 * i (the stand-in for the vCPU's VMSA):
///   0  u32 state = (sequence &lt;&lt; 2) | phase, the futex word the guest sleeps on
///          phases: 0 answered (or idle), 1 requested, 2 claimed by a server, 3 withdrawn (by the guest after a
///          timeout, or by a restarted server for a call its dead predecessor had claimed)
///   4  u32 response sequence (the last sequence a server answered; informative)
///   8  u32 guest sleeping (1 while the guest is in, or about to be in, futex wait on the state)
///   12 u32 generation of the server that claimed the last request
///   16 u64 RAX of the last request (for diagnostics)
///   64 SvsmRegisters, 128 bytes: the guest's registers in, the SVSM's out
/// guest RAM at the first 4 KiB boundary after the control blocks.
/// </code>
/// <para>
/// Accesses are checked whole before a byte moves, exactly as <see cref="PrivateGuestMemory"/> checks them.
/// Dispose only once no transport or server uses the instance.
/// </para>
/// </remarks>
public sealed unsafe class MappedGuestMemory : IGuestMemory, IDisposable
{
    public const uint Magic = 0x4D53_5653;
    public const uint LayoutVersion = 1;
    public const int HeaderSize = 4096;
    public const int ControlBlockSize = 256;

    /// <summary>The most vCPUs a file has control blocks for.</summary>
    public const int MaxVcpus = 1024;

    internal const int DoorbellOffset = 32;
    internal const int ServerSleepingOffset = 36;
    internal const int GenerationOffset = 40;
    internal const int ServerPidOffset = 44;
    internal const int HeartbeatOffset = 48;

    internal const int StateOffset = 0;
    internal const int ResponseSequenceOffset = 4;
    internal const int GuestSleepingOffset = 8;
    internal const int ClaimGenerationOffset = 12;
    internal const int CallCodeOffset = 16;
    internal const int RegistersOffset = 64;

    private readonly MemoryMappedFile file;
    private readonly MemoryMappedViewAccessor view;
    private readonly byte* start;
    private readonly byte* ram;
    private int disposed;

    private MappedGuestMemory(string path, MemoryMappedFile file, ulong capacity, ulong ramOffset, ulong ramSize, int vcpus)
    {
        this.file = file;
        try
        {
            view = file.CreateViewAccessor(0, (long)capacity, MemoryMappedFileAccess.ReadWrite);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            start = pointer + view.PointerOffset;
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }

        ram = start + ramOffset;
        Path = path;
        RamSize = ramSize;
        VcpuCount = vcpus;
    }

    /// <summary>The file mapped.</summary>
    public string Path { get; }

    /// <summary>Guest RAM in bytes: GPAs 0 to this minus one are mapped.</summary>
    public ulong RamSize { get; }

    /// <summary>The vCPUs the file has control blocks for.</summary>
    public int VcpuCount { get; }

    /// <summary>The first GPA past every vCPU's boot calling area (one page each from page 1), where a guest's own buffers go.</summary>
    public ulong FirstFreeGpa => CallingAreaPage.BootGpa(VcpuCount);

    /// <summary>An allocator over the guest RAM from <see cref="FirstFreeGpa"/> to the end.</summary>
    public GuestAllocator FreeRamAllocator() => new(this, FirstFreeGpa, RamSize - FirstFreeGpa);

    /// <summary>How many servers have started on the file.</summary>
    public uint ServerGeneration => (uint)Volatile.Read(ref Word(GenerationOffset));

    /// <summary>The process id of the server that owns the file, or 0 when none does.</summary>
    public int ServerProcessId => Volatile.Read(ref Word(ServerPidOffset));

    /// <summary>How long ago the server last ran its loop, or null when no server ever ran on the file.</summary>
    public TimeSpan? ServerHeartbeatAge
    {
        get
        {
            var beat = Volatile.Read(ref Unsafe.AsRef<long>(start + HeartbeatOffset));
            return beat == 0 ? null : TimeSpan.FromMilliseconds(Math.Max(0, Environment.TickCount64 - beat));
        }
    }

    /// <summary>The bytes of the control region, which precedes guest RAM in the file.</summary>
    public static ulong ControlRegionSize(int vcpus) => RoundUpToPage((ulong)HeaderSize + ((ulong)vcpus * ControlBlockSize));

    /// <summary>
    /// Creates (or truncates) <paramref name="path"/> to hold <paramref name="ramSize"/> bytes of zeroed guest RAM
    /// and control blocks for <paramref name="vcpus"/> vCPUs, and maps it.
    /// </summary>
    public static MappedGuestMemory Create(string path, ulong ramSize, int vcpus)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (ramSize == 0 || ramSize % PrivateGuestMemory.PageSize != 0 || ramSize > long.MaxValue / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(ramSize), ramSize, "guest RAM is a whole number of 4 KiB pages, at least one");
        }

        if (vcpus < 1 || vcpus > MaxVcpus)
        {
            throw new ArgumentOutOfRangeException(nameof(vcpus), vcpus, "a file has 1 to " + MaxVcpus + " vCPUs");
        }

        var control = ControlRegionSize(vcpus);
        var capacity = control + ramSize;
        var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        MemoryMappedFile file;
        try
        {
            stream.SetLength((long)capacity);
            file = MemoryMappedFile.CreateFromFile(stream, null, (long)capacity, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        var memory = new MappedGuestMemory(path, file, capacity, control, ramSize, vcpus);
        var header = memory.start;
        Unsafe.WriteUnaligned(header + 4, LayoutVersion);
        Unsafe.WriteUnaligned(header + 8, ramSize);
        Unsafe.WriteUnaligned(header + 16, (uint)vcpus);
        Unsafe.WriteUnaligned(header + 20, (uint)ControlBlockSize);
        Unsafe.WriteUnaligned(header + 24, control);

        // The magic goes last, so a process that opens the file meanwhile sees no half-written header as valid.
        Volatile.Write(ref memory.Word(0), unchecked((int)Magic));
        return memory;
    }

    /// <summary>Maps an existing file made by <see cref="Create"/>; throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static MappedGuestMemory Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            Span<byte> header = stackalloc byte[32];
            if (stream.Length < HeaderSize || stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            {
                throw new InvalidDataException(path + " is not a guest memory file: it is shorter than its header");
            }

            var magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var version = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            var ramSize = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
            var vcpus = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
            var blockSize = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
            var ramOffset = BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
            if (magic != Magic)
            {
                throw new InvalidDataException(string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0} is not a guest memory file: magic 0x{1:X8}, expected 0x{2:X8}", path, magic, Magic));
            }

            if (version != LayoutVersion || blockSize != ControlBlockSize)
            {
                throw new InvalidDataException(path + " has guest memory layout version " + version + " with " + blockSize + "-byte control blocks; this runtime reads version " + LayoutVersion + " with " + ControlBlockSize);
            }

            if (vcpus < 1 || vcpus > MaxVcpus || ramSize == 0 || ramSize % PrivateGuestMemory.PageSize != 0 || ramSize > long.MaxValue / 2
                || ramOffset != ControlRegionSize((int)vcpus))
            {
                throw new InvalidDataException(path + " has a corrupt guest memory header (" + vcpus + " vCPUs, RAM 0x" + ramSize.ToString("X", System.Globalization.CultureInfo.InvariantCulture) + " at 0x" + ramOffset.ToString("X", System.Globalization.CultureInfo.InvariantCulture) + ")");
            }

            var capacity = ramOffset + ramSize;
            if ((ulong)stream.Length < capacity)
            {
                throw new InvalidDataException(path + " is truncated: " + stream.Length + " bytes, its header says " + capacity);
            }

            stream.Position = 0;
            var file = MemoryMappedFile.CreateFromFile(stream, null, (long)capacity, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            return new MappedGuestMemory(path, file, capacity, ramOffset, ramSize, (int)vcpus);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public bool IsMapped(ulong gpa, ulong length)
    {
        if (length == 0)
        {
            return true;
        }

        return gpa + length - 1 >= gpa && gpa < RamSize && length <= RamSize - gpa;
    }

    public void Read(ulong gpa, Span<byte> destination)
    {
        CheckMapped(gpa, (ulong)destination.Length);
        new ReadOnlySpan<byte>(ram + gpa, destination.Length).CopyTo(destination);
    }

    public void Write(ulong gpa, ReadOnlySpan<byte> source)
    {
        CheckMapped(gpa, (ulong)source.Length);
        source.CopyTo(new Span<byte>(ram + gpa, source.Length));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        file.Dispose();
    }

    /// <summary>A 32-bit word of the control region at <paramref name="offset"/> from the start of the file.</summary>
    internal ref int Word(int offset) => ref Unsafe.AsRef<int>(start + offset);

    internal int* WordPointer(int offset) => (int*)(start + offset);

    internal ref long HeartbeatWord => ref Unsafe.AsRef<long>(start + HeartbeatOffset);

    /// <summary>The control block of vCPU <paramref name="vcpu"/>.</summary>
    internal byte* ControlBlock(int vcpu)
    {
        if ((uint)vcpu >= (uint)VcpuCount)
        {
            throw new ArgumentOutOfRangeException(nameof(vcpu), vcpu, "the file has control blocks for vCPUs 0 to " + (VcpuCount - 1));
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        return start + HeaderSize + (vcpu * ControlBlockSize);
    }

    /// <summary>A pointer to <paramref name="length"/> bytes of guest RAM at <paramref name="gpa"/>, checked as an access.</summary>
    internal byte* GuestPointer(ulong gpa, ulong length)
    {
        CheckMapped(gpa, length);
        return ram + gpa;
    }

    private void CheckMapped(ulong gpa, ulong length)
    {
        PrivateGuestMemory.CheckRange(gpa, length, 1);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (length != 0 && (gpa >= RamSize || length > RamSize - gpa))
        {
            var page = gpa >= RamSize ? gpa & ~(ulong)(PrivateGuestMemory.PageSize - 1) : RamSize;
            throw new GuestMemoryException(GuestMemoryError.Unmapped, gpa, length, "page 0x" + page.ToString("X", System.Globalization.CultureInfo.InvariantCulture) + " is not mapped");
        }
    }

    private static ulong RoundUpToPage(ulong value) => (value + PrivateGuestMemory.PageSize - 1) & ~(ulong)(PrivateGuestMemory.PageSize - 1);
}
