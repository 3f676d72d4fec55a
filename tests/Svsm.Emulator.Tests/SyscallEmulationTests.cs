using System.Buffers.Binary;
using System.Text;
using Svsm.Emulator;
using Svsm.Emulator.Kernel;
using Svsm.Protocols;
using Svsm.Runtime;
using Xunit;

namespace Svsm.Emulator.Tests;

/// <summary>
/// The emulated kernel's side of the COCONUT-SVSM syscall ABI, called the way a user-mode task calls it: through
/// the <c>SyscallClient</c> generated from specs/syscalls.md. Behaviour follows COCONUT-SVSM's
/// kernel/src/syscall/ at f4bc4bcd; the access calls follow seed 001's proposal.
/// </summary>
public sealed class SyscallEmulationTests
{
    private const byte Canary = 0xCC;
    private const ulong UserBase = 0x40_0000;
    private const ulong UserSize = 16 * 4096;

    private readonly EmulatedKernel kernel = new();
    private readonly PrivateGuestMemory memory = new();
    private readonly EmulatedUserTask task;
    private readonly SyscallClient sys;
    private ulong next = UserBase;

    public SyscallEmulationTests()
    {
        memory.Map(UserBase, UserSize);
        memory.Write(UserBase, Enumerable.Repeat(Canary, (int)UserSize).ToArray());
        task = kernel.StartTask("test", memory);
        sys = new SyscallClient(task);
    }

    /// <summary>User memory for <paramref name="bytes"/>, with canary bytes left on both sides.</summary>
    private ulong Place(ReadOnlySpan<byte> bytes)
    {
        var at = next + 16;
        memory.Write(at, bytes);
        next = (at + (ulong)bytes.Length + 16 + 15) & ~15UL;
        return at;
    }

    private ulong Room(int bytes) => Place(Enumerable.Repeat(Canary, bytes).ToArray());

    private ulong Path(string path) => Place(Encoding.UTF8.GetBytes(path + "\0"));

    private byte[] Peek(ulong at, int length)
    {
        var bytes = new byte[length];
        memory.Read(at, bytes);
        return bytes;
    }

    private static void AssertError(SyscallError expected, SyscallResult result) =>
        Assert.True(result.IsError && result.ErrorNumber == (long)expected, $"expected {expected}, got {result}");

    private uint Open(string path, SyscallFileModeFlags mode, bool create = false) =>
        (uint)sys.Open(Path(path), (ulong)mode, create ? (ulong)SyscallFileOpenFlags.FileFlagCreate : 0).ThrowIfFailed("open " + path);

