using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Svsm.Runtime.SharedMemory;

/// <summary>
/// Makes calls as vCPU <see cref="Vcpu"/> to an SVSM in another process (or thread) through a shared
/// <see cref="MappedGuestMemory"/>, the way a guest does: registers into the vCPU's block (its VMSA),
/// <c>call_pending = 1</c> in its calling area, then the doorbell (VMGEXIT). The SVSM clears <c>call_pending</c>,
/// serves the call and answers in the block.
/// </summary>
/// <remarks>
/// <para>
/// Each call gets the next sequence number in the vCPU's state word, <c>(sequence &lt;&lt; 2) | phase</c>. The guest
/// publishes <c>requested</c>; a server takes the call only by compare-and-swap to <c>claimed</c>, and answers with
/// <c>answered</c> for that same sequence. A guest that times out withdraws its request by compare-and-swap from
/// <c>requested</c> to <c>withdrawn</c>: exactly one of the two swaps wins, so a call either runs once or never,
/// and a withdrawn request is never served later, by this server or a restarted one. The guest accepts only the
/// answer for its own sequence, so a late answer to an earlier call is never taken for a later one.
/// </para>
/// <para>
/// Waits spin briefly, then sleep in <c>futex</c> with a timeout; the success path allocates nothing. One call at
/// a time per vCPU, as on hardware. Linux only (<see cref="PlatformNotSupportedException"/> elsewhere).
/// </para>
/// </remarks>
public sealed unsafe class SharedMemoryTransport : ISvsmTransport
{
    /// <summary>A sensible bound on one call when the caller has none in mind.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    internal const int PhaseAnswered = 0;
    internal const int PhaseRequested = 1;
    internal const int PhaseClaimed = 2;
    internal const int PhaseWithdrawn = 3;
    internal const int PhaseMask = 3;
    internal const int SequenceMask = 0x3FFF_FFFF;

    // A sleeping side rechecks its word at least this often, so a wake-up lost to a bug costs latency, not a hang.
    private static readonly TimeSpan WaitSlice = TimeSpan.FromMilliseconds(100);

    private readonly MappedGuestMemory memory;
    private readonly int* state;
    private readonly int* guestSleeping;
    private readonly int* doorbell;
    private readonly int* serverSleeping;
    private readonly byte* block;
    private int busy;

    /// <summary>
    /// A transport for vCPU <paramref name="vcpu"/>, whose calling area is at <paramref name="callingAreaGpa"/>
    /// (by default the boot calling area, <see cref="CallingAreaPage.BootGpa"/>), failing any call not
    /// answered within <paramref name="timeout"/>.
    /// </summary>
    public SharedMemoryTransport(MappedGuestMemory memory, int vcpu, TimeSpan timeout, ulong? callingAreaGpa = null)
    {
        this.memory = memory ?? throw new ArgumentNullException(nameof(memory));
        if (timeout <= TimeSpan.Zero || timeout.TotalDays > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "a call waits more than nothing and at most a day");
        }

