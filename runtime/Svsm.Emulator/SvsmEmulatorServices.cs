using System;
using System.Linq;
using Svsm.Emulator.Firmware;
using Svsm.Emulator.Services.Apic;
using Svsm.Emulator.Services.Attestation;
using Svsm.Emulator.Services.Ocp;
using Svsm.Emulator.Services.UefiMm;
using Svsm.Emulator.Services.Vtpm;
using Svsm.Runtime;
using Svsm.Runtime.Tpm;

namespace Svsm.Emulator;

/// <summary>
/// A protocol an emulator serves, as every <c>Add&lt;Protocol&gt;</c> returns it: what it is registered with, and the
/// one object its service keeps its state in (the OCP sources, the emulated APICs, ...).
/// </summary>
/// <typeparam name="TState">The service's state, for the host to look at and change.</typeparam>
public sealed record SvsmService<TState>(SvsmProtocolRegistration Registration, TState State);

/// <summary>
/// Adds COCONUT-SVSM's protocols and OCP to an emulator, each the same way: a service implementing its spec's
/// generated handler, its generated dispatcher's registration, and an <see cref="SvsmService{TState}"/> back.
/// </summary>
public static class SvsmEmulatorServices
{
    /// <summary>
    /// Serves OCP (protocol 5, version 1) over a new source list, which starts with the emulator's own sources
    /// (<see cref="EmulatorOcpSources"/>) unless <paramref name="withEmulatorSources"/> is false.
    /// </summary>
    public static SvsmService<OcpSourceList> AddOcp(this SvsmEmulator emulator, bool withEmulatorSources = true)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var sources = new OcpSourceList();
        var registration = emulator.Serve(OcpDispatcher.Registration(new OcpService(sources)));
        if (withEmulatorSources)
        {
            EmulatorOcpSources.AddTo(sources, emulator);
        }

        return new(registration, sources);
    }

    /// <summary>
    /// Serves the attestation protocol (protocol 1, version 1): reports come from <paramref name="firmware"/>, and
    /// <paramref name="services"/> are the services it attests, in manifest order.
    /// </summary>
    public static SvsmService<EmulatedSnpFirmware> AddAttestation(this SvsmEmulator emulator, EmulatedSnpFirmware firmware, params AttestedService[] services)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        ArgumentNullException.ThrowIfNull(firmware);
        var service = new AttestationService(firmware, services.ToList());

        // attest.rs answers a call id it does not know with UNSUPPORTED_PROTOCOL, where the dispatcher says UNSUPPORTED_CALL.
        var registration = AttestDispatcher.Registration(service) with
        {
            Dispatch = (in SvsmCallContext context, ref SvsmRegisters registers) =>
            {
                if (AttestProtocol.Find((uint)registers.Rax) is null)
                {
                    registers.Rax = SvsmResult.UnsupportedProtocolCode;
                    return;
                }

                service.Dispatch(context, ref registers);
            },
        };
        return new(emulator.Serve(registration), firmware);
    }

    /// <summary>
    /// Serves the vTPM protocol (protocol 2, version 1) over <paramref name="tpm"/>. Its state is the vTPM as a service
    /// to attest: pass it to <see cref="AddAttestation"/>.
    /// </summary>
    public static SvsmService<AttestedService> AddVtpm(this SvsmEmulator emulator, ITpm tpm)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        ArgumentNullException.ThrowIfNull(tpm);
        var service = new VtpmService(tpm);
        return new(emulator.Serve(VtpmDispatcher.Registration(service)), new AttestedService(Svsm.Runtime.Attestation.SvsmAttestationGuids.Vtpm, "vTPM", service.EndorsementKey));
    }

    /// <summary>
    /// Serves the APIC protocol (protocol 3, version 1). <paramref name="alternateInjection"/> is whether the guest
    /// asked for alternate injection at launch: the registration count starts at 1 then, and the vCPUs get emulated
    /// APICs; otherwise it starts at 0, can never be raised, and every call is UNSUPPORTED_PROTOCOL.
    /// </summary>
    public static SvsmService<EmulatedApics> AddApic(this SvsmEmulator emulator, bool alternateInjection = true)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var apics = new EmulatedApics(emulator, alternateInjection);

        // apic.rs: a vCPU without an emulated APIC is refused every call, before the call id is looked at.
        var registration = ApicDispatcher.Registration(new ApicService(apics)) with { ServedTo = apics.UsesApicEmulation };
        return new(emulator.Serve(registration), apics);
    }

    /// <summary>
    /// Serves UEFI MM (protocol 4, version 1) over <paramref name="store"/>, or a new in-memory store: edk2's MM
    /// variable messages, as OVMF sends them to COCONUT-SVSM. Its state is the store; its
    /// <see cref="EmulatedVariableStore.AsAttestedService"/> is the service for <see cref="AddAttestation"/>.
    /// </summary>
    public static SvsmService<EmulatedVariableStore> AddUefiMm(this SvsmEmulator emulator, EmulatedVariableStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        store ??= EmulatedVariableStore.Open();
        var service = new UefiMmService(store, emulator.Log);

        // uefivars.rs's check_buffer answers a buffer off a page boundary with INVALID_ADDRESS, after its null and
        // guest-memory checks, which a misaligned address (never null) gets the same code from; the spec names no code.
        var registration = UefiMmDispatcher.Registration(service) with
        {
            Dispatch = (in SvsmCallContext context, ref SvsmRegisters registers) =>
            {
                if ((uint)registers.Rax == (uint)UefiMmCall.Request && (registers.Rax >> 32) == UefiMmProtocol.Id && (registers.Rcx & (PrivateGuestMemory.PageSize - 1)) != 0)
                {
                    registers.Rax = SvsmResult.InvalidAddress.Value;
                    return;
                }

                service.Dispatch(context, ref registers);
            },
        };
        return new(emulator.Serve(registration), store);
    }
}
