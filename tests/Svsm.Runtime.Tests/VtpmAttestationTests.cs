using System.Security.Cryptography;
using CsCheck;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Emulator.Tpm;
using Svsm.Runtime.Attestation;
using Svsm.Runtime.Tpm;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>
/// The vTPM attested end to end against the emulator, with a real swtpm as the vTPM: the EK bound to the SVSM's
/// report, the AK proven by credential activation, the quote verified; each part swapped for another run's fails
/// with its own reason, and tpm2-tools' own MakeCredential and checkquote agree with ours.
/// </summary>
public sealed class VtpmAttestationTests : IDisposable
{
    private static readonly int[] Pcrs = [0, 7, 16];
    private readonly SwtpmProcess swtpm = SwtpmProcess.Start(startupClear: true);
    private readonly EmulatedSnpFirmware firmware = new();
    private readonly EmulatedMachine machine = EmulatedMachine.Create();
    private readonly SvsmAttestationClient svsm;
    private readonly SvsmVtpm vtpm;
    private readonly string directory = Directory.CreateTempSubdirectory("svsm-vtpm-attest-").FullName;

    public VtpmAttestationTests()
    {
        var service = machine.Emulator.AddVtpm(swtpm).State;
        machine.Emulator.AddAttestation(firmware, service);
        svsm = new SvsmAttestationClient(machine.Transport(), machine.Memory, machine.Allocator);
        vtpm = new SvsmVtpm(machine.Transport(), machine.Memory, machine.Allocator);
    }

