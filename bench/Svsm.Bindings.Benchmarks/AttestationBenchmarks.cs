using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Emulator.Services.Attestation;
using Svsm.Runtime.Attestation;

namespace Svsm.Bindings.Benchmarks;

/// <summary>
/// One attestation of every service, round trip: the guest client writes the request, the emulator checks it in
/// attest.rs's order, builds the services manifest, has the emulated firmware sign a report over
/// SHA-512(nonce ‖ manifest), returns the 16 KiB certificate table, and the client reads and parses it all. The
/// baseline is the cryptography alone: SHA-512 of the same nonce and manifest and an ECDSA P-384 signature over the
/// report's signed bytes. Goal: at most 1.3x.
/// </summary>
[MemoryDiagnoser]
public class AttestationBenchmarks
{
    private readonly byte[] nonce = RandomNumberGenerator.GetBytes(64);
    private readonly byte[] signedBytes = new byte[SnpTrustedSigningKey.SignedLength];
    private EmulatedSnpFirmware firmware = null!;
    private SvsmAttestationClient client = null!;
    private ECDsa key = null!;
    private byte[] manifest = null!;

    [GlobalSetup]
    public void Setup()
    {
        var machine = EmulatedMachine.Create();
        firmware = new EmulatedSnpFirmware();
        var ek = RandomNumberGenerator.GetBytes(314);
        machine.Emulator.AddAttestation(firmware, new AttestedService(SvsmAttestationGuids.Vtpm, "vTPM", () => ek));
        client = new SvsmAttestationClient(machine.Transport(), machine.Memory, machine.Allocator);
        manifest = client.Attest(nonce).Manifest.ToArray();
        key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        firmware.Dispose();
        key.Dispose();
    }

    [Benchmark(Baseline = true, Description = "SHA-512 of nonce and manifest plus one ECDSA P-384 signature")]
    public int Sha512AndEcdsaP384Signature()
    {
        Span<byte> reportData = stackalloc byte[64];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        hash.AppendData(nonce);
        hash.AppendData(manifest);
        hash.GetHashAndReset(reportData);
        reportData.CopyTo(signedBytes.AsSpan(0x50));
        return key.SignData(signedBytes, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation).Length;
    }

    [Goal(1.3, "an attestation round trip through the guest client and the emulator")]
    [Benchmark]
    public int AttestationRoundTripThroughTheEmulator() => client.Attest(nonce).Report.Length;
}
