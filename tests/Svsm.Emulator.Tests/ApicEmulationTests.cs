using Svsm.Emulator;
using Svsm.Protocols;
using Svsm.Runtime;
using Xunit;

namespace Svsm.Emulator.Tests;

/// <summary>
/// The APIC protocol (specs/apic.md) as COCONUT-SVSM's apic.rs serves it, through the generated <c>ApicClient</c>:
/// the refusal before the call id, the registration count of seed 003, the x2APIC registers and their errors, IPIs
/// through the ICR, and which host vectors CONFIGURE_VECTOR lets through.
/// </summary>
public sealed class ApicEmulationTests
{
    private readonly EmulatedMachine machine = EmulatedMachine.Create(new EmulatorOptions { BootVcpus = 2 });

    private static SvsmResult CannotRegister => new(0x8000_1000);

    private static InterruptCommandValue Icr(byte vector, ulong messageType = 0, ulong shorthand = 0, uint destination = 0) =>
        InterruptCommandValue.None.WithVector(vector).WithMessageType(messageType).WithDestinationShorthand(shorthand).WithDestination(destination);

    [Fact]
    public void WithoutAlternateInjectionEveryCallIsRefusedBeforeItsId()
    {
        var apics = machine.Emulator.AddApic(alternateInjection: false).State;
        var client = new ApicClient(machine.Transport());
        Assert.Equal(SvsmResult.UnsupportedProtocol, client.QueryFeatures().Result);
        Assert.Equal(SvsmResult.UnsupportedProtocol, client.Configure(ApicConfigureOperations.Register).Result);
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(3, 99) };
        machine.Transport().Call(ref registers);
        Assert.Equal(SvsmResult.UnsupportedProtocolCode, registers.Rax);
        Assert.Equal((0U, false), (apics.RegistrationCount, apics.UsesApicEmulation(0)));

