using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Runtime;
using Svsm.Runtime.Attestation;
using Xunit;

namespace Svsm.Bindings.Tests;

/// <summary>The emulated firmware's reports verify under its own pinned root with the same verifier as real ones, and under no other.</summary>
public sealed class EmulatedSnpFirmwareTests
{
    [Fact]
    public void AnEmulatedReportCarriesTheRequestAndVerifiesUnderTheEmulatedArk()
    {
        using var firmware = new EmulatedSnpFirmware(new SnpGuestIdentity { Measurement = Enumerable.Range(1, 48).Select(i => (byte)i).ToArray() });
        var data = Enumerable.Range(0, 64).Select(i => (byte)(0xA0 ^ i)).ToArray();
        var bytes = firmware.CreateReport(data, vmpl: 2);

        var report = MemoryMarshal.Read<Svsm.Runtime.Attestation.AttestationReport>(bytes);
        Assert.Equal(data, ((ReadOnlySpan<byte>)report.ReportData).ToArray());
        Assert.Equal(2u, report.Vmpl);
        Assert.Equal(48, ((ReadOnlySpan<byte>)report.Measurement)[47]);
        Assert.Empty(report.Validate());

        var (key, result) = SnpTrustedSigningKey.Validate(firmware.Vcek, firmware.Ask, firmware.Ark);
        Assert.True(result.IsValid, result.Reason);
        using (key)
        {
            Assert.Equal(SnpVerification.Valid.Reason, key!.Verify(bytes).Reason);
            for (var bit = 0; bit < bytes.Length * 8; bit += 13)
            {
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.False(key.Verify(bytes).IsValid, "bit " + bit);
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            }
        }
    }

