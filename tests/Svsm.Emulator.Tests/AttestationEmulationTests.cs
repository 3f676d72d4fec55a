using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Emulator.Services.Attestation;
using Svsm.Protocols;
using Svsm.Runtime;
using Svsm.Runtime.Attestation;
using Xunit;

namespace Svsm.Emulator.Tests;

/// <summary>
/// The attestation protocol (specs/attestation.md) as COCONUT-SVSM's attest.rs serves it, through the
/// <c>AttestClient</c> generated from the spec: checks in its order, sizes out before the too-small checks, and a
/// report from the emulated firmware that verifies, with REPORT_DATA = SHA-512(nonce ‖ manifest).
/// </summary>
public sealed class AttestationEmulationTests : IDisposable
{
    private static readonly Guid VtpmGuid = new("c476f1eb-0123-45a5-9641-b4e7dde5bfe3");
    private static readonly byte[] VtpmManifest = Enumerable.Range(0, 314).Select(i => (byte)(i * 7)).ToArray();

    private readonly EmulatedMachine machine = EmulatedMachine.Create();
    private readonly EmulatedSnpFirmware firmware = new();
    private readonly AttestClient attest;
    private readonly byte[] nonce = RandomNumberGenerator.GetBytes(64);

    public AttestationEmulationTests()
    {
        machine.Emulator.AddAttestation(firmware, new AttestedService(VtpmGuid, "vTPM", () => VtpmManifest));
        attest = new AttestClient(machine.Transport());
    }

    public void Dispose() => firmware.Dispose();

    private ulong Pages(int count) => machine.Allocator.AllocatePages(count).Gpa;

    private (ulong Gpa, SvsmAttestCall Request) Request(uint reportLength = 4096, uint manifestLength = 4096, uint certificatesLength = 0)
    {
        var nonceGpa = Pages(1) + 0x100;
        machine.Memory.Write(nonceGpa, nonce);
        var request = new SvsmAttestCall
        {
            ReportBuf = new SvsmLocEntry { Pa = Pages(1), Len = reportLength },
            Nonce = new SvsmLocEntry { Pa = nonceGpa, Len = 64 },
            ManifestBuf = new SvsmLocEntry { Pa = Pages(1), Len = manifestLength },
            CertificatesBuf = new SvsmLocEntry { Pa = certificatesLength > 0 ? Pages(4) : 0, Len = certificatesLength },
        };
        return (Pages(1), request);
    }

    private AttestServicesResult Services(ulong gpa, SvsmAttestCall request)
    {
        machine.Memory.Write(gpa, request);
        return attest.Services(gpa);
    }

    private byte[] Read(ulong gpa, uint length)
    {
        var bytes = new byte[length];
        machine.Memory.Read(gpa, bytes);
        return bytes;
    }