        // core.rs: QUERY_PROTOCOL offers APIC only to a vCPU that emulates it.
        Assert.Equal(0UL, new CoreClient(machine.Transport()).QueryProtocol(SvsmRegisters.CallCode(3, 1)).Versions);
    }

    [Fact]
    public void QueryProtocolOffersApicVersionOneWhereItIsEmulated()
    {
        machine.Emulator.AddApic();
        Assert.Equal(1UL | (1UL << 32), new CoreClient(machine.Transport(1)).QueryProtocol(SvsmRegisters.CallCode(3, 1)).Versions);
    }

    [Fact]
    public void TheRegistrationCountFollowsSeed003()
    {
        var apics = machine.Emulator.AddApic().State;
        var client = new ApicClient(machine.Transport());
        Assert.Equal((SvsmResult.Success, 0UL), (client.QueryFeatures().Result, client.QueryFeatures().Features));
        Assert.Equal(1U, apics.RegistrationCount);
        Assert.Equal(SvsmResult.Success, client.Configure(ApicConfigureOperations.Register).Result);
        Assert.Equal(SvsmResult.Success, client.Configure(ApicConfigureOperations.Register).Result);
        Assert.Equal(3U, apics.RegistrationCount);
        Assert.Equal(SvsmResult.Success, client.Configure(ApicConfigureOperations.Query).Result);
        Assert.False(apics.IsInjectionDisabled(0));

        // Every operation other than 0, 1 and 2 in the full 64 bits is refused.
        Assert.Equal(SvsmResult.InvalidParameter, client.Configure(3).Result);
        Assert.Equal(SvsmResult.InvalidParameter, client.Configure(0x1_0000_0002).Result);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(SvsmResult.Success, client.Configure(ApicConfigureOperations.Deregister).Result);
        }

        Assert.Equal(0U, apics.RegistrationCount);
        Assert.True(apics.IsInjectionDisabled(0));

        // At zero: a decrement changes nothing, an increment fails with the protocol's own error.
        Assert.Equal(SvsmResult.Success, client.Configure(ApicConfigureOperations.Deregister).Result);
        Assert.Equal(CannotRegister, client.Configure(ApicConfigureOperations.Register).Result);
        Assert.Equal(0U, apics.RegistrationCount);

        // COCONUT-SVSM keeps the vCPU's emulated APIC after disabling injection: the protocol still answers it.
        Assert.Equal(SvsmResult.Success, client.ReadRegister(ApicRegisterIndexes.ApicId).Result);
        Assert.True(apics.IsInjectionDisabled(0));
        Assert.False(apics.IsInjectionDisabled(1));
    }

    [Fact]
    public void RegistersReadAndWriteAsCpuApicRsDoesWithItsErrors()
    {
        machine.Emulator.AddApic();
        var client = new ApicClient(machine.Transport(1));
        Assert.Equal((SvsmResult.Success, 1UL), (client.ReadRegister(ApicRegisterIndexes.ApicId).Result, client.ReadRegister(ApicRegisterIndexes.ApicId).Value));
        Assert.Equal(0b10UL, client.ReadRegister(ApicRegisterIndexes.Ldr).Value);
        Assert.Equal(SvsmResult.Success, client.WriteRegister(ApicRegisterIndexes.Tpr, 0x20).Result);
        Assert.Equal(0x20UL, client.ReadRegister(ApicRegisterIndexes.Tpr).Value);
        Assert.Equal(0x20UL, client.ReadRegister(ApicRegisterIndexes.Ppr).Value);

        // Values out of range, write-only read, read-only write: INVALID_PARAMETER.
        Assert.Equal(SvsmResult.InvalidParameter, client.WriteRegister(ApicRegisterIndexes.Tpr, 0x100).Result);
        Assert.Equal(SvsmResult.InvalidParameter, client.WriteRegister(ApicRegisterIndexes.Eoi, 1).Result);
        Assert.Equal(SvsmResult.InvalidParameter, client.WriteRegister(ApicRegisterIndexes.SelfIpi, 0x100).Result);
        Assert.Equal(SvsmResult.InvalidParameter, client.ReadRegister(ApicRegisterIndexes.Eoi).Result);
        Assert.Equal(SvsmResult.InvalidParameter, client.ReadRegister(ApicRegisterIndexes.SelfIpi).Result);
        foreach (var readOnly in new ulong[] { ApicRegisterIndexes.ApicId, ApicRegisterIndexes.Ppr, ApicRegisterIndexes.Ldr, ApicRegisterIndexes.Isr3, ApicRegisterIndexes.Tmr0, ApicRegisterIndexes.Irr7 })
        {
            Assert.Equal(SvsmResult.InvalidParameter, client.WriteRegister(readOnly, 0).Result);
        }

        // Registers the protocol does not reach, and indexes beyond 32 bits: INVALID_ADDRESS.
        foreach (var unknown in new ulong[] { 0x803, 0x80F, 0x828, 0x832, 0x1_0000_0802 })
        {
            Assert.Equal(SvsmResult.InvalidAddress, client.ReadRegister(unknown).Result);
            Assert.Equal(SvsmResult.InvalidAddress, client.WriteRegister(unknown, 0).Result);
        }
    }

    [Fact]
    public void SelfIpisAreDeliveredByPriorityClassAndRetiredByEoi()
    {
        var apics = machine.Emulator.AddApic().State;
        var client = new ApicClient(machine.Transport());
        Assert.Equal(SvsmResult.Success, client.WriteRegister(ApicRegisterIndexes.SelfIpi, 0x41).Result);
        Assert.Equal(SvsmResult.Success, client.WriteRegister(ApicRegisterIndexes.SelfIpi, 0x35).Result);
        Assert.Equal((1UL << 1) | 0, client.ReadRegister(ApicRegisterIndexes.Irr2).Value);
        Assert.Equal(1UL << (0x35 - 32), client.ReadRegister(ApicRegisterIndexes.Irr1).Value);

        Assert.Equal((byte)0x41, apics.DeliverPending(0));
        Assert.Equal(1UL << 1, client.ReadRegister(ApicRegisterIndexes.Isr2).Value);
        Assert.Equal(0UL, client.ReadRegister(ApicRegisterIndexes.Irr2).Value);
        Assert.Equal(0x41UL, client.ReadRegister(ApicRegisterIndexes.Ppr).Value);

        // 0x35 is a lower class than 0x41 in service: it waits for the EOI.
        Assert.Null(apics.DeliverPending(0));
        Assert.Equal(SvsmResult.Success, client.WriteRegister(ApicRegisterIndexes.Eoi, 0).Result);
        Assert.Equal(0UL, client.ReadRegister(ApicRegisterIndexes.Isr2).Value);
        Assert.Equal((byte)0x35, apics.DeliverPending(0));
        Assert.Null(apics.DeliverPending(0));
    }

    [Fact]
    public void TheIcrSendsFixedAndNmiIpisAndRefusesEverythingElse()
    {
        var apics = machine.Emulator.AddApic().State;
        var client = new ApicClient(machine.Transport());
        var other = new ApicClient(machine.Transport(1));

        Assert.Equal(SvsmResult.Success, client.WriteRegister(ApicRegisterIndexes.Icr, (ulong)Icr(0x50, destination: 1)).Result);
        Assert.Equal(1UL << 16, other.ReadRegister(ApicRegisterIndexes.Irr2).Value);
        Assert.Equal(0UL, client.ReadRegister(ApicRegisterIndexes.Irr2).Value);
        Assert.Equal((ulong)Icr(0x50, destination: 1), client.ReadRegister(ApicRegisterIndexes.Icr).Value);

        // Logical destination: cluster 0, bit 0 is APIC id 0 (this vCPU); a broadcast reaches both.
        Assert.Equal(SvsmResult.Success, client.WriteRegister(ApicRegisterIndexes.Icr, (ulong)(Icr(0x60, destination: 1) | InterruptCommandValue.DestinationMode)).Result);
        Assert.Equal(1UL, client.ReadRegister(ApicRegisterIndexes.Irr3).Value);
        Assert.Equal(SvsmResult.Success, client.WriteRegister(ApicRegisterIndexes.Icr, (ulong)Icr(0x70, destination: uint.MaxValue)).Result);
        Assert.Equal(1UL << 16, client.ReadRegister(ApicRegisterIndexes.Irr3).Value & (1UL << 16));
        Assert.Equal(1UL << 16, other.ReadRegister(ApicRegisterIndexes.Irr3).Value);

        // An NMI to self by shorthand.
        Assert.Equal(SvsmResult.Success, client.WriteRegister(ApicRegisterIndexes.Icr, (ulong)Icr(0, messageType: 4, shorthand: 1)).Result);
        Assert.True(apics.TakeNmi(0));
        Assert.False(apics.TakeNmi(1));

        // Lowest-priority, SMI, INIT, SIPI; must-be-zero bits; delivery status and remote read: INVALID_PARAMETER.
        foreach (var bad in new[]
        {
            Icr(0x50, messageType: 1), Icr(0x50, messageType: 5), Icr(0x50, messageType: 6),
            Icr(0x50) | (InterruptCommandValue)(1UL << 13), Icr(0x50) | (InterruptCommandValue)(1UL << 20),
            Icr(0x50) | InterruptCommandValue.DeliveryStatus, Icr(0x50).WithRemoteReadStatus(1),
        })
        {
            Assert.Equal(SvsmResult.InvalidParameter, client.WriteRegister(ApicRegisterIndexes.Icr, (ulong)bad).Result);
        }
    }

    [Fact]
    public void ConfigureVectorDecidesWhichHostInterruptsArePosted()
    {
        var apics = machine.Emulator.AddApic().State;
        var client = new ApicClient(machine.Transport());
        Assert.False(apics.SignalHostInterrupt(0, 0x60));
        Assert.Equal(SvsmResult.Success, client.ConfigureVector(ConfigureVectorRcx.Enable.WithVector(0x60)).Result);
        Assert.True(apics.SignalHostInterrupt(0, 0x60, levelSensitive: true));
        Assert.Equal(1UL, client.ReadRegister(ApicRegisterIndexes.Irr3).Value);
        Assert.Equal(1UL, client.ReadRegister(ApicRegisterIndexes.Tmr3).Value);
        Assert.Equal(SvsmResult.Success, client.ConfigureVector(ConfigureVectorRcx.None.WithVector(0x60)).Result);
        Assert.False(apics.SignalHostInterrupt(0, 0x60));

        // All vectors: 31 to 255, not the exceptions below; off clears them all.
        Assert.Equal(SvsmResult.Success, client.ConfigureVector(ConfigureVectorRcx.Enable | ConfigureVectorRcx.AllVectors).Result);
        Assert.True(apics.SignalHostInterrupt(0, 31));
        Assert.True(apics.SignalHostInterrupt(0, 255));
        Assert.False(apics.SignalHostInterrupt(0, 30));
        Assert.Equal(SvsmResult.Success, client.ConfigureVector(ConfigureVectorRcx.AllVectors).Result);
        Assert.False(apics.SignalHostInterrupt(0, 200));

        Assert.Equal(SvsmResult.InvalidParameter, client.ConfigureVector((ConfigureVectorRcx)(1UL << 10)).Result);
        Assert.Equal(SvsmResult.InvalidParameter, client.ConfigureVector((ConfigureVectorRcx)(1UL << 63)).Result);
    }
}
