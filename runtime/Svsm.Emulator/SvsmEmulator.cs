using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using Svsm.Emulator.Services.Core;
using Svsm.Runtime;

namespace Svsm.Emulator;

/// <summary>Serves one protocol's calls: a generated dispatcher bound to its handler.</summary>
public delegate void SvsmProtocolDispatch(in SvsmCallContext context, ref SvsmRegisters registers);

/// <summary>A protocol the emulator serves: its id, the versions it answers QUERY_PROTOCOL with, and its dispatcher.</summary>
/// <param name="Calls">The protocol's call descriptors (the generated <c>Calls</c> table): counters and traces name calls by them.</param>
/// <param name="Results">The protocol's result table, so traces print its codes by their spec names.</param>
/// <param name="ServedTo">Which vCPUs are served the protocol (null: all). To the others it is not served: its calls get
/// SVSM_ERR_UNSUPPORTED_PROTOCOL and QUERY_PROTOCOL answers 0, as COCONUT-SVSM serves APIC only where it emulates the APIC.</param>
public sealed record SvsmProtocolRegistration(
    uint Id, string Name, uint MinVersion, uint MaxVersion, SvsmProtocolDispatch Dispatch,
    IReadOnlyList<SvsmCallDescriptor> Calls, SvsmResultTable? Results = null, Func<int, bool>? ServedTo = null);

/// <summary>How the emulated machine is set up at launch.</summary>
public sealed record EmulatorOptions
{
    /// <summary>Guest RAM in bytes, mapped from GPA 0 (a whole number of 4 KiB pages).</summary>
    public ulong MemorySize { get; init; } = 16 * 1024 * 1024;

    /// <summary>APIC ids run from 0 to this minus one: the vCPUs the machine can have.</summary>
    public int MaxVcpus { get; init; } = 8;

    /// <summary>vCPUs started at launch, each with its calling area at page <c>1 + index</c>.</summary>
    public int BootVcpus { get; init; } = 1;

    /// <summary>What the emulator logs at launch.</summary>
    public EmulatorLogLevel LogLevel { get; init; } = EmulatorLogLevel.Info;
}

/// <summary>
/// An in-memory SVSM: serves the core protocol and any protocol registered with it, per vCPU, through the
/// generated dispatch tables. Safe to call from several threads, one call per vCPU at a time.
/// </summary>
public sealed class SvsmEmulator
{
    /// <summary>The emulator's own version, reported by its OCP version source.</summary>
    public const string Version = "0.1.0";

    private readonly object gate = new();
    private ProtocolSlot?[] protocols = Array.Empty<ProtocolSlot?>();
    private readonly VcpuState?[] vcpus;
    private Action<SvsmCallTrace>? traceSink;

    // Whether a call is traced or logged: one read on the fast path instead of the sink's and the log level's.
    private volatile bool observed;

    public SvsmEmulator(IGuestMemory memory, EmulatorOptions? options = null)
    {
        Memory = memory ?? throw new ArgumentNullException(nameof(memory));
        Options = options ?? new EmulatorOptions();
        if (Options.MaxVcpus < 1 || Options.BootVcpus < 1 || Options.BootVcpus > Options.MaxVcpus)
        {
            throw new ArgumentException("a machine has 1 to MaxVcpus boot vCPUs", nameof(options));
        }

        Log = new EmulatorLog(Options.LogLevel) { LevelChanged = UpdateObserved };
        UpdateObserved();
        vcpus = new VcpuState?[Options.MaxVcpus];
        for (var i = 0; i < Options.BootVcpus; i++)
        {
            vcpus[i] = new VcpuState(i, memory, BootCallingAreaGpa(i), vmsaGpa: null);
        }

        var pages = new PageValidation();
        Core = new SvsmService<PageValidation>(Serve(CoreDispatcher.Registration(new CoreService(this, pages))), pages);
        Log.Write(EmulatorLogLevel.Info, "emulator " + Version + " started with " + Options.BootVcpus.ToString(CultureInfo.InvariantCulture) + " vCPU(s)");
    }

    public IGuestMemory Memory { get; }

    public EmulatorOptions Options { get; }

    /// <summary>What the emulator logs; its OCP log sources show and set it.</summary>
    public EmulatorLog Log { get; }

    /// <summary>The core protocol, served from the start: its state is which pages the guest validated.</summary>
    public SvsmService<PageValidation> Core { get; }

    /// <summary>Whether the guest has validated the 4 KiB page at <paramref name="gpa"/> with PVALIDATE (pages start not validated).</summary>
    public bool IsPageValidated(ulong gpa) => Core.State.IsValidated(gpa);

