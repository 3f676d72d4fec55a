using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Svsm.Runtime.Attestation;
using Svsm.Testing;

namespace Svsm.Bindings.Benchmarks;

/// <summary>
/// Verifying a real report (oak's Turin report, version 5) with a signing key whose chain was validated once: the
/// layout, product and reserved-byte checks, the signature, and the certificate's binding to the report's TCB and
/// chip. The baseline is the raw ECDSA P-384 verify of the same signed bytes with the same key, SHA-384 included.
/// Goal: at most 1.1x, judged on the medians of three launches: one launch's ECDSA timing moves by a tenth from run
/// to run on a shared machine, as much as the goal's margin.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 3)]
public class ReportVerificationBenchmarks
{
    private byte[] report = null!;
    private byte[] p1363 = null!;
    private SnpTrustedSigningKey trusted = null!;
    private ECDsa raw = null!;

    [GlobalSetup]
    public void Setup()
    {
        var data = Path.Combine(Repository.Root, "tests", "Svsm.Runtime.Tests", "TestData", "Snp");
        report = File.ReadAllBytes(Path.Combine(data, "oak_turin_v5_report.bin"));
        var vcek = X509CertificateLoader.LoadCertificate(File.ReadAllBytes(Path.Combine(data, "oak_turin_vcek.der")));
        var (key, result) = SnpTrustedSigningKey.Validate(vcek);
        trusted = key ?? throw new InvalidOperationException(result.Reason);
        raw = vcek.GetECDsaPublicKey()!;
        p1363 = new byte[96];
        MemoryMarshal.Read<Signature>(report.AsSpan(SnpTrustedSigningKey.SignedLength)).TryToP1363(p1363);
        if (!trusted.Verify(report).IsValid || !RawEcdsaP384Verify())
        {
            throw new InvalidOperationException("the report does not verify");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        trusted.Dispose();
        raw.Dispose();
    }

    [Benchmark(Baseline = true, Description = "a raw ECDSA P-384 verify of the report's signed bytes, SHA-384 included")]
    public bool RawEcdsaP384Verify() =>
        raw.VerifyData(report.AsSpan(0, SnpTrustedSigningKey.SignedLength), p1363, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Goal(1.1, "verifying a real Turin report with an already validated VCEK: layout, signature and binding to the certificate", MedianOfLaunches = true)]
    [Benchmark]
    public bool VerifyWithValidatedKey() => trusted.Verify(report).IsValid;
}
