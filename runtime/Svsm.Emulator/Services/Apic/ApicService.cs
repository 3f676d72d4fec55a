using System;
using System.Collections.Generic;
using System.Linq;
using Svsm.Runtime;

namespace Svsm.Emulator.Services.Apic;

/// <summary>
/// Alternate injection as the emulator serves it (specs/apic.md, COCONUT-SVSM's <c>kernel/src/protocols/apic.rs</c>
/// and <c>kernel/src/cpu/apic.rs</c>): the platform's registration count, and per vCPU an emulated local APIC with
/// the x2APIC registers the protocol reaches. The host side is here too: signal an interrupt from the host, and
/// deliver what is pending, which the SVSM does before it enters the guest.
/// </summary>
public sealed class EmulatedApics
{
    private const int VectorWords = 8;

    private readonly object gate = new();
    private readonly SvsmEmulator emulator;
    private readonly LocalApic?[] apics;
    private readonly bool[] decided;
    private uint registrationCount;

    internal EmulatedApics(SvsmEmulator emulator, bool alternateInjection)
    {
        this.emulator = emulator;
        registrationCount = alternateInjection ? 1u : 0u;
        apics = new LocalApic?[emulator.Options.MaxVcpus];
        decided = new bool[apics.Length];

        // A vCPU gets an emulated APIC when its VMSA is made while the count is above zero: the boot vCPUs now.
        foreach (var vcpu in emulator.RunningVcpus)
        {
            Apic(vcpu);
        }
    }

    /// <summary>The registration count: APIC emulation stays on while it is above zero.</summary>
    public uint RegistrationCount
    {
        get
        {
            lock (gate)
            {
                return registrationCount;
            }
        }
    }

    /// <summary>Whether <paramref name="vcpu"/> has an emulated APIC (the protocol answers it at all).</summary>
    public bool UsesApicEmulation(int vcpu)
    {
        lock (gate)
        {
            return Apic(vcpu) is not null;
        }
    }

    /// <summary>Whether a CONFIGURE call turned alternate injection off on <paramref name="vcpu"/> (its APIC stays, as in COCONUT-SVSM).</summary>
    public bool IsInjectionDisabled(int vcpu)
    {
        lock (gate)
        {
            return Apic(vcpu)?.InjectionDisabled ?? false;
        }
    }

    /// <summary>
    /// The host signals <paramref name="vector"/> to <paramref name="vcpu"/>: it is posted only if CONFIGURE_VECTOR
    /// allowed it. Returns whether it was posted.
    /// </summary>
    public bool SignalHostInterrupt(int vcpu, byte vector, bool levelSensitive = false)
    {
        lock (gate)
        {
            var apic = Apic(vcpu) ?? throw new InvalidOperationException($"vCPU {vcpu} has no emulated APIC");
            if (!Test(apic.AllowedIrr, vector))
            {
                return false;
            }

            apic.Post(vector, levelSensitive);
            return true;
        }
    }

    /// <summary>
    /// What the SVSM does before it enters <paramref name="vcpu"/>: the highest pending vector whose priority class is
    /// above the one in service goes in service and is returned; null when none can be delivered.
    /// </summary>
    public byte? DeliverPending(int vcpu)
    {
        lock (gate)
        {
            var apic = Apic(vcpu) ?? throw new InvalidOperationException($"vCPU {vcpu} has no emulated APIC");
            var vector = apic.HighestPending();
            if (vector is not { } irq || (irq & 0xF0) <= (apic.InService & 0xF0))
            {
                return null;
            }

            Clear(apic.Irr, irq);
            apic.IsrStack.Push(irq);
            return irq;
        }
    }

    /// <summary>Takes a pending NMI of <paramref name="vcpu"/>, as the SVSM presents it first on guest entry.</summary>
    public bool TakeNmi(int vcpu)
    {
        lock (gate)
        {
            var apic = Apic(vcpu) ?? throw new InvalidOperationException($"vCPU {vcpu} has no emulated APIC");
            var pending = apic.NmiPending;
            apic.NmiPending = false;
            return pending;
        }
    }

    internal SvsmResult Configure(int vcpu, ulong operation)
    {
        lock (gate)
        {
            bool enabled;
            switch (operation)
            {
                case ApicConfigureOperations.Query:
                    enabled = registrationCount > 0;
                    break;
                case ApicConfigureOperations.Deregister:
                    // A decrement at zero is a benign race: nothing changes, and emulation is off.
                    registrationCount = registrationCount == 0 ? 0 : registrationCount - 1;
                    enabled = registrationCount > 0;
                    break;
                case ApicConfigureOperations.Register:
                    if (registrationCount is 0 or uint.MaxValue)
                    {
                        return ApicResultCodes.SvsmErrApicCannotRegister;
                    }

                    registrationCount++;
                    return SvsmResult.Success;
                default:
                    return SvsmResult.InvalidParameter;
            }

            if (!enabled)
            {
                Apic(vcpu)!.InjectionDisabled = true;
            }

            return SvsmResult.Success;
        }
    }

