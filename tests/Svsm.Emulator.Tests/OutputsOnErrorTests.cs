using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Protocols;
using Svsm.Runtime;
using Svsm.Runtime.Attestation;
using Xunit;

namespace Svsm.Emulator.Tests;

/// <summary>
/// A call that fails leaves the guest's own values in its output registers, as COCONUT-SVSM's request loop copies
/// back only what its handler changed (<c>kernel/src/requests.rs</c>, <c>RequestParams::capture</c>), except in the
/// outputs a spec marks "also on error", which the handler sets on purpose: attestation's sizes with a buffer too
/// small. One test per protocol, with every register seeded so that a write of any value shows.
/// </summary>
public sealed class OutputsOnErrorTests : IDisposable
{
    private const ulong Seed = 0x5EED_5EED_5EED_5EED;

    private readonly EmulatedMachine machine = EmulatedMachine.Create();
    private readonly EmulatedSnpFirmware firmware = new();

    public void Dispose() => firmware.Dispose();

    private SvsmRegisters Call(uint protocol, uint call, ulong rcx, ulong? rdx = null, ulong? r8 = null, ulong? r9 = null)
    {
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(protocol, call), Rcx = rcx, Rdx = rdx ?? Seed, R8 = r8 ?? Seed, R9 = r9 ?? Seed, R10 = Seed, R11 = Seed };
        machine.Transport().Call(ref registers);
        return registers;
    }

    private static void AssertUntouched(SvsmRegisters after, SvsmRegisters before)
    {
        Assert.Equal(before.Rcx, after.Rcx);
        Assert.Equal(before.Rdx, after.Rdx);
        Assert.Equal(before.R8, after.R8);
        Assert.Equal(before.R9, after.R9);
        Assert.Equal((Seed, Seed), (after.R10, after.R11));
    }

    [Fact]
    public void CoreConfigureVtomRefusedKeepsRcx()
    {
        // core.rs core_configure_vtom: a set request is INVALID_REQUEST, and RCX is not written.
        var before = new SvsmRegisters { Rcx = 0x4000_0000, Rdx = Seed, R8 = Seed, R9 = Seed };
        var after = Call(CoreProtocol.Id, 7, before.Rcx);
        Assert.Equal(SvsmResult.InvalidRequestCode, after.Rax);
        AssertUntouched(after, before);

        // The query succeeds and writes RCX (0: no vTOM).
        Assert.Equal((0UL, 0UL), (Call(CoreProtocol.Id, 7, 1).Rax, Call(CoreProtocol.Id, 7, 1).Rcx));
    }

    [Fact]
    public void CoreCreateVcpuMisalignedIsInvalidAddressFromTheDispatcher()
    {
        // core.rs core_create_vcpu: either GPA not page-aligned is INVALID_ADDRESS; REMAP_CA's and PVALIDATE's INVALID_PARAMETER.
        var free = machine.Allocator.AllocatePages(2).Gpa;
        Assert.Equal(SvsmResult.InvalidAddressCode, Call(CoreProtocol.Id, 2, free + 8, free + 4096, 3).Rax);
        Assert.Equal(SvsmResult.InvalidAddressCode, Call(CoreProtocol.Id, 2, free, free + 4096 + 1, 3).Rax);
        Assert.Equal(SvsmResult.InvalidParameterCode, Call(CoreProtocol.Id, 0, free + 16).Rax);
        Assert.Equal(SvsmResult.InvalidParameterCode, Call(CoreProtocol.Id, 1, free + 4).Rax);
        Assert.Equal(SvsmResult.InvalidParameterCode, Call(CoreProtocol.Id, 3, free + 1).Rax);

        // DEPOSIT_MEM's list is "8 (not checked)": COCONUT answers UNSUPPORTED_CALL whatever its address.
        Assert.Equal(SvsmResult.UnsupportedCallCode, Call(CoreProtocol.Id, 4, free + 3).Rax);
        Assert.Equal(SvsmResult.UnsupportedCallCode, Call(CoreProtocol.Id, 5, free + 3).Rax);
    }

    [Fact]
    public void OcpListOfAnUnknownIndexKeepsRcx()
    {
        var buffer = machine.Allocator.AllocatePages(1).Gpa;
        var before = new SvsmRegisters { Rcx = 9999, Rdx = buffer, R8 = 4, R9 = Seed };
        var after = Call(OcpProtocol.Id, 0, before.Rcx, before.Rdx, before.R8);
        Assert.Equal(SvsmResult.InvalidParameterCode, after.Rax);
        AssertUntouched(after, before);

        var read = new SvsmRegisters { Rcx = 9999, Rdx = buffer, R8 = 16, R9 = 0 };
        var readAfter = Call(OcpProtocol.Id, 1, read.Rcx, read.Rdx, read.R8, read.R9);
        Assert.Equal(SvsmResult.InvalidParameterCode, readAfter.Rax);
        AssertUntouched(readAfter, read);
    }

    [Fact]
    public void AttestationKeepsTheGuestsRegistersUntilItSetsTheSizes()
    {
        machine.Emulator.AddAttestation(firmware);
        var requestGpa = machine.Allocator.AllocatePages(1).Gpa;

        // A request with reserved bytes set fails before attest.rs writes RCX, RDX and R8.
        machine.Memory.Write(requestGpa, new SvsmAttestCall { Nonce = new SvsmLocEntry { Len = 64 } });
        machine.Memory.Write(requestGpa + 0x3C, 0xFFu);
        var before = new SvsmRegisters { Rcx = requestGpa, Rdx = Seed, R8 = Seed, R9 = Seed };
        var after = Call(AttestProtocol.Id, 0, requestGpa);
        Assert.Equal(SvsmResult.InvalidParameterCode, after.Rax);
        AssertUntouched(after, before);

        // A report buffer too small: the sizes the guest needs are in RCX, RDX and R8, marked "also on error".
        var nonceGpa = machine.Allocator.AllocatePages(1).Gpa;
        machine.Memory.Write(nonceGpa, new byte[64]);
        machine.Memory.Write(requestGpa, new SvsmAttestCall
        {
            ReportBuf = new SvsmLocEntry { Pa = machine.Allocator.AllocatePages(1).Gpa, Len = 16 },
            Nonce = new SvsmLocEntry { Pa = nonceGpa, Len = 64 },
            ManifestBuf = new SvsmLocEntry { Pa = machine.Allocator.AllocatePages(1).Gpa, Len = 4096 },
        });
        var small = Call(AttestProtocol.Id, 0, requestGpa);
        Assert.Equal(SvsmResult.InvalidParameterCode, small.Rax);
        Assert.Equal((1184UL, 0UL), (small.R8, small.Rdx));
        Assert.InRange(small.Rcx, 24UL, 4096UL);
        Assert.Equal(Seed, small.R9);
    }

    [Fact]
    public void ApicReadOfAnUnknownRegisterKeepsRdx()
    {
        // The adversarial run's case: RCX=0xFFFFFFFFFFFFF000 is INVALID_ADDRESS, and RDX keeps the guest's value (apic_read_register).
        machine.Emulator.AddApic();
        var before = new SvsmRegisters { Rcx = 0xFFFF_FFFF_FFFF_F000, Rdx = Seed, R8 = Seed, R9 = Seed };
        var after = Call(3, 2, before.Rcx);
        Assert.Equal(SvsmResult.InvalidAddressCode, after.Rax);
        AssertUntouched(after, before);

        // A write-only register (EOI, 0x80B) is INVALID_PARAMETER, RDX untouched too.
        var eoi = Call(3, 2, 0x80B);
        Assert.Equal(SvsmResult.InvalidParameterCode, eoi.Rax);
        Assert.Equal(Seed, eoi.Rdx);
    }
}