    /// <summary>The calling area of boot vCPU <paramref name="index"/>: page <c>1 + index</c>.</summary>
    public static ulong BootCallingAreaGpa(int index) => CallingAreaPage.BootGpa(index);

    /// <summary>The first GPA after the boot calling areas: where guest buffers may start.</summary>
    public ulong FirstFreeGpa => BootCallingAreaGpa(Options.MaxVcpus);

    /// <summary>
    /// Opt-in tracing: every call is passed to <paramref name="sink"/> with its registers in and out, its result
    /// and its duration. Null turns tracing off, and with it the only per-call allocation.
    /// </summary>
    public void SetTraceSink(Action<SvsmCallTrace>? sink)
    {
        Volatile.Write(ref traceSink, sink);
        UpdateObserved();
    }

    private void UpdateObserved() => observed = Volatile.Read(ref traceSink) is not null || Log.IsEnabled(EmulatorLogLevel.Debug);

    /// <summary>
    /// Serves <paramref name="registration"/>'s protocol from now on, replacing an earlier one with its id, and returns
    /// it. A spec's generated <c>&lt;Prefix&gt;Dispatcher.Registration(handler)</c> makes one:
    /// <c>emulator.Serve(FooDispatcher.Registration(new FooService()))</c>.
    /// </summary>
    public SvsmProtocolRegistration Serve(SvsmProtocolRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (registration.MinVersion == 0 || registration.MinVersion > registration.MaxVersion)
        {
            throw new ArgumentException("a protocol serves versions MinVersion..MaxVersion, from 1", nameof(registration));
        }

        lock (gate)
        {
            var table = protocols;
            var size = Math.Max(table.Length, (int)Math.Min(registration.Id + 1, 1024));
            if (registration.Id >= 1024)
            {
                throw new ArgumentOutOfRangeException(nameof(registration), registration.Id, "the emulator serves protocol ids below 1024");
            }

            var copy = new ProtocolSlot?[size];
            Array.Copy(table, copy, table.Length);
            copy[registration.Id] = new ProtocolSlot(registration, Options.MaxVcpus);
            Volatile.Write(ref protocols, copy);
        }

        Log.Write(EmulatorLogLevel.Info, "serving protocol " + registration.Id.ToString(CultureInfo.InvariantCulture) + " (" + registration.Name + ") versions " +
            registration.MinVersion.ToString(CultureInfo.InvariantCulture) + "-" + registration.MaxVersion.ToString(CultureInfo.InvariantCulture));
        return registration;
    }

    /// <summary>The protocols served, by id.</summary>
    public IReadOnlyList<SvsmProtocolRegistration> Protocols
    {
        get
        {
            var result = new List<SvsmProtocolRegistration>();
            foreach (var slot in Volatile.Read(ref protocols))
            {
                if (slot is not null)
                {
                    result.Add(slot.Registration);
                }
            }

            return result;
        }
    }

    /// <summary>The versions of <paramref name="protocol"/> served to <paramref name="vcpu"/>, or null when it is not.</summary>
    public (uint Min, uint Max)? ServedVersions(uint protocol, int vcpu = 0) =>
        Find(protocol, vcpu) is { } slot ? (slot.Registration.MinVersion, slot.Registration.MaxVersion) : null;

    /// <summary>How many calls of <paramref name="protocol"/> with id <paramref name="call"/> were served (whatever their result).</summary>
    public long CallCount(uint protocol, uint call) => Find(protocol)?.Count(call) ?? 0;

    /// <summary>The calling area of vCPU <paramref name="vcpu"/>, or null when it does not run.</summary>
    public ulong? CallingAreaOf(int vcpu) => (uint)vcpu < (uint)vcpus.Length ? Volatile.Read(ref vcpus[vcpu])?.CallingAreaGpa : null;

    /// <summary>The indexes of the vCPUs that run.</summary>
    public IReadOnlyList<int> RunningVcpus => Vcpus.Select(v => v.Index).ToList();

