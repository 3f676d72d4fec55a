using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Svsm.Runtime;
using Svsm.Runtime.Attestation;

namespace Svsm.Emulator.Firmware;

/// <summary>What the emulated platform reports about the guest: the parts of a report the guest does not choose.</summary>
public sealed record SnpGuestIdentity
{
    /// <summary>The launch measurement (48 bytes).</summary>
    public byte[] Measurement { get; init; } = new byte[48];

    public AttestationReportPolicy Policy { get; init; } = AttestationReportPolicy.Smt | AttestationReportPolicy.ReservedOne;

    /// <summary>The TCB version the VCEK was derived for, as the report's 64-bit TCB fields hold it.</summary>
    public ulong Tcb { get; init; } = 0x7308_0000_0000_0003;

    /// <summary>The chip's id (64 bytes).</summary>
    public byte[] ChipId { get; init; } = new byte[64];
}

/// <summary>
/// The SEV-SNP firmware as far as attestation goes: it builds <c>ATTESTATION_REPORT</c>s (specs/snp-report.md) and
/// signs them with ECDSA P-384/SHA-384 under an emulated AMD chain (ARK and ASK RSA-PSS with SHA-384, VCEK ECDSA
/// P-384), storing R and S little-endian in 72 bytes as the firmware does. Every emulated component that needs a
/// report (the SVSM attestation protocol, the emulated sev-guest device) uses one instance of this.
/// </summary>
public sealed class EmulatedSnpFirmware : IDisposable
{
    private readonly ECDsa vcekKey;

    public EmulatedSnpFirmware(SnpGuestIdentity? identity = null)
    {
        Identity = identity ?? new SnpGuestIdentity();
        if (Identity.Measurement.Length != 48 || Identity.ChipId.Length != 64)
        {
            throw new ArgumentException("a measurement is 48 bytes and a chip id 64", nameof(identity));
        }

        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddYears(5);
        using var arkKey = RSA.Create(2048);
        using var askKey = RSA.Create(2048);
        vcekKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var arkRequest = new CertificateRequest("CN=ARK-Emulated, O=Svsm.Bindings emulator", arkKey, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        arkRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        Ark = arkRequest.CreateSelfSigned(notBefore, notAfter);

        var askRequest = new CertificateRequest("CN=SEV-Emulated, O=Svsm.Bindings emulator", askKey, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        askRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using (var ask = askRequest.Create(Ark, notBefore, notAfter, new byte[] { 1 }))
        {
            Ask = ask.CopyWithPrivateKey(askKey);
        }

        var vcekRequest = new CertificateRequest("CN=SEV-VCEK, O=Svsm.Bindings emulator", vcekKey, HashAlgorithmName.SHA384);
        Vcek = vcekRequest.Create(Ask.SubjectName, X509SignatureGenerator.CreateForRSA(askKey, RSASignaturePadding.Pss), notBefore, notAfter, new byte[] { 2 });
    }

    public SnpGuestIdentity Identity { get; }

    /// <summary>The emulated root: pin this to verify emulated reports.</summary>
    public X509Certificate2 Ark { get; }

    public X509Certificate2 Ask { get; }

    public X509Certificate2 Vcek { get; }

    /// <summary>The certificates a host keeps for this chip and hands out with extended reports: VCEK, ASK, ARK.</summary>
    public IReadOnlyList<(Guid Id, byte[] Der)> HostCertificates =>
        [(SvsmAttestationGuids.Vcek, Vcek.RawData), (SvsmAttestationGuids.Ask, Ask.RawData), (SvsmAttestationGuids.Ark, Ark.RawData)];

    /// <summary>
    /// A signed report for the guest at <paramref name="vmpl"/> with <paramref name="reportData"/> (64 bytes) in
    /// <c>REPORT_DATA</c>, as the firmware answers <c>MSG_REPORT_REQ</c>.
    /// </summary>
    public byte[] CreateReport(ReadOnlySpan<byte> reportData, uint vmpl)
    {
        if (reportData.Length != 64)
        {
            throw new ArgumentException("REPORT_DATA is 64 bytes", nameof(reportData));
        }

        if (vmpl > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(vmpl), vmpl, "VMPLs are 0 to 3");
        }

        var report = new AttestationReport
        {
            Version = 2,
            Vmpl = vmpl,
            SignatureAlgo = 1,
            Policy = Identity.Policy,
            CurrentTcb = Identity.Tcb,
            ReportedTcb = Identity.Tcb,
            CommittedTcb = Identity.Tcb,
            LaunchTcb = Identity.Tcb,
            PlatformInfo = AttestationReportPlatformInfo.SmtEn,
            CurrentMajor = 1,
            CurrentMinor = 55,
            CommittedMajor = 1,
            CommittedMinor = 55,
        };
        reportData.CopyTo(report.ReportData);
        Identity.Measurement.CopyTo(report.Measurement);
        Identity.ChipId.CopyTo(report.ChipId);

        var bytes = new byte[AttestationReport.Size];
        MemoryMarshal.Write(bytes, in report);
        var p1363 = vcekKey.SignData(bytes, 0, SnpTrustedSigningKey.SignedLength, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        MemoryMarshal.Write(bytes.AsSpan(SnpTrustedSigningKey.SignedLength), Signature.FromP1363(p1363));

        return bytes;
    }

    public void Dispose()
    {
        vcekKey.Dispose();
        Ark.Dispose();
        Ask.Dispose();
        Vcek.Dispose();
    }
}