        Futex.EnsureSupported();
        block = memory.ControlBlock(vcpu);
        Vcpu = vcpu;
        Timeout = timeout;
        CallingAreaGpa = callingAreaGpa ?? CallingAreaPage.BootGpa(vcpu);
        if (!memory.IsMapped(CallingAreaGpa, PrivateGuestMemory.PageSize) || CallingAreaGpa % PrivateGuestMemory.PageSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(callingAreaGpa), CallingAreaGpa, "the calling area is a page of guest RAM");
        }

        state = (int*)(block + MappedGuestMemory.StateOffset);
        guestSleeping = (int*)(block + MappedGuestMemory.GuestSleepingOffset);
        doorbell = memory.WordPointer(MappedGuestMemory.DoorbellOffset);
        serverSleeping = memory.WordPointer(MappedGuestMemory.ServerSleepingOffset);
    }

    public int Vcpu { get; }

    public TimeSpan Timeout { get; }

    /// <summary>The vCPU's calling area; follows a successful <c>SVSM_CORE_REMAP_CA</c> made through this transport.</summary>
    public ulong CallingAreaGpa { get; private set; }

    public MappedGuestMemory Memory => memory;

    /// <summary>
    /// Makes the call in <paramref name="registers"/> and returns the SVSM's registers in it. Throws
    /// <see cref="SvsmCallTimeoutException"/> when no answer comes within <see cref="Timeout"/>, and
    /// <see cref="InvalidOperationException"/> when the SVSM answered without taking the call (it found
    /// <c>call_pending</c> clear, as when the transport's calling area is not the vCPU's).
    /// </summary>
    public void Call(ref SvsmRegisters registers)
    {
        if (Interlocked.Exchange(ref busy, 1) != 0)
        {
            throw new InvalidOperationException("vCPU " + Vcpu.ToString(CultureInfo.InvariantCulture) + " is already making a call: a vCPU makes one at a time");
        }

        try
        {
            CallOnce(ref registers);
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    private void CallOnce(ref SvsmRegisters registers)
    {
        var started = Stopwatch.GetTimestamp();
        var callCode = registers.Rax;
        var requestRcx = registers.Rcx;
        var callingArea = CallingAreaGpa;
        var callPending = memory.GuestPointer(callingArea + CallingArea.CallPendingOffset, 1);

        // The block is the guest's only when the last call was answered or withdrawn. After a timeout on a call the
        // server had claimed, wait (bounded) for that answer, which is then dropped, before reusing the block.
        var current = Volatile.Read(ref *state);
        if (!IsSettled(current))
        {
            current = WaitUntilSettled(current >>> 2, started);
            if (!IsSettled(current))
            {
                throw Timeout_(callCode, current, "was not made: the vCPU is still busy with an earlier call the SVSM took and has not answered", mayHaveRun: false);
            }
        }

        var sequence = ((current >>> 2) + 1) & SequenceMask;
        var requested = (sequence << 2) | PhaseRequested;
        var answered = (sequence << 2) | PhaseAnswered;
        Unsafe.AsRef<SvsmRegisters>(block + MappedGuestMemory.RegistersOffset) = registers;
        Unsafe.WriteUnaligned(block + MappedGuestMemory.CallCodeOffset, callCode);
        Volatile.Write(ref *callPending, (byte)1);
        Interlocked.Exchange(ref *state, requested);
        RingDoorbell();

        current = WaitUntilSettled(sequence, started);
        if (current == requested)
        {
            // Out of time: withdraw the request, unless the server takes it (or answers it) at this very moment.
            current = Interlocked.CompareExchange(ref *state, (sequence << 2) | PhaseWithdrawn, requested);
            if (current == requested)
            {
                Volatile.Write(ref *callPending, (byte)0);
                throw Timeout_(callCode, requested, "was not answered and was withdrawn: it did not run", mayHaveRun: false);
            }
        }

        if (current != answered)
        {
            if (current == ((sequence << 2) | PhaseWithdrawn))
            {
                // A restarted server found the call claimed by its dead predecessor, which may or may not have run it.
                Volatile.Write(ref *callPending, (byte)0);
                throw Timeout_(callCode, current, "was not answered: the SVSM that took it stopped, and the one that replaced it withdrew it; it may have run", mayHaveRun: true);
            }

            throw Timeout_(callCode, current, "was taken by the SVSM but not answered; it may still run, and its late answer will be dropped", mayHaveRun: true);
        }

        registers = Unsafe.AsRef<SvsmRegisters>(block + MappedGuestMemory.RegistersOffset);
        if (Volatile.Read(ref *callPending) != 0)
        {
            // As Linux does: call_pending still set after the exit means the SVSM did not take the call.
            Volatile.Write(ref *callPending, (byte)0);
            throw new InvalidOperationException(string.Format(
                CultureInfo.InvariantCulture,
                "vCPU {0}: the SVSM did not take call {1} of protocol {2}: call_pending in the calling area at 0x{3:X} was still set after the exit (is that the vCPU's calling area, and does the vCPU run?)",
                Vcpu, (uint)callCode, (uint)(callCode >> 32), callingArea));
        }

        if (callCode == SvsmRegisters.CallCode(0, 0) && (uint)registers.Rax == 0)
        {
            // SVSM_CORE_REMAP_CA succeeded: the vCPU's calling area is now the page the call named.
            CallingAreaGpa = requestRcx;
        }
    }

    /// <summary>Whether a state leaves the block to the guest: its call was answered or withdrawn.</summary>
    internal static bool IsSettled(int state) => (state & PhaseMask) is PhaseAnswered or PhaseWithdrawn;

    // Spins briefly, then sleeps in futex with a timeout, until call `sequence` is answered or withdrawn (or the
    // state moved on to another sequence); returns the state then, or the unsettled state when the call's time is up.
    private int WaitUntilSettled(int sequence, long started)
    {
        for (var i = 0; i < Futex.SpinIterations; i++)
        {
            var seen = Volatile.Read(ref *state);
            if (IsSettled(seen) || (seen >>> 2) != sequence)
            {
                return seen;
            }

            Futex.SpinStep(i);
        }

        while (true)
        {
            var remaining = Timeout - Stopwatch.GetElapsedTime(started);
            Interlocked.Exchange(ref *guestSleeping, 1);
            var seen = Volatile.Read(ref *state);
            if (IsSettled(seen) || (seen >>> 2) != sequence || remaining <= TimeSpan.Zero)
            {
                Volatile.Write(ref *guestSleeping, 0);
                return seen;
            }

            Futex.Wait(state, seen, remaining < WaitSlice ? remaining : WaitSlice);
        }
    }

    private void RingDoorbell()
    {
        Interlocked.Increment(ref *doorbell);
        if (Volatile.Read(ref *serverSleeping) != 0)
        {
            Futex.Wake(doorbell);
        }
    }

    private SvsmCallTimeoutException Timeout_(ulong callCode, int state, string what, bool mayHaveRun)
    {
        var server = memory.ServerProcessId;
        var beat = memory.ServerHeartbeatAge;
        var serverText = server == 0
            ? "no SVSM serves " + memory.Path
            : "the SVSM serving " + memory.Path + " is process " + server.ToString(CultureInfo.InvariantCulture)
                + (beat is { } age ? ", last seen " + ((long)age.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms ago" : string.Empty);
        var message = string.Format(
            CultureInfo.InvariantCulture,
            "vCPU {0}: SVSM call {1} of protocol {2} (RAX 0x{3:X}, sequence {4}) {5} within {6} ms; {7}",
            Vcpu, (uint)callCode, (uint)(callCode >> 32), callCode, state >> 2, what, (long)Timeout.TotalMilliseconds, serverText);
        return new SvsmCallTimeoutException(message, Vcpu, (uint)(callCode >> 32), (uint)callCode, mayHaveRun);
    }
}

/// <summary>A call through a shared-memory transport that got no answer in time; the message names the vCPU and the call.</summary>
public sealed class SvsmCallTimeoutException(string message, int vcpu, uint protocol, uint call, bool mayHaveRun) : TimeoutException(message)
{
    public int Vcpu { get; } = vcpu;

    public uint Protocol { get; } = protocol;

    public uint Call { get; } = call;

    /// <summary>
    /// False when the call certainly did not run (it was withdrawn before an SVSM took it, or never made); true when
    /// an SVSM took it and may have run it.
    /// </summary>
    public bool MayHaveRun { get; } = mayHaveRun;
}
