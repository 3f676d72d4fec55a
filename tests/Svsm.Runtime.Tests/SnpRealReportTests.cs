using System.Security.Cryptography.X509Certificates;
using Svsm.Runtime.Attestation;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>
/// The verifier on real AMD-signed reports from independent public sources (TestData/Snp/README.md cites each):
/// versions 2, 3 and 5, Milan, Genoa and Turin, VCEK and VLEK, each under the AMD roots the library pins.
/// </summary>
public sealed class SnpRealReportTests
{
    public static TheoryData<string, string, SnpProduct, uint, SnpSigningKey> Reports => new()
    {
        { "virtee-sev_milan_v2_report.bin", "virtee-sev_milan_vcek.der", SnpProduct.Milan, 2, SnpSigningKey.Vcek },
        { "go-sev-guest_milan_v2_report.bin", "go-sev-guest_milan_vcek.der", SnpProduct.Milan, 2, SnpSigningKey.Vcek },
        { "automata_milan_v2_report.bin", "automata_milan_vcek.der", SnpProduct.Milan, 2, SnpSigningKey.Vcek },
        { "trustee-snp_milan_v2_report.bin", "trustee-snp_milan_vcek.der", SnpProduct.Milan, 2, SnpSigningKey.Vcek },
        { "trustee-azhcl_milan_v2_report.bin", "trustee-azhcl_milan_vcek.der", SnpProduct.Milan, 2, SnpSigningKey.Vcek },
        { "oak-cb_milan_v3_report.bin", "oak-cb_milan_vcek.der", SnpProduct.Milan, 3, SnpSigningKey.Vcek },
        { "oak-ocrel_milan_v3_report.bin", "oak-oc_milan_vcek.der", SnpProduct.Milan, 3, SnpSigningKey.Vcek },
        { "oak-ocstg_milan_v3_report.bin", "oak-oc_milan_vcek.der", SnpProduct.Milan, 3, SnpSigningKey.Vcek },
        { "oak-rkrel_milan_v3_report.bin", "oak-rk_milan_vcek.der", SnpProduct.Milan, 3, SnpSigningKey.Vcek },
        { "oak-rkstg_milan_v3_report.bin", "oak-rk_milan_vcek.der", SnpProduct.Milan, 3, SnpSigningKey.Vcek },
        { "trustee-azv0_milan_v3_report.bin", "trustee-azv0_milan_vcek.der", SnpProduct.Milan, 3, SnpSigningKey.Vcek },
        { "trustee-azv1_milan_v3_report.bin", "trustee-azv0_milan_vcek.der", SnpProduct.Milan, 3, SnpSigningKey.Vcek },
        { "trustee-azv2_milan_v3_report.bin", "trustee-azv2_milan_vcek.der", SnpProduct.Milan, 3, SnpSigningKey.Vcek },
        { "trustee-snp_milan_v3_vlek_report.bin", "trustee-snp_milan_vlek.der", SnpProduct.Milan, 3, SnpSigningKey.Vlek },
        { "trustee-azgenoa_genoa_v3_report.bin", "trustee-azgenoa_genoa_vcek.der", SnpProduct.Genoa, 3, SnpSigningKey.Vcek },
        { "routex-v3_genoa_v3_report.bin", "routex-v3_genoa_vcek.der", SnpProduct.Genoa, 3, SnpSigningKey.Vcek },
        { "routex_genoa_v5_report.bin", "routex_genoa_vcek.der", SnpProduct.Genoa, 5, SnpSigningKey.Vcek },
        { "oak_genoa_v5_report.bin", "oak_genoa_vcek.der", SnpProduct.Genoa, 5, SnpSigningKey.Vcek },
        { "oak_turin_v5_report.bin", "oak_turin_vcek.der", SnpProduct.Turin, 5, SnpSigningKey.Vcek },
    };

