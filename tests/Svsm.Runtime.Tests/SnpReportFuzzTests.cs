using System.Runtime.InteropServices;
using CsCheck;
using Svsm.Attest.Cli;
using Svsm.Runtime.Attestation;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>
/// Real reports with random bytes changed, cut short or lengthened, through everything svsm-attest's show and verify
/// run: the layout reader, the verifier with the report's own certificate, the policy, and show's text and JSON.
/// None may throw; a changed signed byte must not verify.
/// </summary>
public sealed class SnpReportFuzzTests
{
    private static readonly (byte[] Report, SnpCertificates Certificates)[] Seeds = SnpRealReportTests.Reports
        .Select(r => (SnpRealReportTests.Report(r.Data.Item1), new SnpCertificates(SnpRealReportTests.Certificate(r.Data.Item2))))
        .ToArray();

    private static readonly SnpVerifyOptions Options = new()
    {
        Policy = new SnpReportPolicy { MinimumTcb = new SnpTcb(1, 0, 1, 1, 0), MinimumFirmware = new Version(1, 51), Vmpl = 0, AllowDebug = false },
    };

    [Fact]
    public void MutatedRealReportsNeverThrow()
    {
        var mutation = Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Select(Gen.Int[0, AttestationReport.Size - 1], Gen.Byte).Array[1, 8], Gen.Int[-3, 3]);
        mutation.Sample((seed, changes, lengthChange) =>
        {
            var (original, certificates) = Seeds[seed];
            var bytes = (byte[])original.Clone();
            foreach (var (at, value) in changes)
            {
                bytes[at] = value;
            }

            if (lengthChange != 0)
            {
                Array.Resize(ref bytes, bytes.Length + lengthChange);
            }

            var read = SnpReportReader.Read(bytes);
            var verified = SnpReportVerifier.Verify(bytes, certificates, Options);
            var signedChanged = bytes.Length == original.Length && !bytes.AsSpan(0, SnpTrustedSigningKey.SignedLength).SequenceEqual(original.AsSpan(0, SnpTrustedSigningKey.SignedLength));
            Assert.False(signedChanged && verified.IsValid, "a report with a changed signed byte verified");

            if (bytes.Length == AttestationReport.Size)
            {
                var report = MemoryMarshal.Read<AttestationReport>(bytes);
                var view = new ReportView(report, read.Product, read.Product ?? SnpProduct.Milan, read.Result);
                view.WriteJson(Stream.Null);
                view.WriteText(TextWriter.Null);
            }
        }, iter: 3000);
    }
}