    public void Dispose()
    {
        swtpm.Dispose();
        firmware.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private (VtpmEvidence Evidence, VtpmChallenger Challenger) Attest()
    {
        var challenger = new VtpmChallenger();
        return (VtpmAttestation.Attest(svsm, vtpm, challenger.Nonce, Pcrs, challenger.Challenge), challenger);
    }

    [Fact]
    public void TheEvidenceVerifies()
    {
        var (evidence, challenger) = Attest();
        Assert.Equal(VtpmVerification.Valid.Reason, evidence.Verify(firmware.Ark, challenger).Reason);
        Assert.Equal(3, evidence.PcrValues.Count);
    }

    [Fact]
    public void TheEvidenceVerifiesThroughTheMssimEndpoint()
    {
        using var endpoint = new TpmMssimEndpoint(vtpm, port: 0);
        using var tpm = new TpmMssimClient(port: endpoint.Port);
        var challenger = new VtpmChallenger();
        var evidence = VtpmAttestation.Attest(svsm, tpm, challenger.Nonce, Pcrs, challenger.Challenge);
        Assert.Equal(VtpmVerification.Valid.Reason, evidence.Verify(firmware.Ark, challenger).Reason);
    }

    [Fact]
    public void EachPartSwappedForAnotherRunsFailsWithItsReason()
    {
        var (evidence, challenger) = Attest();
        var (other, _) = Attest();
        var cases = new (VtpmEvidence Evidence, VtpmVerificationFailure Failure)[]
        {
            (new VtpmEvidence(evidence.Nonce, other.Report, evidence.EndorsementKey, evidence.AttestationKey, evidence.Challenge, evidence.ActivatedCredential, evidence.QuoteAttest, evidence.QuoteSignature, evidence.Pcrs, evidence.PcrValues), VtpmVerificationFailure.ReportInvalid),
            (new VtpmEvidence(evidence.Nonce, evidence.Report, evidence.EndorsementKey, other.AttestationKey, evidence.Challenge, evidence.ActivatedCredential, evidence.QuoteAttest, evidence.QuoteSignature, evidence.Pcrs, evidence.PcrValues), VtpmVerificationFailure.CredentialNotActivated),
            (new VtpmEvidence(evidence.Nonce, evidence.Report, evidence.EndorsementKey, evidence.AttestationKey, evidence.Challenge, other.ActivatedCredential, evidence.QuoteAttest, evidence.QuoteSignature, evidence.Pcrs, evidence.PcrValues), VtpmVerificationFailure.CredentialNotActivated),
            (new VtpmEvidence(evidence.Nonce, evidence.Report, evidence.EndorsementKey, evidence.AttestationKey, evidence.Challenge, evidence.ActivatedCredential, other.QuoteAttest, other.QuoteSignature, evidence.Pcrs, evidence.PcrValues), VtpmVerificationFailure.QuoteSignature),
            (new VtpmEvidence(evidence.Nonce, evidence.Report, evidence.EndorsementKey, evidence.AttestationKey, evidence.Challenge, evidence.ActivatedCredential, evidence.QuoteAttest, evidence.QuoteSignature, evidence.Pcrs, [evidence.PcrValues[0], evidence.PcrValues[1], Enumerable.Repeat((byte)0xFF, 32).ToArray()]), VtpmVerificationFailure.PcrDigest),
            (new VtpmEvidence(evidence.Nonce, evidence.Report, Ek(other.EndorsementKey), evidence.AttestationKey, evidence.Challenge, evidence.ActivatedCredential, evidence.QuoteAttest, evidence.QuoteSignature, evidence.Pcrs, evidence.PcrValues), VtpmVerificationFailure.EkMismatch),
            (new VtpmEvidence(evidence.Nonce, evidence.Report, evidence.EndorsementKey, evidence.AttestationKey, evidence.Challenge, evidence.ActivatedCredential, evidence.QuoteAttest[..20], evidence.QuoteSignature, evidence.Pcrs, evidence.PcrValues), VtpmVerificationFailure.Malformed),
        };
        foreach (var (changed, failure) in cases)
        {
            Assert.Equal(failure, changed.Verify(firmware.Ark, challenger).Failure);
        }

        // The manifest alone swapped: REPORT_DATA no longer binds it.
        var report = evidence.Report;
        var manifestSwapped = new AttestationEvidence(report.Nonce, report.Service, report.Report, Ek(report.Manifest.ToArray()), report.CertificateTable);
        var withManifest = new VtpmEvidence(evidence.Nonce, manifestSwapped, evidence.EndorsementKey, evidence.AttestationKey, evidence.Challenge, evidence.ActivatedCredential, evidence.QuoteAttest, evidence.QuoteSignature, evidence.Pcrs, evidence.PcrValues);
        var manifestResult = withManifest.Verify(firmware.Ark, challenger);
        Assert.Equal(VtpmVerificationFailure.ReportInvalid, manifestResult.Failure);
        Assert.Contains("ReportDataMismatch", manifestResult.Reason, StringComparison.Ordinal);

        // The nonce the verifier asked for, and the quote of another run with its own AK: the report binds the nonce first.
        var replay = new VtpmEvidence(other.Nonce, evidence.Report, evidence.EndorsementKey, evidence.AttestationKey, evidence.Challenge, evidence.ActivatedCredential, evidence.QuoteAttest, evidence.QuoteSignature, evidence.Pcrs, evidence.PcrValues);
        Assert.Equal(VtpmVerificationFailure.ReportInvalid, replay.Verify(firmware.Ark, challenger).Failure);
    }

    [Fact]
    public void TruncatedOrGarbledStructuresAreFormatErrorsNeverExceptions()
    {
        var (evidence, challenger) = Attest();
        var mutation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 400], Gen.Byte, Gen.Bool);
        mutation.Sample((part, at, value, truncate) =>
        {
            byte[] Change(byte[] bytes)
            {
                var changed = (byte[])bytes.Clone();
                if (truncate)
                {
                    return changed[..Math.Min(at, changed.Length - 1)];
                }

                changed[at % changed.Length] ^= (byte)(value | 1);
                return changed;
            }

            var changed = new VtpmEvidence(
                evidence.Nonce, evidence.Report,
                part == 0 ? Change(evidence.EndorsementKey) : evidence.EndorsementKey,
                part == 1 ? Change(evidence.AttestationKey) : evidence.AttestationKey,
                evidence.Challenge, evidence.ActivatedCredential,
                part == 2 ? Change(evidence.QuoteAttest) : evidence.QuoteAttest,
                part == 3 ? Change(evidence.QuoteSignature) : evidence.QuoteSignature,
                evidence.Pcrs, evidence.PcrValues);
            var result = changed.Verify(firmware.Ark, challenger);
            Assert.False(result.IsValid, $"part {part} changed at {at} still verifies");
            if (truncate)
            {
                Assert.True(result.Failure is VtpmVerificationFailure.Malformed or VtpmVerificationFailure.EkMismatch, result.Reason);
            }
        }, iter: 400);

