using System.Runtime.InteropServices;
using Svsm.Bindings.Tests.Generated;
using Xunit;

namespace Svsm.Bindings.Tests;

/// <summary>
/// specs/snp-report.md against a real report: virtee/sev's report_milan.hex, signed by an AMD Milan processor
/// (TestData/README.md says where it came from). Every field lands where the firmware put it.
/// </summary>
public sealed class SnpReportTests
{
    private static byte[] Bytes() => Convert.FromHexString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "report_milan.hex")).Trim());

    private static AttestationReport Report() => MemoryMarshal.Read<AttestationReport>(Bytes());

    [Fact]
    public void TheRealReportIs1184BytesAndItsReservedBytesAreZero()
    {
        Assert.Equal(1184, Bytes().Length);
        Assert.Equal(1184, AttestationReport.Size);
        Assert.Empty(Report().Validate());
    }

    [Fact]
    public void HeaderFieldsPolicyAndPlatformInfoReadAsTheFirmwareWroteThem()
    {
        var report = Report();
        Assert.Equal(2u, report.Version);
        Assert.Equal(1u, report.SignatureAlgo);
        Assert.Equal(0u, report.Vmpl);
        Assert.Equal(AttestationReportPolicy.Smt | AttestationReportPolicy.ReservedOne, report.Policy);
        Assert.Equal(0UL, report.Policy.GetAbiMajor());
        Assert.Equal(AttestationReportPlatformInfo.SmtEn, report.PlatformInfo);
        Assert.Equal(0u, report.SignerInfo.GetSigningKey());
        Assert.Equal(new byte[] { 0xD4, 0x47, 0xB5, 0x5D }, ((ReadOnlySpan<byte>)report.ReportData)[..4].ToArray());
    }

    [Fact]
    public void TcbVersionsAndFirmwareVersionsReadAsMilanWritesThem()
    {
        var report = Report();
        foreach (var tcb in new[] { report.CurrentTcb, report.ReportedTcb, report.CommittedTcb, report.LaunchTcb })
        {
            var version = MemoryMarshal.Read<TcbVersion>(BitConverter.GetBytes(tcb));
            Assert.Equal((3, 0, 8, 0x73), (version.BootLoader, version.Tee, version.Snp, version.Microcode));
        }

        Assert.Equal((1, 0x34, 4), (report.CurrentMajor, report.CurrentMinor, report.CurrentBuild));
        Assert.Equal((1, 0x34, 4), (report.CommittedMajor, report.CommittedMinor, report.CommittedBuild));
    }

    [Fact]
    public void TheSignatureHoldsRAndSAndNothingElse()
    {
        var signature = MemoryMarshal.Read<Signature>(Bytes().AsSpan(0x2A0));
        Assert.Equal(512, Signature.Size);
        Assert.Contains(((ReadOnlySpan<byte>)signature.R).ToArray(), b => b != 0);
        Assert.Contains(((ReadOnlySpan<byte>)signature.S).ToArray(), b => b != 0);
        Assert.Empty(signature.Validate());
    }

    [Fact]
    public void FieldsOfLaterVersionsAreAbsentFromAVersion2ReportAndTheirBytesReserved()
    {
        var report = Report();
        Assert.Equal(5u, AttestationReport.NewestVersion);
        Assert.False(report.HasCpuidFamId);
        Assert.Null(report.CpuidFamIdIfPresent);
        Assert.Null(report.LaunchMitVectorIfPresent);

        // In version 2 the CPUID bytes are reserved; version 3 gives them meaning.
        report.CpuidFamId = 0x19;
        Assert.Contains("reserved bytes 0x188-0x18A", Assert.Single(report.Validate()), StringComparison.Ordinal);
        report.Version = 3;
        Assert.Empty(report.Validate());
        Assert.Equal((byte)0x19, report.CpuidFamIdIfPresent);

        // 0x18B-0x19F stay reserved in every version.
        var bytes = new byte[AttestationReport.Size];
        MemoryMarshal.Write(bytes, in report);
        bytes[0x18B] = 1;
        Assert.Contains("0x18B-0x19F", Assert.Single(MemoryMarshal.Read<AttestationReport>(bytes).Validate()), StringComparison.Ordinal);

        // The mitigation vectors are version 5's.
        report.CurrentMitVector = 1;
        Assert.Contains("before version 5", Assert.Single(report.Validate()), StringComparison.Ordinal);
        report.Version = 5;
        Assert.Empty(report.Validate());
        Assert.Equal(1UL, report.CurrentMitVectorIfPresent);
    }
}
