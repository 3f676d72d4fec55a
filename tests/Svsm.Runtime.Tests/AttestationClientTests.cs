using System.Buffers.Binary;
using System.Security.Cryptography;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Emulator.Services.Attestation;
using Svsm.Runtime.Attestation;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>
/// The guest-side attestation client against the emulator: buffers, resize and retry, the manifest and certificate
/// table parsed, and verification that catches a wrong root, a changed report and a report for another manifest.
/// </summary>
public sealed class AttestationClientTests : IDisposable
{
    private static readonly byte[] VtpmManifest = Enumerable.Range(0, 314).Select(i => (byte)(i * 7)).ToArray();

    private readonly EmulatedMachine machine = EmulatedMachine.Create();
    private readonly EmulatedSnpFirmware firmware = new();
    private readonly byte[] nonce = RandomNumberGenerator.GetBytes(64);

    public void Dispose() => firmware.Dispose();

    private SvsmAttestationClient Client(bool certificates = true, params AttestedService[] services)
    {
        machine.Emulator.AddAttestation(firmware, services.Length > 0 ? services : [new AttestedService(SvsmAttestationGuids.Vtpm, "vTPM", () => VtpmManifest)]);
        return new SvsmAttestationClient(machine.Transport(), machine.Memory, machine.Allocator, certificates);
    }

    [Fact]
    public void AttestingEveryServiceGivesTypedEvidenceThatVerifiesAgainstThePinnedRoot()
    {
        var client = Client();
        var evidence = client.Attest(nonce);
        Assert.Equal(1, client.LastCallCount);

        var service = Assert.Single(evidence.Services);
        Assert.Equal((SvsmAttestationGuids.Vtpm, "vTPM"), (service.Id, service.Name));
        Assert.Equal(VtpmManifest, service.Manifest.ToArray());
        Assert.Equal(362, evidence.Manifest.Length);
        Assert.Equal(["VCEK", "ASK", "ARK"], evidence.Certificates.Select(c => c.Name));
        Assert.Equal(firmware.Vcek.RawData, evidence.Certificates[0].Der.ToArray());
        Assert.Equal(0U, evidence.Fields.Vmpl);
        var fields = evidence.Fields;
        Assert.Equal(firmware.Identity.Measurement, ((ReadOnlySpan<byte>)fields.Measurement).ToArray());
        Assert.Equal(SnpVerification.Valid.Reason, evidence.Verify(firmware.Ark).Reason);
    }

    [Fact]
    public void ASingleServiceIsAttestedOverItsOwnManifest()
    {
        var client = Client();
        Assert.Throws<ArgumentException>(() => client.AttestService(Guid.Empty, nonce));
        var evidence = client.AttestService(SvsmAttestationGuids.Vtpm, nonce);
        Assert.Equal(VtpmManifest, evidence.Manifest.ToArray());
        Assert.Equal(SvsmAttestationGuids.Vtpm, Assert.Single(evidence.Services).Id);
        var fields = evidence.Fields;
        Assert.Equal(SHA512.HashData([.. nonce, .. VtpmManifest]), ((ReadOnlySpan<byte>)fields.ReportData).ToArray());
        Assert.Equal(SnpVerification.Valid.Reason, evidence.Verify(firmware.Ark).Reason);
    }

    [Fact]
    public void AManifestLargerThanAPageIsFetchedAgainWithTheSizeTheSvsmAsked()
    {
        var large = RandomNumberGenerator.GetBytes(9000);
        var client = Client(true, new AttestedService(SvsmAttestationGuids.Vtpm, "vTPM", () => large), new AttestedService(Guid.NewGuid(), "other", () => [1, 2, 3]));
        var evidence = client.Attest(nonce);
        Assert.Equal(2, client.LastCallCount);
        Assert.Equal(large, evidence.Services[0].Manifest.ToArray());
        Assert.Equal(new byte[] { 1, 2, 3 }, evidence.Services[1].Manifest.ToArray());
        Assert.Equal(SnpVerification.Valid.Reason, evidence.Verify(firmware.Ark).Reason);

        // The grown buffer is kept: the next attestation takes one call.
        client.Attest(nonce);
        Assert.Equal(1, client.LastCallCount);
    }