    [Fact]
    public void FilesAreCreatedWrittenSoughtReadTruncatedAndRemoved()
    {
        Assert.Equal(0UL, sys.Mkdir(Path("/etc")).ThrowIfFailed("mkdir"));
        var handle = Open("/etc/motd", SyscallFileModeFlags.Read | SyscallFileModeFlags.Write, create: true);
        Assert.Equal(1U, handle); // handle 0 is the task's standard output

        var text = Encoding.UTF8.GetBytes("hello, svsm");
        Assert.Equal((ulong)text.Length, sys.Write(handle, Place(text), (ulong)text.Length).Value);
        Assert.Equal(7UL, sys.Seek(handle, 7, SyscallSeekModes.Absolute).Value);
        var buffer = Room(64);
        Assert.Equal(4UL, sys.Read(handle, buffer, 64).Value);
        Assert.Equal("svsm", Encoding.UTF8.GetString(Peek(buffer, 4)));
        Assert.Equal(Canary, Peek(buffer + 4, 1)[0]);
        Assert.Equal(0UL, sys.Read(handle, buffer, 64).Value);

        Assert.Equal(2UL, sys.Seek(handle, -9, SyscallSeekModes.Relative).Value);
        Assert.Equal(0UL, sys.Seek(handle, -100, SyscallSeekModes.Relative).Value);
        Assert.Equal(6UL, sys.Seek(handle, 5, SyscallSeekModes.End).Value);
        Assert.Equal(11UL, sys.Seek(handle, 1000, SyscallSeekModes.Absolute).Value);
        AssertError(SyscallError.Einval, sys.Seek(handle, 0, 7));
        Assert.Equal(11UL, sys.Seek(handle, 0, SyscallSeekModes.Relative).Value); // a bad mode moves nothing

        Assert.Equal(5UL, sys.Truncate(handle, 5).Value);
        AssertError(SyscallError.Einval, sys.Truncate(handle, 6));
        Assert.Equal("hello", Encoding.UTF8.GetString(kernel.FileSystem.ReadFile("/etc/motd")));
        Assert.Equal(5UL, sys.Seek(handle, 0, SyscallSeekModes.Relative).Value);

        Assert.Equal(0UL, sys.Close(handle).Value);
        Assert.Equal(0UL, sys.Close(handle).Value); // close answers 0 for a handle that is not open
        AssertError(SyscallError.Enotfound, sys.Read(handle, buffer, 1));
        AssertError(SyscallError.Unknown, sys.Rmdir(Path("/etc"))); // not empty
        AssertError(SyscallError.Unknown, sys.Unlink(Path("/etc"))); // a directory
        Assert.Equal(0UL, sys.Unlink(Path("/etc/motd")).Value);
        AssertError(SyscallError.Enotfound, sys.Unlink(Path("/etc/motd")));
        Assert.Equal(0UL, sys.Rmdir(Path("etc")).Value);
        Assert.False(kernel.FileSystem.Exists("/etc"));
    }

    [Fact]
    public void OpenModesAndFlagsBehaveAsTheKernelsDo()
    {
        kernel.FileSystem.WriteFile("/log", "0123456789"u8);
        AssertError(SyscallError.Enotfound, sys.Open(Path("/missing"), (ulong)SyscallFileModeFlags.Read, 0));
        AssertError(SyscallError.Einval, sys.Open(Path("/log"), 1UL << 4, 0));
        AssertError(SyscallError.Einval, sys.Open(Path("/log"), 0, 2));
        AssertError(SyscallError.Einval, sys.Open(Path(""), (ulong)SyscallFileModeFlags.Read, 0));
        AssertError(SyscallError.Eexist, sys.Mkdir(Path("/log")));

        var readOnly = Open("/log", SyscallFileModeFlags.Read);
        AssertError(SyscallError.Erdonly, sys.Write(readOnly, Path("x"), 1));
        AssertError(SyscallError.Erdonly, sys.Truncate(readOnly, 0));

        var appending = Open("/log", SyscallFileModeFlags.Write | SyscallFileModeFlags.Append);
        AssertError(SyscallError.Ewronly, sys.Read(appending, Room(4), 4));
        sys.Write(appending, Path("AB"), 2).ThrowIfFailed("append");
        Assert.Equal("0123456789AB", Encoding.UTF8.GetString(kernel.FileSystem.ReadFile("/log")));

        Open("/log", SyscallFileModeFlags.Write | SyscallFileModeFlags.Trunc);
        Assert.Empty(kernel.FileSystem.ReadFile("/log"));
        AssertError(SyscallError.Erdonly, sys.Open(Path("/log"), (ulong)(SyscallFileModeFlags.Read | SyscallFileModeFlags.Trunc), 0));

        // create_root opens what it creates for reading and writing, whatever the mode asked.
        var created = Open("/new", 0, create: true);
        sys.Write(created, Path("z"), 1).ThrowIfFailed("write to created");

        // Handles: lowest free first.
        Assert.Equal(new uint[] { 0, 1, 2, 3, 4 }, task.OpenHandles);
        sys.Close(2);
        Assert.Equal(2U, Open("/log", SyscallFileModeFlags.Read));
    }