    internal static byte[] Report(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "Snp", name));

    internal static X509Certificate2 Certificate(string name) => X509CertificateLoader.LoadCertificate(Report(name));

    private static SnpTrustedSigningKey Trusted(string certificate)
    {
        var (key, result) = SnpTrustedSigningKey.Validate(Certificate(certificate));
        Assert.True(result.IsValid, result.Reason);
        return key!;
    }

    [Theory]
    [MemberData(nameof(Reports))]
    public void EachVerifiesUnderThePinnedRootsAndIsBoundToItsCertificate(string report, string certificate, SnpProduct product, uint version, SnpSigningKey kind)
    {
        using var key = Trusted(certificate);
        Assert.Equal(kind, key.Identity.Kind);
        Assert.Equal(product, key.Identity.Product);
        var bytes = Report(report);
        var result = key.Verify(bytes);
        Assert.Equal(SnpVerification.Valid.Reason, result.Reason);
        Assert.Equal(product, result.Product);
        Assert.Equal(version, SnpReportReader.Read(bytes, product).Report.Version);
    }

    [Fact]
    public void EveryBitFlipOfEachReportFails()
    {
        // Every bit of each report: those the signature covers, R and S, and the signature's reserved bytes, which
        // must be zero. A report a thread, each with its own key.
        var survivors = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(Reports, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, row =>
        {
            var (report, certificate, _, _, _) = row.Data;
            using var key = Trusted(certificate);
            var bytes = Report(report);
            for (var bit = 0; bit < bytes.Length * 8; bit++)
            {
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                if (key.Verify(bytes).IsValid)
                {
                    survivors.Add(report + " bit " + bit);
                }

                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            }
        });
        Assert.Empty(survivors);
    }

    [Fact]
    public void TheTurinReportReadsItsTcbInTheTurinLayoutAndWarnsOfPlatformInfoBit6()
    {
        using var key = Trusted("oak_turin_vcek.der");
        var bytes = Report("oak_turin_v5_report.bin");
        var result = key.Verify(bytes);
        Assert.True(result.IsValid, result.Reason);
        Assert.Contains(result.Warnings, w => w.Contains("PLATFORM_INFO bit 6", StringComparison.Ordinal));

        var (report, product, _) = SnpReportReader.Read(bytes);
        Assert.Equal(SnpProduct.Turin, product);
        var tcb = SnpTcb.Read(report.ReportedTcb, SnpProduct.Turin);
        Assert.Equal(key.Identity.Tcb, tcb);
        Assert.NotNull(tcb.Fmc);
        Assert.Equal(8, key.Identity.HwId!.Length);
    }

    [Fact]
    public void AVcekOfAnotherChipFails()
    {
        using var other = Trusted("oak-oc_milan_vcek.der");
        var result = other.Verify(Report("oak-rkrel_milan_v3_report.bin"));
        Assert.Equal(SnpVerificationFailure.BadSignature, result.Failure);
    }

    [Fact]
    public void ATurinVcekUnderTheGenoaRootFails()
    {
        var (key, result) = SnpTrustedSigningKey.Validate(Certificate("oak_turin_vcek.der"), AmdRoots.Ask(SnpProduct.Genoa), AmdRoots.Ark(SnpProduct.Genoa));
        Assert.Null(key);
        Assert.Equal(SnpVerificationFailure.ChainInvalid, result.Failure);

        var (named, mismatch) = SnpTrustedSigningKey.Validate(Certificate("oak_turin_vcek.der"), product: SnpProduct.Genoa);
        Assert.Null(named);
        Assert.Equal(SnpVerificationFailure.ProductMismatch, mismatch.Failure);
    }

    [Fact]
    public void AVersion2ReportIsJudgedByTheProductItsCertificateNames()
    {
        var bytes = Report("virtee-sev_milan_v2_report.bin");
        Assert.Equal(SnpVerificationFailure.UnknownProduct, SnpReportReader.Read(bytes).Result.Failure);
        Assert.Equal(SnpVerificationFailure.ProductMismatch, SnpReportReader.Read(bytes, SnpProduct.Turin).Result.Failure);
        using var key = Trusted("virtee-sev_milan_vcek.der");
        Assert.True(key.Verify(bytes).IsValid);
    }

    [Fact]
    public void AVlekReportNeedsAVlek()
    {
        using var vcek = Trusted("trustee-snp_milan_vcek.der");
        var result = vcek.Verify(Report("trustee-snp_milan_v3_vlek_report.bin"));
        Assert.Equal(SnpVerificationFailure.SigningKeyMismatch, result.Failure);
        Assert.Contains("VLEK", result.Reason, StringComparison.Ordinal);

        using var vlek = Trusted("trustee-snp_milan_vlek.der");
        Assert.Equal(SnpSigningKey.Vlek, vlek.Identity.Kind);
        Assert.NotNull(vlek.Identity.CspId);
        Assert.Null(vlek.Identity.HwId);
    }

    [Fact]
    public void ANewerVersionIsReadAsVersion5WithItsReservedBytesAsWarnings()
    {
        var bytes = Report("oak_turin_v5_report.bin");
        bytes[0] = 6;
        bytes[0x210] = 0xAA;
        var (_, product, result) = SnpReportReader.Read(bytes);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(SnpProduct.Turin, product);
        Assert.Contains(result.Warnings, w => w.Contains("read as version 5", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.Contains("0x208-0x29F", StringComparison.Ordinal));

        // In version 5 itself the same byte is a failure.
        bytes[0] = 5;
        Assert.Equal(SnpVerificationFailure.ReservedBytesSet, SnpReportReader.Read(bytes).Result.Failure);
    }

    [Theory]
    [InlineData(0x1A, 0x50)]
    [InlineData(0x17, 0x31)]
    [InlineData(0x19, 0x30)]
    public void ACpuidOfAnotherChipIsANamedFailure(byte family, byte model)
    {
        var bytes = Report("oak_turin_v5_report.bin");
        (bytes[0x188], bytes[0x189]) = (family, model);
        var result = SnpReportReader.Read(bytes).Result;
        Assert.Equal(SnpVerificationFailure.UnknownProduct, result.Failure);
        Assert.Contains($"family 0x{family:X2} model 0x{model:X2}", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AVersion2ReportWithATurinChipIdIsTurin()
    {
        var bytes = Report("oak_turin_v5_report.bin");
        bytes[0] = 2;
        bytes.AsSpan(0x188, 3).Clear();
        bytes.AsSpan(0x1F8, 16).Clear();
        var (_, product, result) = SnpReportReader.Read(bytes);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(SnpProduct.Turin, product);
    }

    [Fact]
    public void TheTurinVcekOfVirteeWithoutAReportReadsAsTurin()
    {
        var identity = AmdKeyCertificate.Read(Certificate("virtee-sev_turin_vcek.der"));
        Assert.Equal(SnpProduct.Turin, identity.Product);
        Assert.Equal("Turin", identity.ProductName);
        Assert.Equal(8, identity.HwId!.Length);
        Assert.NotNull(identity.Tcb.Fmc);
        var (key, result) = SnpTrustedSigningKey.Validate(Certificate("virtee-sev_turin_vcek.der"));
        Assert.True(result.IsValid, result.Reason);
        key!.Dispose();
    }
}
