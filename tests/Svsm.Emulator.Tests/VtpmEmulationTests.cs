using System.Buffers.Binary;
using System.Security.Cryptography;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Emulator.Tpm;
using Svsm.Protocols;
using Svsm.Runtime;
using Svsm.Runtime.Attestation;
using Svsm.Runtime.Tpm;
using Xunit;

namespace Svsm.Emulator.Tests;

/// <summary>
/// The vTPM protocol (specs/vtpm.md) served by the emulator over a real swtpm this test starts on its own sockets:
/// TPM2 commands sent through the SVSM's buffer and swtpm's answers checked, vtpm.rs's order of checks, and the EK
/// public area as the vTPM service's attestation manifest.
/// </summary>
public sealed class VtpmEmulationTests : IDisposable
{
    private const uint DebugPcr = 16;

    private readonly SwtpmProcess swtpm = SwtpmProcess.Start();
    private readonly EmulatedMachine machine = EmulatedMachine.Create();
    private readonly EmulatedSnpFirmware firmware = new();
    private readonly SvsmVtpm vtpm;
    private readonly VtpmClient raw;

    public VtpmEmulationTests()
    {
        var service = machine.Emulator.AddVtpm(swtpm).State;
        machine.Emulator.AddAttestation(firmware, service);
        vtpm = new SvsmVtpm(machine.Transport(), machine.Memory, machine.Allocator);
        raw = new VtpmClient(machine.Transport());
    }

    public void Dispose()
    {
        firmware.Dispose();
        swtpm.Dispose();
    }

    private byte[] Execute(byte[] command)
    {
        var response = new byte[4096];
        return response[..vtpm.Execute(command, response)];
    }

    private void Startup() => Assert.Equal(0U, TpmWire.ResponseCode(Execute(TpmWire.StartupClearCommand())));

    [Fact]
    public void QueryOffersTpmSendCommandAndNoFeatures()
    {
        var query = raw.Query();
        Assert.Equal((SvsmResult.Success, 0x100UL, 0UL), (query.Result, query.PlatformCommands, query.Features));
        Assert.True(vtpm.Probe());
    }