        var malformed = new VtpmEvidence(evidence.Nonce, evidence.Report, evidence.EndorsementKey, evidence.AttestationKey[..30], evidence.Challenge, evidence.ActivatedCredential, evidence.QuoteAttest, evidence.QuoteSignature, evidence.Pcrs, evidence.PcrValues)
            .Verify(firmware.Ark, challenger);
        Assert.Equal(VtpmVerificationFailure.Malformed, malformed.Failure);
        Assert.Contains("AK TPMT_PUBLIC", malformed.Reason, StringComparison.Ordinal);
    }

    // The same TPM's EK, with one byte of its modulus changed: another key than the one attested.
    private static byte[] Ek(byte[] area)
    {
        var changed = (byte[])area.Clone();
        changed[^1] ^= 1;
        return changed;
    }

    [Fact]
    public void TheQuoteNonceIsChecked()
    {
        var (evidence, challenger) = Attest();
        var quote = TpmQuote.Read(evidence.QuoteAttest, evidence.QuoteSignature);
        Assert.Equal(SHA256.HashData(evidence.Nonce), quote.ExtraData);
    }

    [Fact]
    public void TheKdfAndCredentialMatchTpm2ToolsMakeCredential()
    {
        // tpm2_makecredential -T none: the tool's own software MakeCredential, for our EK and AK name; the TPM
        // (through the SVSM) activates it, which it does only for the same format.
        var response = new byte[TpmWire.MaxResponseSize];
        var ekArea = TpmWire.CreateEndorsementKeyPublic(vtpm);
        File.WriteAllBytes(Path.Combine(directory, "ek.pub"), [(byte)(ekArea.Length >> 8), (byte)ekArea.Length, .. ekArea]);
        var verifier = new VtpmChallenger();
        File.WriteAllBytes(Path.Combine(directory, "secret.bin"), verifier.Credential);
        byte[]? recovered = null;
        var challenger = new Func<TpmRsaPublic, TpmRsaPublic, VtpmChallenge>((ek, ak) =>
        {
            Tool("tpm2_makecredential", "-T", "none", "-u", "ek.pub", "-s", "secret.bin", "-n", Convert.ToHexStringLower(ak.Name()), "-o", "cred.out");
            var file = File.ReadAllBytes(Path.Combine(directory, "cred.out"));

            // tpm2-tools' credential file: magic 0xBADCC0DE, version 1, then the TPM2B_ID_OBJECT and the TPM2B_ENCRYPTED_SECRET.
            Assert.Equal(0xBADCC0DEu, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(file));
            var blobLength = 2 + ((file[8] << 8) | file[9]);
            return new VtpmChallenge(file[8..(8 + blobLength)], file[(8 + blobLength)..]);
        });
        var evidence = VtpmAttestation.Attest(svsm, vtpm, verifier.Nonce, Pcrs, challenger);
        recovered = evidence.ActivatedCredential;
        Assert.Equal(verifier.Credential, recovered);
    }

    [Fact]
    public void Tpm2CheckquoteAcceptsOurQuote()
    {
        var (evidence, _) = Attest();
        var ak = TpmRsaPublic.Read(evidence.AttestationKey);
        using (var rsa = ak.ToRsa())
        {
            File.WriteAllText(Path.Combine(directory, "ak.pem"), rsa.ExportSubjectPublicKeyInfoPem());
        }

        File.WriteAllBytes(Path.Combine(directory, "quote.msg"), evidence.QuoteAttest);
        File.WriteAllBytes(Path.Combine(directory, "quote.sig"), evidence.QuoteSignature);
        Tool("tpm2_checkquote", "-u", "ak.pem", "-m", "quote.msg", "-s", "quote.sig", "-g", "sha256", "-q", Convert.ToHexStringLower(SHA256.HashData(evidence.Nonce)));

        var (exit, _) = Run("tpm2_checkquote", "-u", "ak.pem", "-m", "quote.msg", "-s", "quote.sig", "-g", "sha256", "-q", Convert.ToHexStringLower(new byte[32]));
        Assert.NotEqual(0, exit);
    }

    private void Tool(string tool, params string[] args)
    {
        var (exit, error) = Run(tool, args);
        Assert.True(exit == 0, $"{tool} {string.Join(' ', args)} exited {exit}: {error}");
    }

    private (int Exit, string Error) Run(string tool, params string[] args)
    {
        var (exit, output, error) = ToolProcess.Run(tool, args, directory);
        return (exit, output + error);
    }
}