    internal (SvsmResult Result, ulong Value) Read(int vcpu, ulong register)
    {
        lock (gate)
        {
            var apic = Apic(vcpu)!;
            ulong? value = register switch
            {
                ApicRegisterIndexes.Icr => apic.Icr,
                ApicRegisterIndexes.ApicId => (ulong)vcpu,
                ApicRegisterIndexes.Ldr => (((ulong)vcpu & ~0xFUL) << 12) | (1UL << (vcpu & 0xF)),
                >= ApicRegisterIndexes.Irr0 and <= ApicRegisterIndexes.Irr7 => apic.Irr[register - ApicRegisterIndexes.Irr0],
                >= ApicRegisterIndexes.Isr0 and <= ApicRegisterIndexes.Isr7 => apic.IsrWord((int)(register - ApicRegisterIndexes.Isr0)),
                >= ApicRegisterIndexes.Tmr0 and <= ApicRegisterIndexes.Tmr7 => apic.Tmr[register - ApicRegisterIndexes.Tmr0],
                ApicRegisterIndexes.Tpr => apic.Tpr,
                ApicRegisterIndexes.Ppr => apic.Ppr,
                _ => null,
            };
            return value is { } read ? (SvsmResult.Success, read)
                : register is ApicRegisterIndexes.Eoi or ApicRegisterIndexes.SelfIpi ? (SvsmResult.InvalidParameter, 0UL)
                : (SvsmResult.InvalidAddress, 0UL);
        }
    }

    internal SvsmResult Write(int vcpu, ulong register, ulong value)
    {
        lock (gate)
        {
            var apic = Apic(vcpu)!;
            switch (register)
            {
                case ApicRegisterIndexes.Tpr when value <= byte.MaxValue:
                    apic.Tpr = (byte)value;
                    return SvsmResult.Success;
                case ApicRegisterIndexes.Eoi when value == 0:
                    if (apic.IsrStack.TryPop(out var vector))
                    {
                        Clear(apic.Tmr, vector);
                    }

                    return SvsmResult.Success;
                case ApicRegisterIndexes.Icr:
                    return SendIpi(vcpu, apic, (InterruptCommandValue)value);
                case ApicRegisterIndexes.SelfIpi when value <= byte.MaxValue:
                    apic.Post((byte)value, levelSensitive: false);
                    return SvsmResult.Success;
                case ApicRegisterIndexes.Tpr or ApicRegisterIndexes.Eoi or ApicRegisterIndexes.SelfIpi:
                    return SvsmResult.InvalidParameter;
                case ApicRegisterIndexes.ApicId or ApicRegisterIndexes.Ppr or ApicRegisterIndexes.Ldr
                    or (>= ApicRegisterIndexes.Isr0 and <= ApicRegisterIndexes.Irr7):
                    return SvsmResult.InvalidParameter;
                default:
                    return SvsmResult.InvalidAddress;
            }
        }
    }

    internal SvsmResult ConfigureVector(int vcpu, ConfigureVectorRcx configuration)
    {
        if (((ulong)configuration & ConfigureVectorRcxExtensions.ReservedMask) != 0)
        {
            return SvsmResult.InvalidParameter;
        }

        lock (gate)
        {
            var allowed = Apic(vcpu)!.AllowedIrr;
            var enable = configuration.HasFlag(ConfigureVectorRcx.Enable);
            if (configuration.HasFlag(ConfigureVectorRcx.AllVectors))
            {
                // Vectors 31 to 255 (cpu/apic.rs configure_all_vectors); turning them off clears every vector.
                if (enable)
                {
                    allowed[0] |= 1u << 31;
                    allowed.AsSpan(1).Fill(uint.MaxValue);
                }
                else
                {
                    Array.Clear(allowed);
                }
            }
            else if (enable)
            {
                Set(allowed, (byte)configuration.GetVector());
            }
            else
            {
                Clear(allowed, (byte)configuration.GetVector());
            }

            return SvsmResult.Success;
        }
    }

