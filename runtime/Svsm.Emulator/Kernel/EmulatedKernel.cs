using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Svsm.Runtime;

namespace Svsm.Emulator.Kernel;

/// <summary>
/// The kernel side of the COCONUT-SVSM syscall ABI (<c>specs/syscalls.md</c>), served through the dispatcher our
/// generator makes from that spec: a ramfs-like file system, per-task object handles, the capability words, and
/// the MSR, I/O and MMIO devices the proposed access calls reach. Start a task over a user address space and
/// make syscalls through it, with a <c>SyscallClient</c> generated from the same spec.
/// </summary>
public sealed class EmulatedKernel
{
    /// <summary>The end of user memory, <c>USER_MEM_END</c> (256 level-3 entries of 512 GiB: 2^47).</summary>
    public const ulong UserMemoryEnd = 1UL << 47;

    private readonly object gate = new();
    private readonly List<EmulatedUserTask> tasks = new();
    private uint nextTaskId = 1;

    /// <param name="availableVmBitmap">Capability word 0: the VM indices tasks may open (default: VMPL1, bit 1).</param>
    /// <param name="globalFeatureBitmap">Capability word 1: the platform type in bits 2:0 (default: SEV-SNP, 1).</param>
    public EmulatedKernel(ulong availableVmBitmap = 0b10, ulong globalFeatureBitmap = SyscallPlatformTypes.Snp)
    {
        AvailableVmBitmap = availableVmBitmap;
        GlobalFeatureBitmap = globalFeatureBitmap;
    }

    public RamFileSystem FileSystem { get; } = new();

    public EmulatedPlatformDevices Devices { get; } = new();

    public ulong AvailableVmBitmap { get; }

    public ulong GlobalFeatureBitmap { get; }

    /// <summary>What the kernel logs: task exits, starts and refused calls.</summary>
    public EmulatorLog Log { get; } = new(EmulatorLogLevel.Info);

    /// <summary>Every task started so far, by the host or by SYS_EXEC.</summary>
    public IReadOnlyList<EmulatedUserTask> Tasks
    {
        get
        {
            lock (gate)
            {
                return tasks.ToList();
            }
        }
    }

    /// <summary>
    /// Starts a task over <paramref name="userMemory"/>, addressed by user virtual address (0 up to
    /// <see cref="UserMemoryEnd"/>), rooted at <paramref name="rootDirectory"/>. Handle 0 is its standard output.
    /// </summary>
    public EmulatedUserTask StartTask(string name, IGuestMemory userMemory, string rootDirectory = "/")
    {
        ArgumentNullException.ThrowIfNull(userMemory);
        RamDirectory root;
        lock (FileSystem.Gate)
        {
            root = RamFileSystem.Walk(FileSystem.Root, RamFileSystem.Split(rootDirectory));
        }

        return AddTask(name, userMemory, root, executable: null);
    }

    internal EmulatedUserTask AddTask(string name, IGuestMemory userMemory, RamDirectory root, string? executable)
    {
        lock (gate)
        {
            var task = new EmulatedUserTask(this, nextTaskId++, name, userMemory, root, executable);
            tasks.Add(task);
            Log.Write(EmulatorLogLevel.Info, "task " + task.Id + " (" + name + ") started");
            return task;
        }
    }
}

/// <summary>
/// One user-mode task of the <see cref="EmulatedKernel"/>: the <c>int 0x80</c> trap as a transport. Each call is
/// dispatched by the generated <c>SyscallDispatcher</c>; afterwards RCX and R11 hold garbage, as the ABI allows,
/// so a caller that relies on them is caught.
/// </summary>
public sealed class EmulatedUserTask : ISvsmTransport
{
    /// <summary>What RCX and R11 hold after a trap.</summary>
    public const ulong ClobberPattern = 0xC10B_BE4E_DC10_BBE4;

    private readonly SyscallService service;
    private readonly object gate = new();

    internal EmulatedUserTask(EmulatedKernel kernel, uint id, string name, IGuestMemory memory, RamDirectory root, string? executable)
    {
        Kernel = kernel;
        Id = id;
        Name = name;
        Memory = memory;
        Executable = executable;
        service = new SyscallService(this, root);
    }

    public EmulatedKernel Kernel { get; }

    public uint Id { get; }

    public string Name { get; }

    /// <summary>The task's user memory, by user virtual address.</summary>
    public IGuestMemory Memory { get; }

    /// <summary>The file SYS_EXEC started the task from; null for a task the host started.</summary>
    public string? Executable { get; }

    /// <summary>The exit code SYS_EXIT gave (its low 16 bits), or null while the task runs.</summary>
    public int? ExitCode { get; internal set; }

    /// <summary>What the task wrote to handle 0, its standard output.</summary>
    public string Output => Encoding.UTF8.GetString(service.StandardOutput);

    /// <summary>The task's open handles, in ascending order.</summary>
    public IReadOnlyList<uint> OpenHandles
    {
        get
        {
            lock (gate)
            {
                return service.Handles;
            }
        }
    }

    /// <summary>Serves the syscall in <paramref name="registers"/>; a task that exited makes no more calls.</summary>
    public void Call(ref SvsmRegisters registers)
    {
        lock (gate)
        {
            if (ExitCode is { } code)
            {
                throw new InvalidOperationException("task " + Id + " (" + Name + ") exited with code " + code + "; SYS_EXIT does not return");
            }

            SyscallDispatcher.Dispatch(service, ref registers);
            registers.Rcx = ClobberPattern;
            registers.R11 = ClobberPattern;
        }
    }
}
