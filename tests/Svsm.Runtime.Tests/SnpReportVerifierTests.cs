using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Svsm.Runtime.Attestation;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>
/// The verifier on a real AMD-signed report: virtee/sev's Milan report and VCEK, chained through AMD's public Milan
/// ASK to the pinned Milan ARK (TestData/README.md). Any flipped bit must fail.
/// </summary>
public sealed class SnpReportVerifierTests
{
    private static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    private static byte[] Report() => Convert.FromHexString(File.ReadAllText(Data("report_milan.hex")).Trim());

    private static X509Certificate2 Vcek() => X509CertificateLoader.LoadCertificate(File.ReadAllBytes(Data("vcek_milan.der")));

    private static X509Certificate2 Pem(string name) => X509Certificate2.CreateFromPem(File.ReadAllText(Data(name)));

    private static SnpTrustedSigningKey TrustedVcek()
    {
        var (key, result) = SnpTrustedSigningKey.Validate(Vcek(), Pem("milan_ask.pem"), Pem("milan_ark.pem"));
        Assert.True(result.IsValid, result.Reason);
        return key!;
    }

    [Fact]
    public void TheRealMilanReportVerifiesUnderThePinnedArk()
    {
        using var vcek = TrustedVcek();
        Assert.Equal(SnpVerification.Valid.Reason, vcek.Verify(Report()).Reason);
    }

    [Fact]
    public void EveryFlippedBitOfTheReportFailsVerification()
    {
        using var vcek = TrustedVcek();
        var report = Report();
        var passed = new List<int>();
        for (var bit = 0; bit < report.Length * 8; bit++)
        {
            report[bit / 8] ^= (byte)(1 << (bit % 8));
            if (vcek.Verify(report).IsValid)
            {
                passed.Add(bit);
            }

            report[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        Assert.True(passed.Count == 0, "flipped bits that still verified: " + string.Join(", ", passed.Take(20)));
        Assert.True(vcek.Verify(report).IsValid);
        Assert.Equal(SnpVerificationFailure.WrongLength, vcek.Verify(report.AsSpan(1)).Failure);
    }

    [Fact]
    public void AChainToAnotherRootOrWithoutTheAskIsRefused()
    {
        using var rsa = RSA.Create(2048);
        var impostor = new CertificateRequest("CN=ARK-Milan, O=Advanced Micro Devices", rsa, HashAlgorithmName.SHA384, RSASignaturePadding.Pss)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var (_, other) = SnpTrustedSigningKey.Validate(Vcek(), Pem("milan_ask.pem"), impostor);
        Assert.Equal(SnpVerificationFailure.ChainInvalid, other.Failure);

        var (_, noAsk) = SnpTrustedSigningKey.Validate(Vcek(), Pem("milan_ark.pem"), Pem("milan_ark.pem"));
        Assert.False(noAsk.IsValid);
    }

    [Fact]
    public void FlippedBitsInTheVcekCertificateBreakTheChain()
    {
        var der = File.ReadAllBytes(Data("vcek_milan.der"));
        var accepted = new List<int>();
        for (var position = 0; position < der.Length; position += 17)
        {
            var copy = (byte[])der.Clone();
            copy[position] ^= 0x10;
            try
            {
                using var certificate = X509CertificateLoader.LoadCertificate(copy);
                var (key, result) = SnpTrustedSigningKey.Validate(certificate, Pem("milan_ask.pem"), Pem("milan_ark.pem"));
                if (result.IsValid && key!.Verify(Report()).IsValid)
                {
                    accepted.Add(position);
                }

                key?.Dispose();
            }
            catch (CryptographicException)
            {
                // A certificate that no longer parses is refused too.
            }
        }

        Assert.True(accepted.Count == 0, "VCEK bytes whose corruption went unnoticed: " + string.Join(", ", accepted));
    }
}