    [Fact]
    public void AttestingAllServicesReturnsAVerifiableReportOverNonceAndManifest()
    {
        var (gpa, request) = Request(certificatesLength: 0x4000);
        var result = Services(gpa, request);
        Assert.Equal(SvsmResult.Success, result.Result);
        Assert.Equal((362U, 0x4000U, 1184U), (result.ManifestSize, result.CertificatesSize, result.ReportSize));

        // The services manifest: header GUID, total length, count, then a 24-byte entry per service and the blobs.
        var manifest = Read(request.ManifestBuf.Pa, result.ManifestSize!.Value);
        Assert.Equal("bb9e8463923d7046a1ff58f9c94b87bb", Convert.ToHexStringLower(manifest.AsSpan(0, 16)));
        Assert.Equal((362U, 1U), (BinaryPrimitives.ReadUInt32LittleEndian(manifest.AsSpan(16)), BinaryPrimitives.ReadUInt32LittleEndian(manifest.AsSpan(20))));
        Assert.Equal("ebf176c42301a5459641b4e7dde5bfe3", Convert.ToHexStringLower(manifest.AsSpan(24, 16)));
        Assert.Equal((48U, 314U), (BinaryPrimitives.ReadUInt32LittleEndian(manifest.AsSpan(40)), BinaryPrimitives.ReadUInt32LittleEndian(manifest.AsSpan(44))));
        Assert.Equal(VtpmManifest, manifest[48..]);

        // The certificate table the host gave: VCEK, ASK, ARK in DER, then an all-zero entry.
        var table = Read(request.CertificatesBuf.Pa, result.CertificatesSize!.Value);
        var certificates = Enumerable.Range(0, 3).Select(i =>
        {
            var entry = table.AsSpan(i * 24, 24);
            return X509CertificateLoader.LoadCertificate(table.AsSpan((int)BinaryPrimitives.ReadUInt32LittleEndian(entry[16..]), (int)BinaryPrimitives.ReadUInt32LittleEndian(entry[20..])));
        }).ToArray();
        Assert.All(table.AsSpan(72, 24).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal("63da758de6644564adc5f4b93be8accd", Convert.ToHexStringLower(table.AsSpan(0, 16)));

        // Verify against the pinned emulated root, with the certificates the SVSM returned.
        var report = Read(request.ReportBuf.Pa, result.ReportSize!.Value);
        var (key, chain) = SnpTrustedSigningKey.Validate(certificates[0], certificates[1], firmware.Ark);
        Assert.True(chain.IsValid, chain.ToString());
        Assert.Equal(SnpVerification.Valid.Reason, key!.Verify(report).Reason);
        var parsed = MemoryMarshal.Read<AttestationReport>(report);
        Assert.Equal(SHA512.HashData([.. nonce, .. manifest]), ((ReadOnlySpan<byte>)parsed.ReportData).ToArray());
        Assert.Equal(0U, parsed.Vmpl);
    }

    [Fact]
    public void BuffersTooSmallGetInvalidParameterWithTheSizesNeededAndNothingWritten()
    {
        var (gpa, request) = Request(reportLength: 1000, manifestLength: 100);
        var result = Services(gpa, request);
        Assert.Equal(SvsmResult.InvalidParameter, result.Result);
        // No certificates asked for: RDX is set to 0, which the client sent, so the client cannot tell it was set.
        Assert.Equal(((uint?)362U, (uint?)null, (uint?)1184U), (result.ManifestSize, result.CertificatesSize, result.ReportSize));
        Assert.All(Read(request.ReportBuf.Pa, 4096), b => Assert.Equal(0, b));

        // Certificates: COCONUT-SVSM always returns its whole 16 KiB buffer.
        (gpa, request) = Request(certificatesLength: 0x3000);
        result = Services(gpa, request);
        Assert.Equal((SvsmResult.InvalidParameter, 0x4000U), (result.Result, result.CertificatesSize));
        (gpa, request) = Request(certificatesLength: 0x5000);
        Assert.Equal(SvsmResult.InvalidParameter, Services(gpa, request).Result);
    }

    [Fact]
    public void ReservedBytesNonceAndAlignmentAreCheckedAsAttestRsDoes()
    {
        var (gpa, request) = Request();
        var bad = request;
        bad.Nonce.Reserved = 0x0001_0000;
        Assert.Equal(SvsmResult.InvalidParameter, Services(gpa, bad).Result);

        // Linux's u32 nonce length: COCONUT-SVSM reads 16 bits, the rest is reserved.
        bad = request;
        bad.Nonce.Len = 0x1_0040;
        Assert.Equal(SvsmResult.InvalidParameter, Services(gpa, bad).Result);
        bad.Nonce.Len = 32;
        Assert.Equal(SvsmResult.InvalidParameter, Services(gpa, bad).Result);

        // A nonce that crosses a page.
        bad = request;
        bad.Nonce.Pa = (request.Nonce.Pa & ~0xFFFUL) + 4096 - 63;
        Assert.Equal(SvsmResult.InvalidParameter, Services(gpa, bad).Result);

        bad = request;
        bad.ReportBuf.Pa += 8;
        Assert.Equal(SvsmResult.InvalidParameter, Services(gpa, bad).Result);
        bad = request;
        bad.ManifestBuf.Pa = 0xFFFF_FFFF_FFFF_F000;
        bad.ManifestBuf.Len = 0x2000;
        Assert.Equal(SvsmResult.InvalidAddress, Services(gpa, bad).Result);

        // A request GPA outside guest memory, and one that needs no alignment.
        Assert.Equal(SvsmResult.InvalidParameter, attest.Services(0xFFFF_FFFF_0000).Result);
        machine.Memory.Write(gpa + 3, request);
        Assert.Equal(SvsmResult.Success, attest.Services(gpa + 3).Result);
    }

    [Fact]
    public void ASingleServiceIsAttestedWithItsOwnManifest()
    {
        var (gpa, request) = Request();
        VtpmGuid.TryWriteBytes(request.ServiceGuid);
        machine.Memory.Write(gpa, request);
        var result = attest.SingleService(gpa);
        Assert.Equal((SvsmResult.Success, 314U), (result.Result, result.ManifestSize));
        var report = MemoryMarshal.Read<AttestationReport>(Read(request.ReportBuf.Pa, 1184));
        Assert.Equal(SHA512.HashData([.. nonce, .. VtpmManifest]), ((ReadOnlySpan<byte>)report.ReportData).ToArray());

        var other = request;
        Guid.NewGuid().TryWriteBytes(other.ServiceGuid);
        machine.Memory.Write(gpa, other);
        Assert.Equal(SvsmResult.UnsupportedProtocol, attest.SingleService(gpa).Result);

        other = request;
        other.ServiceManifestVer = 1;
        machine.Memory.Write(gpa, other);
        Assert.Equal(SvsmResult.InvalidParameter, attest.SingleService(gpa).Result);

        // An unknown call id: COCONUT-SVSM answers UNSUPPORTED_PROTOCOL.
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(1, 2), Rcx = gpa };
        machine.Transport().Call(ref registers);
        Assert.Equal(SvsmResult.UnsupportedProtocolCode, registers.Rax);
    }
}