    // cpu/apic.rs handle_icr_write and send_ipi: fixed or NMI only, the must-be-zero fields clear, then delivery.
    private SvsmResult SendIpi(int vcpu, LocalApic apic, InterruptCommandValue icr)
    {
        var messageType = icr.GetMessageType();
        if (messageType is not (0 or 4) || ((ulong)icr & InterruptCommandValueExtensions.ReservedMask) != 0 ||
            icr.HasFlag(InterruptCommandValue.DeliveryStatus) || icr.GetRemoteReadStatus() != 0)
        {
            return SvsmResult.InvalidParameter;
        }

        apic.Icr = (ulong)icr;
        var destination = (uint)icr.GetDestination();
        var logical = icr.HasFlag(InterruptCommandValue.DestinationMode);
        IEnumerable<int> targets = icr.GetDestinationShorthand() switch
        {
            0 when destination == uint.MaxValue => emulator.RunningVcpus,
            0 when logical => FilterRunning(id => (destination >> 16) == (uint)(id >> 4) && (destination & (1u << (id & 0xF))) != 0),
            0 => FilterRunning(id => (uint)id == destination),
            1 => [vcpu],
            2 => emulator.RunningVcpus,
            _ => FilterRunning(id => id != vcpu),
        };
        foreach (var target in targets)
        {
            if (Apic(target) is { } receiver)
            {
                if (messageType == 4)
                {
                    receiver.NmiPending = true;
                }
                else
                {
                    receiver.Post((byte)icr.GetVector(), levelSensitive: false);
                }
            }
        }

        return SvsmResult.Success;
    }

    private List<int> FilterRunning(Func<int, bool> match) => emulator.RunningVcpus.Where(match).ToList();

    private LocalApic? Apic(int vcpu)
    {
        if ((uint)vcpu >= (uint)apics.Length)
        {
            return null;
        }

        // A vCPU made after launch gets its APIC as COCONUT-SVSM gives it at VMSA creation: if the count is above zero.
        if (!decided[vcpu])
        {
            decided[vcpu] = true;
            apics[vcpu] = registrationCount > 0 ? new LocalApic() : null;
        }

        return apics[vcpu];
    }

    private static bool Test(uint[] words, byte vector) => (words[vector >> 5] & (1u << (vector & 31))) != 0;

    private static void Set(uint[] words, byte vector) => words[vector >> 5] |= 1u << (vector & 31);

    private static void Clear(uint[] words, byte vector) => words[vector >> 5] &= ~(1u << (vector & 31));

    /// <summary>One vCPU's emulated APIC (cpu/apic.rs <c>LocalApic</c>) and the TPR its VMSA holds.</summary>
    private sealed class LocalApic
    {
        public uint[] Irr { get; } = new uint[VectorWords];

        public uint[] Tmr { get; } = new uint[VectorWords];

        public uint[] AllowedIrr { get; } = new uint[VectorWords];

        public Stack<byte> IsrStack { get; } = new();

        public ulong Icr { get; set; }

        public byte Tpr { get; set; }

        public bool NmiPending { get; set; }

        public bool InjectionDisabled { get; set; }

        public byte InService => IsrStack.TryPeek(out var vector) ? vector : (byte)0;

        /// <summary>The higher, by priority class, of the vector in service and the TPR.</summary>
        public byte Ppr => (InService >> 4) > (Tpr >> 4) ? InService : Tpr;

        public void Post(byte vector, bool levelSensitive)
        {
            Set(Irr, vector);
            if (levelSensitive)
            {
                Set(Tmr, vector);
            }
        }

        public byte? HighestPending()
        {
            for (var word = VectorWords - 1; word >= 0; word--)
            {
                if (Irr[word] != 0)
                {
                    return (byte)((word * 32) + 31 - System.Numerics.BitOperations.LeadingZeroCount(Irr[word]));
                }
            }

            return null;
        }

        public uint IsrWord(int index)
        {
            var value = 0u;
            foreach (var vector in IsrStack)
            {
                if (vector >> 5 == index)
                {
                    value |= 1u << (vector & 31);
                }
            }

            return value;
        }
    }
}

/// <summary>The APIC protocol's calls, served from <see cref="EmulatedApics"/>.</summary>
internal sealed class ApicService(EmulatedApics apics) : IApicHandler
{
    public ApicQueryFeaturesResult QueryFeatures(SvsmCallContext context) => new(SvsmResult.Success, 0);

    public ApicConfigureResult Configure(SvsmCallContext context, ulong operation) => new(apics.Configure(context.VcpuIndex, operation));

    public ApicReadRegisterResult ReadRegister(SvsmCallContext context, ulong registerIndex)
    {
        var (result, value) = apics.Read(context.VcpuIndex, registerIndex);
        return new(result, value);
    }

    public ApicWriteRegisterResult WriteRegister(SvsmCallContext context, ulong registerIndex, ulong value) =>
        new(apics.Write(context.VcpuIndex, registerIndex, value));

    public ApicConfigureVectorResult ConfigureVector(SvsmCallContext context, ConfigureVectorRcx vectorConfig) =>
        new(apics.ConfigureVector(context.VcpuIndex, vectorConfig));
}