    [Fact]
    public void EmulatedKeysDoNotChainToAmdsRootNorToAnotherEmulator()
    {
        using var firmware = new EmulatedSnpFirmware();
        using var other = new EmulatedSnpFirmware();
        var amdArk = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "milan_ark.pem")));
        Assert.Equal(SnpVerificationFailure.ChainInvalid, SnpTrustedSigningKey.Validate(firmware.Vcek, firmware.Ask, amdArk).Result.Failure);
        Assert.Equal(SnpVerificationFailure.ChainInvalid, SnpTrustedSigningKey.Validate(firmware.Vcek, firmware.Ask, other.Ark).Result.Failure);
        Assert.Throws<ArgumentException>(() => firmware.CreateReport(new byte[63], 0));
    }

    private static SnpVerification VerifyEmulated(SnpGuestIdentity identity, Func<byte[], byte[]>? tamper = null)
    {
        using var firmware = new EmulatedSnpFirmware(identity);
        var (key, chain) = SnpTrustedSigningKey.Validate(firmware.Vcek, firmware.Ask, firmware.Ark);
        Assert.True(chain.IsValid, chain.Reason);
        using (key)
        {
            var report = firmware.CreateReport(new byte[64], 0);
            return key!.Verify(tamper is null ? report : tamper(report));
        }
    }

    [Theory]
    [InlineData(SnpProduct.Milan, 3u)]
    [InlineData(SnpProduct.Genoa, 5u)]
    [InlineData(SnpProduct.Turin, 5u)]
    [InlineData(SnpProduct.Milan, 2u)]
    public void EachProductsReportIsBoundToItsVcek(SnpProduct product, uint version)
    {
        var result = VerifyEmulated(new SnpGuestIdentity { Product = product, ReportVersion = version });
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(product, result.Product);
    }

    [Fact]
    public void AVcekIssuedForAnotherTcbFailsNamingThePart()
    {
        // The platform runs snp 8; the certificate says snp 7, as a VCEK of an older TCB would.
        var result = VerifyEmulated(new SnpGuestIdentity { Product = SnpProduct.Milan, CertifiedTcb = 0x7307_0000_0000_0003 });
        Assert.Equal(SnpVerificationFailure.TcbMismatch, result.Failure);
        Assert.Contains("snp is 8", result.Reason, StringComparison.Ordinal);
        Assert.Contains("is 7", result.Reason, StringComparison.Ordinal);

        var turin = VerifyEmulated(new SnpGuestIdentity { Product = SnpProduct.Turin, CertifiedTcb = 0x7300_0000_0800_0302 });
        Assert.Equal(SnpVerificationFailure.TcbMismatch, turin.Failure);
        Assert.Contains("fmc", turin.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AVcekOfAnotherChipIdFailsAndAMaskedChipIdSkipsTheCheck()
    {
        var other = VerifyEmulated(new SnpGuestIdentity { CertifiedHwId = Enumerable.Repeat((byte)0x5A, 64).ToArray() });
        Assert.Equal(SnpVerificationFailure.HwIdMismatch, other.Failure);
        Assert.Contains("5A5A", other.Reason, StringComparison.Ordinal);

        var masked = VerifyEmulated(new SnpGuestIdentity { ChipId = new byte[64], CertifiedHwId = Enumerable.Repeat((byte)0x5A, 64).ToArray() });
        Assert.True(masked.IsValid, masked.Reason);
        Assert.True(masked.ChipIdMasked);
    }

    [Fact]
    public void AVlekReportChainsThroughTheAsvkAndAMaskedChipKeyIsUnsigned()
    {
        using var firmware = new EmulatedSnpFirmware(new SnpGuestIdentity { SigningKey = SnpSigningKey.Vlek, Product = SnpProduct.Genoa });
        Assert.Equal("SEV-VLEK-Genoa", firmware.Ask.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Equal(SvsmAttestationGuids.Vlek, firmware.HostCertificates[0].Id);
        var (key, chain) = SnpTrustedSigningKey.Validate(firmware.Vcek, firmware.Ask, firmware.Ark);
        Assert.True(chain.IsValid, chain.Reason);
        using (key)
        {
            Assert.Equal(SnpSigningKey.Vlek, key!.Identity.Kind);
            var report = firmware.CreateReport(new byte[64], 1);
            Assert.True(key.Verify(report).IsValid);

            report[AttestationReport.SignerInfoOffset] |= (byte)AttestationReportSignerInfo.MaskChipKey;
            Assert.Equal(SnpVerificationFailure.ReportUnsigned, key.Verify(report).Failure);
        }
    }

    [Fact]
    public void TheArksCrlRevokesTheAskWhenTheEmulatorSaysSo()
    {
        var clock = new FixedClock(DateTimeOffset.UtcNow);
        using var good = new EmulatedSnpFirmware();
        var crl = AmdRevocationList.Read(good.Crl);
        Assert.True(crl.Check(good.Ask, good.Ark, clock).IsValid);

        using var revoked = new EmulatedSnpFirmware(new SnpGuestIdentity { IntermediateRevoked = true });
        var result = AmdRevocationList.Read(revoked.Crl).Check(revoked.Ask, revoked.Ark, clock);
        Assert.Equal(SnpVerificationFailure.CertificateRevoked, result.Failure);

        // Another ARK's CRL, and a CRL judged past its next update, are not to be trusted.
        Assert.Equal(SnpVerificationFailure.ChainInvalid, crl.Check(good.Ask, revoked.Ark, clock).Failure);
        Assert.Equal(SnpVerificationFailure.ChainInvalid, crl.Check(good.Ask, good.Ark, new FixedClock(DateTimeOffset.UtcNow.AddYears(10))).Failure);
    }

    [Fact]
    public void TheVerifierTakesTheExtendedReportsCertificatesAndChecksTheCrl()
    {
        using var revoked = new EmulatedSnpFirmware(new SnpGuestIdentity { IntermediateRevoked = true, Product = SnpProduct.Genoa });
        var table = AttestationEvidence.WriteCertificateTable(
            revoked.HostCertificates.Select(c => (c.Id, c.Der)).Append((SvsmAttestationGuids.Crl, revoked.Crl)).ToList(), 16 * 1024);
        var certificates = SnpCertificates.FromCertificateTable(table);
        var report = revoked.CreateReport(new byte[64], 0);
        var options = new SnpVerifyOptions { PinnedArk = revoked.Ark };
        Assert.True(SnpReportVerifier.Verify(report, certificates, options).IsValid);
        Assert.Equal(SnpVerificationFailure.CertificateRevoked, SnpReportVerifier.Verify(report, certificates, options with { CheckRevocation = true }).Failure);

        // AMD's root is pinned unless the caller pins another: an emulated chain is not AMD's.
        Assert.Equal(SnpVerificationFailure.RootNotPinned, SnpReportVerifier.Verify(report, certificates).Failure);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
