using System;
using System.Diagnostics;
using System.Threading;
using Svsm.Runtime;
using Svsm.Runtime.SharedMemory;

namespace Svsm.Emulator.SharedMemory;

/// <summary>
/// The SVSM side of <see cref="SharedMemoryTransport"/>: serves the calls guests make through a shared
/// <see cref="MappedGuestMemory"/> with an <see cref="SvsmEmulator"/> built over that same memory.
/// </summary>
/// <remarks>
/// <para>
/// One server owns a file at a time: constructing one records its process id and a new generation in the header,
/// and fails while another live process owns the file. A server that starts after another stopped serves every
/// request still waiting (a guest that gave up has withdrawn its request, so it is not served), and withdraws any
/// call its predecessor took but never answered, since that call may have run: it is never run a second time.
/// </para>
/// <para>
/// A call is taken the way an SVSM takes it after VMGEXIT, with <see cref="SvsmEmulator.ServePending"/>, which
/// serves it only when <c>call_pending</c> is set in the vCPU's calling area, and clears it. When it is not set
/// (the guest used another page as its calling area, or the vCPU does not run), the server still answers, with the
/// registers unchanged, as an SVSM that returns to the guest without serving; the guest sees <c>call_pending</c>
/// still set, which Linux treats as an error and <see cref="SharedMemoryTransport"/> reports as one.
/// </para>
/// <para>One thread serves all vCPUs, in turn; a handler that blocks holds up the others.</para>
/// </remarks>
public sealed unsafe class SharedMemoryServer : IDisposable
{
    // How long the server sleeps on the doorbell at most: its heartbeat, and a bound on a lost wake-up.
    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(250);

    private readonly SvsmEmulator emulator;
    private readonly MappedGuestMemory memory;
    private readonly int* doorbell;
    private readonly int* serverSleeping;
    private readonly int generation;
    private readonly CancellationTokenSource stopping = new();
    private int running;
    private int disposed;
    private long callsServed;

    /// <summary>
    /// A server for <paramref name="emulator"/>, which must be built over <paramref name="memory"/>. Takes ownership of
    /// the file: throws <see cref="InvalidOperationException"/> when another live process serves it.
    /// </summary>
    public SharedMemoryServer(SvsmEmulator emulator, MappedGuestMemory memory)
    {
        this.emulator = emulator ?? throw new ArgumentNullException(nameof(emulator));
        this.memory = memory ?? throw new ArgumentNullException(nameof(memory));
        if (!ReferenceEquals(emulator.Memory, memory))
        {
            throw new ArgumentException("the emulator must serve the shared guest memory: build it over this MappedGuestMemory", nameof(emulator));
        }

        Futex.EnsureSupported();
        doorbell = memory.WordPointer(MappedGuestMemory.DoorbellOffset);
        serverSleeping = memory.WordPointer(MappedGuestMemory.ServerSleepingOffset);
        TakeOwnership();
        generation = Interlocked.Increment(ref memory.Word(MappedGuestMemory.GenerationOffset));
        Volatile.Write(ref memory.HeartbeatWord, Environment.TickCount64);
        WithdrawOrphanedCalls();
    }

    public SvsmEmulator Emulator => emulator;

    public MappedGuestMemory Memory => memory;

    /// <summary>This server's generation: the file's server count when it started.</summary>
    public uint Generation => (uint)generation;

    /// <summary>Calls answered so far.</summary>
    public long CallsServed => Interlocked.Read(ref callsServed);

    /// <summary>Whether the server stopped because a newer server started on the file.</summary>
    public bool Superseded { get; private set; }