    /// <summary>
    /// Serves the call in <paramref name="registers"/> from vCPU <paramref name="vcpu"/>: RAX in holds
    /// <c>(protocol &lt;&lt; 32) | call</c> and out the result. A protocol that is not served gets
    /// SVSM_ERR_UNSUPPORTED_PROTOCOL; a guest memory access a handler did not check gets SVSM_ERR_INVALID_ADDRESS.
    /// </summary>
    // Small enough to inline into a transport: the call's one hop is to Serve.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Dispatch(int vcpu, ref SvsmRegisters registers)
    {
        var state = (uint)vcpu < (uint)vcpus.Length ? Volatile.Read(ref vcpus[vcpu]) : null;
        if (state is null)
        {
            ThrowNotRunning(vcpu);
        }

        if (observed)
        {
            DispatchObserved(state, ref registers);
            return;
        }

        ServeCall(state, ref registers);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowNotRunning(int vcpu) => throw new ArgumentOutOfRangeException(nameof(vcpu), vcpu, "no such vCPU runs");

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void ServeCall(VcpuState state, ref SvsmRegisters registers)
    {
        var slot = Find((uint)(registers.Rax >> 32), state.Index);
        if (slot is null)
        {
            registers.Rax = SvsmResult.UnsupportedProtocolCode;
            return;
        }

        slot.Counted(state.Index, (uint)registers.Rax);

        // Nothing but the arguments is used after the handler returns, so that the try costs the call nothing.
        try
        {
            slot.Dispatch(in state.Context, ref registers);
        }
        catch (GuestMemoryException exception)
        {
            // A handler validates addresses before use; one that slips through must still not crash the SVSM.
            registers.Rax = SvsmResult.InvalidAddressCode;
            Log.Write(EmulatorLogLevel.Warning, "vCPU " + state.Index.ToString(CultureInfo.InvariantCulture) + ": " + exception.Message);
        }
    }

    // Kept out of Dispatch so that the path of a call neither traced nor logged stays small.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void DispatchObserved(VcpuState state, ref SvsmRegisters registers)
    {
        var before = registers;
        var started = Stopwatch.GetTimestamp();
        ServeCall(state, ref registers);
        var slot = Find((uint)(before.Rax >> 32));
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (Log.IsEnabled(EmulatorLogLevel.Debug))
        {
            LogCall(state.Index, slot, before.Rax, registers.Rax);
        }

        if (Volatile.Read(ref traceSink) is not { } sink)
        {
            return;
        }

        var protocol = (uint)(before.Rax >> 32);
        var call = (uint)before.Rax;
        sink(new SvsmCallTrace(state.Index, protocol, call, CallName(slot, protocol, call), before, registers, new SvsmResult((uint)registers.Rax, slot?.Registration.Results), elapsed));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void LogCall(int vcpu, ProtocolSlot? slot, ulong callCode, ulong result) =>
        Log.Write(EmulatorLogLevel.Debug, "vCPU " + vcpu.ToString(CultureInfo.InvariantCulture) + ": " + CallName(slot, (uint)(callCode >> 32), (uint)callCode) + " -> " + new SvsmResult((uint)result, slot?.Registration.Results));

    /// <summary>
    /// Takes a call the way an SVSM does after VMGEXIT: only when <c>call_pending</c> in the vCPU's calling area is
    /// set, which it clears before serving. Returns false, leaving the registers alone, when no call is pending.
    /// </summary>
    public bool ServePending(int vcpu, ref SvsmRegisters registers)
    {
        if (CallingAreaOf(vcpu) is not { } callingArea)
        {
            throw new ArgumentOutOfRangeException(nameof(vcpu), vcpu, "no such vCPU runs");
        }

        var page = new CallingAreaPage(Memory, callingArea);
        if (!Memory.IsMapped(callingArea, 1) || page.CallPending == 0)
        {
            return false;
        }

        page.CallPending = 0;
        Dispatch(vcpu, ref registers);
        return true;
    }

    internal bool TryStartVcpu(int index, ulong callingAreaGpa, ulong vmsaGpa)
    {
        if ((uint)index >= (uint)vcpus.Length)
        {
            return false;
        }

        return Interlocked.CompareExchange(ref vcpus[index], new VcpuState(index, Memory, callingAreaGpa, vmsaGpa), null) is null;
    }

    internal void StopVcpu(int index) => Volatile.Write(ref vcpus[index], null);

    internal IEnumerable<VcpuState> Vcpus
    {
        get
        {
            for (var i = 0; i < vcpus.Length; i++)
            {
                if (Volatile.Read(ref vcpus[i]) is { } state)
                {
                    yield return state;
                }
            }
        }
    }

    internal VcpuState? VcpuAt(int index) => (uint)index < (uint)vcpus.Length ? Volatile.Read(ref vcpus[index]) : null;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private ProtocolSlot? Find(uint protocol)
    {
        var table = Volatile.Read(ref protocols);
        return protocol < (uint)table.Length ? table[protocol] : null;
    }

    // The protocol as vCPU vcpu sees it: not there when its registration does not serve that vCPU. Inlined: every call looks.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private ProtocolSlot? Find(uint protocol, int vcpu) =>
        Find(protocol) is { } slot && (slot.ServedTo?.Invoke(vcpu) ?? true) ? slot : null;

    private static string CallName(ProtocolSlot? slot, uint protocol, uint call)
    {
        if (slot is not null)
        {
            foreach (var descriptor in slot.Registration.Calls)
            {
                if (descriptor.Call == call)
                {
                    return descriptor.Name;
                }
            }
        }

        return "protocol " + protocol.ToString(CultureInfo.InvariantCulture) + " call " + call.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A registered protocol with its call counters: a row per vCPU, a column per call id the descriptors name (and
    /// one for the rest). A vCPU makes one call at a time and only it writes its row, so counting needs no atomic
    /// instruction; rows are padded to separate cache lines so that vCPUs on other cores do not share one.
    /// </summary>
    private sealed class ProtocolSlot
    {
        private const int CacheLineLongs = 8;
        private readonly long[] counts;
        private readonly int rowLength;
        private readonly int calls;

        public ProtocolSlot(SvsmProtocolRegistration registration, int vcpus)
        {
            Registration = registration;
            Dispatch = registration.Dispatch;
            ServedTo = registration.ServedTo;
            var highest = 0u;
            foreach (var call in registration.Calls)
            {
                highest = Math.Max(highest, Math.Min(call.Call, 255u));
            }

            calls = (int)highest + 2;
            rowLength = (calls + CacheLineLongs - 1) / CacheLineLongs * CacheLineLongs;
            counts = new long[(vcpus + 1) * rowLength];
        }

        public SvsmProtocolRegistration Registration { get; }

        // The registration's, one load nearer: read on every call.
        public readonly SvsmProtocolDispatch Dispatch;

        public readonly Func<int, bool>? ServedTo;

        public void Counted(int vcpu, uint call)
        {
            ref var count = ref counts[((vcpu + 1) * rowLength) + (int)Math.Min(call, (uint)calls - 1)];
            Volatile.Write(ref count, count + 1);
        }

        public long Count(uint call)
        {
            if (call >= (uint)calls - 1)
            {
                return 0;
            }

            long total = 0;
            for (var row = rowLength; row < counts.Length; row += rowLength)
            {
                total += Volatile.Read(ref counts[row + (int)call]);
            }

            return total;
        }
    }
}

/// <summary>A running vCPU: its calling area (which REMAP_CA moves) and the VMSA it was created from.</summary>
internal sealed class VcpuState
{
    private long callingArea;

    public VcpuState(int index, IGuestMemory memory, ulong callingAreaGpa, ulong? vmsaGpa)
    {
        Index = index;
        callingArea = (long)callingAreaGpa;
        VmsaGpa = vmsaGpa;
        Context = new SvsmCallContext(index, memory, callingAreaGpa) { Vcpu = this };
    }

    public int Index { get; }

    /// <summary>
    /// What a handler is told about this vCPU's calls, made once and not per call. Only the vCPU's own calls read
    /// it, one at a time, and only its own REMAP_CA changes it.
    /// </summary>
    public SvsmCallContext Context;

    public ulong CallingAreaGpa
    {
        // Volatile, not Interlocked: a 64-bit read is atomic on x64 and Interlocked.Read would be a locked instruction per call.
        get => (ulong)Volatile.Read(ref callingArea);
        set
        {
            Volatile.Write(ref callingArea, (long)value);
            Context = Context with { CallingAreaGpa = value };
        }
    }

    /// <summary>Null for a boot vCPU, whose VMSA the emulator does not model.</summary>
    public ulong? VmsaGpa { get; }
}

/// <summary>One traced call.</summary>
public sealed record SvsmCallTrace(
    int Vcpu, uint Protocol, uint Call, string CallName, SvsmRegisters RegistersIn, SvsmRegisters RegistersOut, SvsmResult Result, TimeSpan Duration)
{
    public override string ToString() =>
        string.Format(
            CultureInfo.InvariantCulture,
            "vCPU {0} {1}: RCX={2:X} RDX={3:X} R8={4:X} R9={5:X} -> {6} RCX={7:X} RDX={8:X} R8={9:X} in {10:F1} us",
            Vcpu, CallName, RegistersIn.Rcx, RegistersIn.Rdx, RegistersIn.R8, RegistersIn.R9, Result, RegistersOut.Rcx, RegistersOut.Rdx, RegistersOut.R8, Duration.TotalMilliseconds * 1000);
}
