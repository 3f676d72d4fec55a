using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Emulator.Tpm;
using Svsm.Runtime.Attestation;
using Svsm.Runtime.Tpm;

namespace Svsm.Bindings.Benchmarks;

/// <summary>
/// A whole vTPM attestation, guest and relying party: the SVSM's report over the vTPM's manifest, the EK and a fresh
/// AK, the verifier's MakeCredential and the TPM's ActivateCredential, the quote and PCR read, then the verification
/// (chain, report, EK, credential, quote). The baseline makes the same signatures and TPM commands directly: the
/// report's SHA-512 and ECDSA P-384 signature, the TPM commands on a swtpm of its own with no SVSM between, and the
/// verifier's chain check and signature verifications. Goal: at most 1.3x.
/// </summary>
[MemoryDiagnoser]
public class VtpmAttestationBenchmarks
{
    private static readonly int[] Pcrs = [0, 1, 2, 3, 7];
    private readonly byte[] signedBytes = new byte[SnpTrustedSigningKey.SignedLength];
    private SwtpmProcess svsmSwtpm = null!;
    private SwtpmProcess directSwtpm = null!;
    private EmulatedSnpFirmware firmware = null!;
    private SvsmAttestationClient svsm = null!;
    private SvsmVtpm vtpm = null!;
    private ECDsa reportKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        svsmSwtpm = SwtpmProcess.Start(startupClear: true);
        directSwtpm = SwtpmProcess.Start(startupClear: true);
        firmware = new EmulatedSnpFirmware();
        var machine = EmulatedMachine.Create();
        machine.Emulator.AddAttestation(firmware, machine.Emulator.AddVtpm(svsmSwtpm).State);
        svsm = new SvsmAttestationClient(machine.Transport(), machine.Memory, machine.Allocator);
        vtpm = new SvsmVtpm(machine.Transport(), machine.Memory, machine.Allocator);
        reportKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        if (!WholeFlowThroughTheSvsm() || !SignaturesAndTpmCommandsDirectly())
        {
            throw new InvalidOperationException("the vTPM attestation does not verify");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        svsmSwtpm.Dispose();
        directSwtpm.Dispose();
        firmware.Dispose();
        reportKey.Dispose();
    }

    [Benchmark(Baseline = true, Description = "the same signatures and TPM commands made directly (swtpm with no SVSM between)")]
    public bool SignaturesAndTpmCommandsDirectly()
    {
        var challenger = new VtpmChallenger();
        var tpm = VtpmAttestation.AttestTpm(directSwtpm, challenger.Nonce, Pcrs, challenger.Challenge);
        var reportData = SHA512.HashData(challenger.Nonce.Concat(tpm.Ek).ToArray());
        reportData.CopyTo(signedBytes.AsSpan(0x50));
        var signature = reportKey.SignData(signedBytes, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(firmware.Ark);
        chain.ChainPolicy.ExtraStore.Add(firmware.Ask);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var quote = TpmQuote.Read(tpm.Attest, tpm.Signature);
        return chain.Build(firmware.Vcek) &&
            reportKey.VerifyData(signedBytes, signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation) &&
            quote.IsSignedBy(TpmRsaPublic.Read(tpm.Ak)) && tpm.Activated.AsSpan().SequenceEqual(challenger.Credential);
    }

    [Goal(1.3, "a vTPM attestation through the SVSM and the emulator, and its verification")]
    [Benchmark]
    public bool WholeFlowThroughTheSvsm()
    {
        var challenger = new VtpmChallenger();
        return VtpmAttestation.Attest(svsm, vtpm, challenger.Nonce, Pcrs, challenger.Challenge).Verify(firmware.Ark, challenger).IsValid;
    }
}