    /// <summary>
    /// Serves calls on this thread until <paramref name="cancellationToken"/> is cancelled, the server is disposed,
    /// or a newer server takes the file over. A call being served when that happens is finished and answered first.
    /// </summary>
    public void Run(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (Interlocked.Exchange(ref running, 1) != 0)
        {
            throw new InvalidOperationException("the server is already running");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping.Token);
        using var wake = linked.Token.Register(static state => ((SharedMemoryServer)state!).RingDoorbell(), this);
        var token = linked.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                if (memory.ServerGeneration != (uint)generation)
                {
                    Superseded = true;
                    return;
                }

                Volatile.Write(ref memory.HeartbeatWord, Environment.TickCount64);
                var bell = Volatile.Read(ref *doorbell);
                if (ServeRequests() || SpinWhileQuiet(bell))
                {
                    continue;
                }

                // Dekker with the guest's RingDoorbell: either the guest sees `sleeping` and wakes us, or we see its ring.
                Interlocked.Exchange(ref *serverSleeping, 1);
                if (Volatile.Read(ref *doorbell) == bell && !token.IsCancellationRequested)
                {
                    Futex.Wait(doorbell, bell, IdleWait);
                }

                Volatile.Write(ref *serverSleeping, 0);
            }
        }
        finally
        {
            Volatile.Write(ref running, 0);
        }
    }

    /// <summary>Stops <see cref="Run"/> (after the call it serves, if any) and gives up the file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        stopping.Cancel();
        if (memory.ServerGeneration == (uint)generation)
        {
            Interlocked.CompareExchange(ref memory.Word(MappedGuestMemory.ServerPidOffset), 0, Environment.ProcessId);
        }
    }

    // Serves each vCPU with a request waiting; true when it served one.
    private bool ServeRequests()
    {
        var served = false;
        for (var vcpu = 0; vcpu < memory.VcpuCount; vcpu++)
        {
            var block = memory.ControlBlock(vcpu);
            var state = (int*)(block + MappedGuestMemory.StateOffset);
            var seen = Volatile.Read(ref *state);
            if ((seen & SharedMemoryTransport.PhaseMask) == SharedMemoryTransport.PhaseRequested)
            {
                served |= Serve(vcpu, block, state, seen);
            }
        }

        return served;
    }

    private bool Serve(int vcpu, byte* block, int* state, int requested)
    {
        var claimed = (requested & ~SharedMemoryTransport.PhaseMask) | SharedMemoryTransport.PhaseClaimed;
        if (Interlocked.CompareExchange(ref *state, claimed, requested) != requested)
        {
            return false; // withdrawn by the guest at this very moment
        }

        Volatile.Write(ref *(int*)(block + MappedGuestMemory.ClaimGenerationOffset), generation);
        ref var blockRegisters = ref System.Runtime.CompilerServices.Unsafe.AsRef<SvsmRegisters>(block + MappedGuestMemory.RegistersOffset);
        var registers = blockRegisters;
        try
        {
            emulator.ServePending(vcpu, ref registers);
        }
        catch (ArgumentOutOfRangeException) when (emulator.CallingAreaOf(vcpu) is null)
        {
            // The vCPU does not run: answer unchanged, as for a call not pending; the guest reports it.
        }
        catch (Exception exception)
        {
            // A handler bug must not leave the guest waiting: answer, and keep serving.
            registers.Rax = SvsmResult.InvalidRequestCode;
            emulator.Log.Write(EmulatorLogLevel.Error, "vCPU " + vcpu + ": the call failed in the emulator: " + exception);
        }

        // Answer only if the call is still ours: a newer server withdraws what an older one claimed.
        if (memory.ServerGeneration != (uint)generation || Volatile.Read(ref *state) != claimed)
        {
            return true;
        }

        blockRegisters = registers;
        Volatile.Write(ref *(int*)(block + MappedGuestMemory.ResponseSequenceOffset), requested >>> 2);
        var answered = requested & ~SharedMemoryTransport.PhaseMask;
        if (Interlocked.CompareExchange(ref *state, answered, claimed) == claimed)
        {
            Interlocked.Increment(ref callsServed);
            WakeGuest(block, state);
        }

        return true;
    }

    private static void WakeGuest(byte* block, int* state)
    {
        // Dekker with the guest's wait: the state was published with a full fence before this read.
        if (Volatile.Read(ref *(int*)(block + MappedGuestMemory.GuestSleepingOffset)) != 0)
        {
            Futex.Wake(state);
        }
    }

    // Spins briefly for the doorbell to ring; true when it rang.
    private bool SpinWhileQuiet(int bell)
    {
        for (var i = 0; i < Futex.SpinIterations; i++)
        {
            if (Volatile.Read(ref *doorbell) != bell)
            {
                return true;
            }

            Futex.SpinStep(i);
        }

        return false;
    }

    private void RingDoorbell()
    {
        Interlocked.Increment(ref *doorbell);
        Futex.Wake(doorbell);
    }

    private void TakeOwnership()
    {
        ref var owner = ref memory.Word(MappedGuestMemory.ServerPidOffset);
        var me = Environment.ProcessId;
        while (true)
        {
            var current = Volatile.Read(ref owner);
            if (current != 0 && current != me && IsAlive(current))
            {
                throw new InvalidOperationException("process " + current + " already serves " + memory.Path + ": one SVSM serves a file at a time");
            }

            if (Interlocked.CompareExchange(ref owner, me, current) == current)
            {
                return;
            }
        }
    }

    // Calls an earlier server claimed and never answered may have run: withdraw them, never run them again.
    private void WithdrawOrphanedCalls()
    {
        for (var vcpu = 0; vcpu < memory.VcpuCount; vcpu++)
        {
            var block = memory.ControlBlock(vcpu);
            var state = (int*)(block + MappedGuestMemory.StateOffset);
            var seen = Volatile.Read(ref *state);
            if ((seen & SharedMemoryTransport.PhaseMask) == SharedMemoryTransport.PhaseClaimed
                && Interlocked.CompareExchange(ref *state, (seen & ~SharedMemoryTransport.PhaseMask) | SharedMemoryTransport.PhaseWithdrawn, seen) == seen)
            {
                emulator.Log.Write(EmulatorLogLevel.Warning, "vCPU " + vcpu + ": withdrew call sequence " + (seen >>> 2) + ", which an earlier server took and never answered");
                WakeGuest(block, state);
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