    [Fact]
    public void DirectoriesListTheirEntriesAsDirEnts()
    {
        kernel.FileSystem.CreateDirectories("/srv/data");
        kernel.FileSystem.WriteFile("/srv/a.txt", new byte[300]);
        var longName = new string('n', 254) + "é" + new string('m', 10);
        kernel.FileSystem.WriteFile("/srv/" + longName, "x"u8);

        var directory = (uint)sys.Opendir(Path("/srv")).Value;
        AssertError(SyscallError.Enotsupp, sys.Read(directory, Room(8), 8));
        var entries = Room(4 * DirEnt.Size);
        Assert.Equal(2UL, sys.Readdir(directory, entries, 2).Value);
        Assert.Equal(1UL, sys.Readdir(directory, entries + (2 * DirEnt.Size), 2).Value);
        Assert.Equal(0UL, sys.Readdir(directory, entries, 2).Value);
        Assert.Equal(Canary, Peek(entries + (3 * DirEnt.Size), 1)[0]);

        var read = Enumerable.Range(0, 3).Select(i => memory.Read<DirEnt>(entries + (ulong)(i * DirEnt.Size))).ToList();
        string Name(int index)
        {
            var bytes = Peek(entries + (ulong)(index * DirEnt.Size), 256);
            return Encoding.UTF8.GetString(bytes, 0, Array.IndexOf(bytes, (byte)0));
        }

        Assert.Equal(("data", (byte)SyscallFileTypes.Directory, 0UL), (Name(0), read[0].FileType, read[0].FileSize));
        Assert.Equal(("a.txt", (byte)SyscallFileTypes.File, 300UL), (Name(1), read[1].FileType, read[1].FileSize));
        // 255 bytes at most, cut before the two-byte 'é' that would straddle the limit.
        Assert.Equal(new string('n', 254), Name(2));
        Assert.Empty(read[2].Validate());

        var file = Open("/srv/a.txt", SyscallFileModeFlags.Read);
        AssertError(SyscallError.Enotsupp, sys.Readdir(file, entries, 1));
        AssertError(SyscallError.Enotfound, sys.Opendir(Path("/srv/a.txt")));
        AssertError(SyscallError.Einval, sys.Opendir(Path("")));
        AssertError(SyscallError.Einval, sys.Readdir(directory, EmulatedKernel.UserMemoryEnd - DirEnt.Size, 2));
    }

    [Fact]
    public void BadUserPointersGetEinvalOutsideUserMemoryAndEfaultWhereUnmapped()
    {
        AssertError(SyscallError.Einval, sys.Mkdir(EmulatedKernel.UserMemoryEnd));
        AssertError(SyscallError.Einval, sys.Mkdir(ulong.MaxValue));
        AssertError(SyscallError.Efault, sys.Mkdir(0x1000));

        // No NUL within PATH_MAX bytes, and bytes that are not UTF-8.
        AssertError(SyscallError.Einval, sys.Mkdir(Place(Enumerable.Repeat((byte)'a', 4096).ToArray())));
        Assert.Equal(0UL, sys.Mkdir(Place(Enumerable.Repeat((byte)'a', 4095).Append((byte)0).ToArray())).Value);
        AssertError(SyscallError.Einval, sys.Mkdir(Place(new byte[] { 0xC3, 0x28, 0 })));

        // A read into a buffer that runs off mapped memory copies what fits, then faults; nothing past it changes.
        kernel.FileSystem.WriteFile("/big", Enumerable.Repeat((byte)0x5A, 8192).ToArray());
        var handle = Open("/big", SyscallFileModeFlags.Read);
        var end = UserBase + UserSize;
        AssertError(SyscallError.Efault, sys.Read(handle, end - 4096, 8192));
        Assert.All(Peek(end - 4096, 4096), b => Assert.Equal(0x5A, b));
        Assert.Equal(Canary, Peek(end - 4097, 1)[0]);

        // The handle's mode is checked before the buffer, as FileHandle::write_buffer does.
        AssertError(SyscallError.Erdonly, sys.Write(handle, 0x1000, 4));
        AssertError(SyscallError.Efault, sys.Write(Open("/big", SyscallFileModeFlags.Write), 0x1000, 4));
    }