    [Fact]
    public void GetRandomGoesThroughTheSvsmToSwtpm()
    {
        // Before TPM2_Startup the TPM answers TPM_RC_INITIALIZE inside a call that succeeds.
        Assert.Equal(TpmWire.ResponseInitialize, TpmWire.ResponseCode(Execute(TpmWire.GetRandomCommand(16))));
        Startup();
        var response = Execute(TpmWire.GetRandomCommand(16));
        Assert.Equal("80010000001c00000000", Convert.ToHexStringLower(response.AsSpan(0, 10)));
        var first = TpmWire.GetRandomBytes(response);
        var second = TpmWire.GetRandomBytes(Execute(TpmWire.GetRandomCommand(16)));
        Assert.Equal(16, first.Length);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void PcrExtendThenReadGivesTheHashChainSwtpmComputed()
    {
        Startup();
        var before = TpmWire.PcrReadDigest(Execute(TpmWire.PcrReadCommand(DebugPcr)));
        Assert.Equal(32, before.Length);
        var measurement = SHA256.HashData("svsm-bindings"u8);
        Assert.Equal(0U, TpmWire.ResponseCode(Execute(TpmWire.PcrExtendCommand(DebugPcr, measurement))));
        var after = TpmWire.PcrReadDigest(Execute(TpmWire.PcrReadCommand(DebugPcr)));
        Assert.Equal(SHA256.HashData([.. before, .. measurement]), after);

        // The same command sent straight to swtpm reads the same value: the SVSM path adds nothing and loses nothing.
        var direct = new byte[4096];
        var length = swtpm.Execute(TpmWire.PcrReadCommand(DebugPcr), direct);
        Assert.Equal(after, TpmWire.PcrReadDigest(direct.AsSpan(0, length)));
    }

    [Fact]
    public void TheBufferIsCheckedInVtpmRsOrderAndNothingOutsideItIsTouched()
    {
        Startup();
        var gpa = machine.Allocator.AllocatePages(3).Gpa + 4096;
        machine.Memory.Write(gpa - 16, Enumerable.Repeat((byte)0xCC, 16).ToArray());
        machine.Memory.Write(gpa + 4096, Enumerable.Repeat((byte)0xCC, 16).ToArray());
        void Request(uint command, byte locality, uint size, byte[] input)
        {
            var bytes = new byte[9 + input.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, command);
            bytes[4] = locality;
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(5), size);
            input.CopyTo(bytes, 9);
            machine.Memory.Write(gpa, bytes);
        }

        var getRandom = TpmWire.GetRandomCommand(8);
        Assert.Equal(SvsmResult.InvalidParameter, raw.Cmd(0).Result);
        Request(7, 0, (uint)getRandom.Length, getRandom);
        Assert.Equal(SvsmResult.InvalidParameter, raw.Cmd(gpa).Result);
        Request(8, 1, (uint)getRandom.Length, getRandom);
        Assert.Equal(SvsmResult.InvalidParameter, raw.Cmd(gpa).Result);
        Request(8, 0, 4088, getRandom);
        Assert.Equal(SvsmResult.InvalidParameter, raw.Cmd(gpa).Result);

        // Unreadable platform command: INVALID_PARAMETER; readable, but not all 4096 bytes: INVALID_ADDRESS.
        Assert.Equal(SvsmResult.InvalidParameter, raw.Cmd(0xFFFF_FFFF_0000).Result);
        var top = machine.Emulator.Options.MemorySize - 8;
        machine.Memory.Write(top, 8u);
        Assert.Equal(SvsmResult.InvalidAddress, raw.Cmd(top).Result);

        Request(8, 0, (uint)getRandom.Length, getRandom);
        Assert.Equal(SvsmResult.Success, raw.Cmd(gpa).Result);
        var response = new byte[4 + 20];
        machine.Memory.Read(gpa, response);
        Assert.Equal(20U, BinaryPrimitives.ReadUInt32LittleEndian(response));
        Assert.Equal(0U, TpmWire.ResponseCode(response.AsSpan(4)));
        var canaries = new byte[16];
        machine.Memory.Read(gpa - 16, canaries);
        Assert.All(canaries, b => Assert.Equal(0xCC, b));
        machine.Memory.Read(gpa + 4096, canaries);
        Assert.All(canaries, b => Assert.Equal(0xCC, b));

        // An unknown call: UNSUPPORTED_CALL.
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(2, 2) };
        machine.Transport().Call(ref registers);
        Assert.Equal(SvsmResult.UnsupportedCallCode, registers.Rax);
    }

    [Fact]
    public void TheVtpmIsAttestedWithItsEndorsementKeyAsManifest()
    {
        var attestation = new SvsmAttestationClient(machine.Transport(), machine.Memory, machine.Allocator);
        var nonce = RandomNumberGenerator.GetBytes(64);

        // COCONUT-SVSM makes the EK with TPM2_CreatePrimary, which a TPM not yet started refuses.
        Assert.Equal(SvsmResult.InvalidRequest, Assert.Throws<SvsmCallException>(() => attestation.Attest(nonce, SvsmAttestationGuids.Vtpm)).Result);

        Startup();
        var evidence = attestation.Attest(nonce, SvsmAttestationGuids.Vtpm);
        var ek = evidence.Manifest.ToArray();
        Assert.Equal(314, ek.Length);
        Assert.Equal(TpmWire.EkTemplateRsa2048[..56].ToArray(), ek[..56]);
        Assert.Contains(ek[58..], b => b != 0);
        Assert.Equal(SnpVerification.Valid.Reason, evidence.Verify(firmware.Ark).Reason);

        // The services manifest carries the same EK, and the EK is made once.
        var all = attestation.Attest(nonce);
        Assert.Equal(ek, Assert.Single(all.Services).Manifest.ToArray());
    }

    [Fact]
    public void ATpmThatIsGoneIsInvalidRequest()
    {
        Startup();
        swtpm.Dispose();
        Assert.Equal(SvsmResult.InvalidRequest, Assert.Throws<SvsmCallException>(() => Execute(TpmWire.GetRandomCommand(8))).Result);
    }

    [Fact]
    public void ASwtpmThatCannotStartSaysWhy()
    {
        Assert.Contains("apt-get install swtpm", Assert.Throws<TpmException>(() => SwtpmProcess.Start(executable: "/nonexistent/swtpm")).Message);
        Assert.Contains("exited with 1", Assert.Throws<TpmException>(() => SwtpmProcess.Start(executable: "false")).Message);
    }
}