    [Fact]
    public void VerificationCatchesAWrongRootAChangedReportAndAnotherManifest()
    {
        var evidence = Client().Attest(nonce);
        using (var other = new EmulatedSnpFirmware())
        {
            Assert.False(evidence.Verify(other.Ark).IsValid);
        }

        var report = evidence.Report.ToArray();
        report[0x90] ^= 1;
        var changed = new AttestationEvidence(evidence.Nonce, Guid.Empty, report, evidence.Manifest, evidence.CertificateTable);
        Assert.Equal(SnpVerificationFailure.BadSignature, changed.Verify(firmware.Ark).Failure);

        // Same signed report, presented with another nonce: REPORT_DATA no longer binds it.
        var replayed = new AttestationEvidence(RandomNumberGenerator.GetBytes(64), Guid.Empty, evidence.Report, evidence.Manifest, evidence.CertificateTable);
        Assert.Equal(SnpVerificationFailure.ReportDataMismatch, replayed.Verify(firmware.Ark).Failure);
    }

    [Fact]
    public void WithoutCertificatesVerificationSaysWhatIsMissingAndAValidatedKeyStillVerifies()
    {
        var evidence = Client(certificates: false).Attest(nonce);
        Assert.Empty(evidence.Certificates);
        Assert.Equal(0, evidence.CertificateTable.Length);
        Assert.Equal(SnpVerificationFailure.CertificateMissing, evidence.Verify(firmware.Ark).Failure);

        var (key, chain) = SnpTrustedSigningKey.Validate(firmware.Vcek, firmware.Ask, firmware.Ark);
        Assert.True(chain.IsValid);
        using (key)
        {
            Assert.Equal(SnpVerification.Valid.Reason, evidence.Verify(key!).Reason);
        }
    }

    [Fact]
    public void TheSvsmsRefusalAndABadNonceAreReportedNotRetried()
    {
        var client = Client();
        var refused = Assert.Throws<SvsmCallException>(() => client.Attest(nonce, Guid.NewGuid()));
        Assert.Equal((SvsmResult.UnsupportedProtocol, 1), (refused.Result, client.LastCallCount));
        Assert.Equal(SvsmResult.InvalidParameter, Assert.Throws<SvsmCallException>(() => client.Attest(nonce, SvsmAttestationGuids.Vtpm, manifestVersion: 1)).Result);
        Assert.Equal(1, client.LastCallCount);
        Assert.Throws<ArgumentException>(() => client.Attest(new byte[32]));
    }

    [Fact]
    public void AnSvsmThatKeepsAskingForMoreIsGivenUpOnAfterThreeRetries()
    {
        var calls = 0;
        var greedy = new DelegateTransport((ref SvsmRegisters registers) =>
        {
            calls++;
            registers.Rax = SvsmResult.InvalidParameterCode;
            registers.Rcx = (ulong)calls * 8192;
        });
        var client = new SvsmAttestationClient(greedy, machine.Memory, machine.Allocator);
        Assert.Equal(SvsmResult.InvalidParameter, Assert.Throws<SvsmCallException>(() => client.Attest(nonce)).Result);
        Assert.Equal(1 + SvsmAttestationClient.MaxRetries, calls);
    }

    [Fact]
    public void MalformedManifestsAndCertificateTablesAreRefusedWithWhatIsWrong()
    {
        var manifest = Client().Attest(nonce).Manifest.ToArray();
        byte[] Changed(int at, uint value)
        {
            var copy = manifest.ToArray();
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at), value);
            return copy;
        }

        Assert.Contains("starts with", Assert.Throws<AttestationFormatException>(() => AttestationEvidence.ParseServicesManifest(Changed(0, 0))).Message);
        Assert.Contains("says it is 363 bytes", Assert.Throws<AttestationFormatException>(() => AttestationEvidence.ParseServicesManifest(Changed(16, 363))).Message);
        Assert.Contains("lists 15 services", Assert.Throws<AttestationFormatException>(() => AttestationEvidence.ParseServicesManifest(Changed(20, 15))).Message);
        Assert.Contains("outside", Assert.Throws<AttestationFormatException>(() => AttestationEvidence.ParseServicesManifest(Changed(44, 315))).Message);
        Assert.Throws<AttestationFormatException>(() => AttestationEvidence.ParseServicesManifest(manifest.AsMemory(0, 20)));

        var table = new byte[48];
        table[0] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(20), 33);
        Assert.Contains("outside", Assert.Throws<AttestationFormatException>(() => AttestationEvidence.ParseCertificateTable(table)).Message);
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(20), 8);
        Assert.Single(AttestationEvidence.ParseCertificateTable(table));
        Assert.Contains("no all-zero entry", Assert.Throws<AttestationFormatException>(() => AttestationEvidence.ParseCertificateTable(table.AsMemory(0, 24))).Message);
        Assert.Throws<AttestationFormatException>(() => new AttestationEvidence(nonce, Guid.Empty, new byte[100], manifest, default));
    }

    private delegate void Handler(ref SvsmRegisters registers);

    private sealed class DelegateTransport(Handler handler) : ISvsmTransport
    {
        public void Call(ref SvsmRegisters registers) => handler(ref registers);
    }
}