    [Fact]
    public void CapabilitiesAnswerTheCountThenEachWord()
    {
        Assert.Equal(2UL, sys.Capabilities(0).Value);
        Assert.Equal(0b10UL, sys.Capabilities(1).Value);
        Assert.Equal(SyscallPlatformTypes.Snp, sys.Capabilities(2).Value & SyscallPlatformTypes.Mask);
        AssertError(SyscallError.Enotfound, sys.Capabilities(3));
        AssertError(SyscallError.Enotfound, sys.Capabilities(uint.MaxValue));
    }

    [Fact]
    public void AccessCallsReachMsrsIoPortsAndMmio()
    {
        kernel.Devices.DefineMsr(0xC001_0131, 0x3, writable: false); // SEV_STATUS
        kernel.Devices.DefineMsr(0x8B, 0);
        var data = Room(8);

        Assert.Equal(0UL, sys.AccessMsr(0xC001_0131, true, data).Value);
        Assert.Equal(3UL, BinaryPrimitives.ReadUInt64LittleEndian(Peek(data, 8)));
        AssertError(SyscallError.Eperm, sys.AccessMsr(0xC001_0131, false, data));
        AssertError(SyscallError.Einval, sys.AccessMsr(0x1234, true, data));
        memory.Write(data, BitConverter.GetBytes(0x1122_3344_5566_7788UL));
        Assert.Equal(0UL, sys.AccessMsr(0x8B, false, data).Value);
        Assert.Equal(0x1122_3344_5566_7788UL, kernel.Devices.ReadMsr(0x8B));
        AssertError(SyscallError.Efault, sys.AccessMsr(0x8B, true, 0x1000));

        kernel.Devices.ClaimIoPorts(0x3F8, 8);
        var io = Room(4);
        memory.Write(io, BitConverter.GetBytes(0xA1B2U));
        Assert.Equal(0UL, sys.AccessIo(0x3F8, 2, false, io).Value);
        memory.Write(io, new byte[] { Canary, Canary, Canary, Canary });
        Assert.Equal(0UL, sys.AccessIo(0x3F9, 1, true, io).Value);
        Assert.Equal(new byte[] { 0xA1, Canary, Canary, Canary }, Peek(io, 4)); // a 1-byte read writes 1 byte
        Assert.Equal(0UL, sys.AccessIo(0x80, 4, true, io).Value);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, Peek(io, 4)); // an unclaimed port floats high
        AssertError(SyscallError.Einval, sys.AccessIo(0x3F8, 3, true, io));
        AssertError(SyscallError.Einval, sys.AccessIo(0xFFFE, 4, true, io));
        Assert.Equal(Canary, Peek(io + 4, 1)[0]);

        kernel.Devices.AddMmioRegion(0xFED0_0000, 0x1000);
        var mmio = Room(8);
        memory.Write(mmio, BitConverter.GetBytes(0x0102_0304_0506_0708UL));
        Assert.Equal(0UL, sys.AccessMmio(0xFED0_0008, 8, false, mmio).Value);
        Assert.Equal(new byte[] { 8, 7, 6, 5 }, kernel.Devices.ReadMmio(0xFED0_0008, 4));
        Assert.Equal(0UL, sys.AccessMmio(0xFED0_000C, 4, true, mmio).Value);
        Assert.Equal(0x0102_0304U, BinaryPrimitives.ReadUInt32LittleEndian(Peek(mmio, 4)));
        AssertError(SyscallError.Einval, sys.AccessMmio(0xFED0_0009, 8, true, mmio)); // misaligned
        AssertError(SyscallError.Einval, sys.AccessMmio(0xFED0_0FFC, 8, true, mmio)); // runs past the region
        AssertError(SyscallError.Einval, sys.AccessMmio(0xFEE0_0000, 4, true, mmio)); // no region
        AssertError(SyscallError.Einval, sys.AccessMmio(0xFED0_0000, 16, true, mmio));
    }

    [Fact]
    public void TheTrapClobbersRcxAndR11AndAnUnknownCallGetsEinval()
    {
        SvsmRegisters registers = default;
        registers.Rax = (3UL << 32) | 0;
        registers.Rdi = 0;
        registers.Rdx = 0x1234;
        task.Call(ref registers);
        Assert.Equal(2UL, registers.Rax);
        Assert.Equal(EmulatedUserTask.ClobberPattern, registers.Rcx);
        Assert.Equal(EmulatedUserTask.ClobberPattern, registers.R11);
        Assert.Equal(0x1234UL, registers.Rdx);

        registers = default;
        registers.Rax = (2UL << 32) | 0; // class 2 has no calls
        task.Call(ref registers);
        Assert.Equal(ulong.MaxValue, registers.Rax);
        Assert.Equal("EINVAL (-1)", new SyscallResult(registers.Rax, SyscallAbi.Errors).ToString());

        // The kernel reads a 32-bit parameter as the low half of its register.
        registers = default;
        registers.Rax = 3UL << 32;
        registers.Rdi = 0xFFFF_FFFF_0000_0001;
        task.Call(ref registers);
        Assert.Equal(0b10UL, registers.Rax);
    }

    [Fact]
    public void ExitEndsTheTaskAndExecStartsOneFromAnElfFile()
    {
        kernel.FileSystem.CreateDirectories("/bin");
        kernel.FileSystem.WriteFile("/bin/agent", "\u007fELF\u0002\u0001\u0001"u8);
        kernel.FileSystem.WriteFile("/bin/script", "#!/bin/sh"u8);
        var tid = sys.Exec(Path("/bin/agent"), Path("/"), 0).Value;
        var started = Assert.Single(kernel.Tasks, t => t.Id == tid);
        Assert.Equal("/bin/agent", started.Executable);
        AssertError(SyscallError.Unknown, sys.Exec(Path("/bin/script"), Path("/"), 0));
        AssertError(SyscallError.Enotfound, sys.Exec(Path("/bin/none"), Path("/"), 0));
        AssertError(SyscallError.Enotfound, sys.Exec(Path("/bin/agent"), Path("/nowhere"), 0));

        sys.Write(0, Path("bye\n"), 4).ThrowIfFailed("stdout");
        AssertError(SyscallError.Ewronly, sys.Read(0, Room(4), 4));
        Assert.Equal("bye\n", task.Output);

        sys.Exit(0x1_0042);
        Assert.Equal(0x42, task.ExitCode);
        var after = Assert.Throws<InvalidOperationException>(() => sys.Capabilities(0));
        Assert.Contains("SYS_EXIT does not return", after.Message);
    }

    [Fact]
    public void TheClientPutsParametersWhereTheConventionSays()
    {
        var recorder = new RecordingTransport();
        new SyscallClient(recorder).AccessIo(0x3F8, 2, true, 0xDEAD_0000);
        var registers = recorder.Last;
        Assert.Equal(12UL, registers.Rax);
        var arguments = CallingConvention.CoconutSyscall.Arguments;
        Assert.Equal(new ulong[] { 0x3F8, 2, 1, 0xDEAD_0000 }, arguments.Take(4).Select(r => registers[r]));
        Assert.Equal(0UL, registers.Rdx);
        Assert.Equal(0UL, registers.Rcx);

        new SyscallClient(recorder).Seek(7, -2, SyscallSeekModes.End);
        Assert.Equal(unchecked((ulong)-2L), recorder.Last.Rsi); // sign-extended
        var descriptor = SyscallAbi.Find((1UL << 32) | 3);
        Assert.Equal("SYS_SEEK", descriptor?.Name);
        Assert.Equal(new[] { X86Register.Rdi, X86Register.Rsi, X86Register.R8 }, descriptor!.Registers.Select(r => r.Register));
    }

    private sealed class RecordingTransport : ISvsmTransport
    {
        public SvsmRegisters Last { get; private set; }

        public void Call(ref SvsmRegisters registers)
        {
            Last = registers;
            registers.Rax = 0;
        }
    }
}
