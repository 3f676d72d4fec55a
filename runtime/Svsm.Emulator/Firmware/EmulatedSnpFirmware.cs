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

    /// <summary>The chip's generation: its CPUID in the report, its TCB layout, and its certificates' names and extensions.</summary>
    public SnpProduct Product { get; init; } = SnpProduct.Milan;

    /// <summary>The report format the firmware writes: 2, 3 or 5 (the default: 3, and 5 on Turin), or a newer one.</summary>
    public uint? ReportVersion { get; init; }

    /// <summary>
    /// The platform's TCB version, as the report's 64-bit TCB fields hold it in the product's layout; by default boot
    /// loader 3, tee 0, snp 8, microcode 0x73 (and on Turin FMC 1).
    /// </summary>
    public ulong? Tcb { get; init; }

    /// <summary>The chip's id (64 bytes; Turin uses bytes 0-7); by default one derived from the product. Zeros mask it.</summary>
    public byte[]? ChipId { get; init; }

    /// <summary>The key that signs reports: the chip's VCEK, or a VLEK as a cloud provider loads it (CSP id "Emulated CSP").</summary>
    public SnpSigningKey SigningKey { get; init; } = SnpSigningKey.Vcek;

    /// <summary>The TCB the key's certificate says it was derived for; by default <see cref="Tcb"/>. Another value makes a mismatched certificate.</summary>
    public ulong? CertifiedTcb { get; init; }

    /// <summary>The HWID the VCEK's certificate carries; by default the chip id (on Turin its first 8 bytes).</summary>
    public byte[]? CertifiedHwId { get; init; }

    /// <summary>Whether the ARK's CRL lists the ASK (or ASVK) as revoked.</summary>
    public bool IntermediateRevoked { get; init; }

    /// <summary>The TCB version the platform runs: <see cref="Tcb"/>, or the product's default.</summary>
    public ulong EffectiveTcb => Tcb ?? (Product.HasFmc() ? 0x7300_0000_0800_0301UL : 0x7308_0000_0000_0003UL);

    /// <summary>The chip id the report carries: <see cref="ChipId"/>, or one derived from the product.</summary>
    public byte[] EffectiveChipId
    {
        get
        {
            if (ChipId is { } chipId)
            {
                return chipId;
            }

            var derived = SHA512.HashData(System.Text.Encoding.UTF8.GetBytes("Svsm.Bindings emulated " + Product.Name() + " chip"));
            if (Product.HasFmc())
            {
                derived.AsSpan(8).Clear();
            }

            return derived;
        }
    }

    /// <summary>The report version written: <see cref="ReportVersion"/>, or 5 on Turin and 3 elsewhere.</summary>
    public uint EffectiveReportVersion => ReportVersion ?? (Product.HasFmc() ? 5u : 3u);
}

/// <summary>
/// The SEV-SNP firmware as far as attestation goes: it builds <c>ATTESTATION_REPORT</c>s (specs/snp-report.md) of
/// its product and signs them with ECDSA P-384/SHA-384 under an emulated AMD chain (ARK and ASK or ASVK RSA-PSS with
/// SHA-384, VCEK or VLEK ECDSA P-384), storing R and S little-endian in 72 bytes as the firmware does. Its key
/// certificate carries AMD's extensions as KDS writes them (product name, SPLs, HWID or CSP id), and its ARK signs a
/// CRL. Every emulated component that needs a report (the SVSM attestation protocol, the emulated sev-guest device)
/// uses one instance of this.
/// </summary>
public sealed class EmulatedSnpFirmware : IDisposable
{
    private readonly ECDsa vcekKey;

    public EmulatedSnpFirmware(SnpGuestIdentity? identity = null)
    {
        Identity = identity ?? new SnpGuestIdentity();
        if (Identity.Measurement.Length != 48 || Identity.EffectiveChipId.Length != 64)
        {
            throw new ArgumentException("a measurement is 48 bytes and a chip id 64", nameof(identity));
        }

        var product = Identity.Product.Name();
        var vlek = Identity.SigningKey == SnpSigningKey.Vlek;

        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddYears(5);
        using var arkKey = RSA.Create(2048);
        using var askKey = RSA.Create(2048);
        vcekKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var arkRequest = new CertificateRequest("CN=ARK-" + product + ", O=Svsm.Bindings emulator", arkKey, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        arkRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        arkRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using (var ark = arkRequest.CreateSelfSigned(notBefore, notAfter))
        {
            Ark = new X509Certificate2(ark.RawData);
            var intermediateSerial = new byte[] { 1 };
            var crl = new CertificateRevocationListBuilder();
            if (Identity.IntermediateRevoked)
            {
                crl.AddEntry(intermediateSerial, notBefore);
            }

            Crl = crl.Build(ark, 1, notAfter, HashAlgorithmName.SHA384, RSASignaturePadding.Pss, notBefore);

            var askRequest = new CertificateRequest("CN=" + (vlek ? "SEV-VLEK-" : "SEV-") + product + ", O=Svsm.Bindings emulator", askKey, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
            askRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            using var ask = askRequest.Create(ark, notBefore, notAfter, intermediateSerial);
            Ask = ask.CopyWithPrivateKey(askKey);
        }

        var vcekRequest = new CertificateRequest(vlek ? "CN=SEV-VLEK, O=Svsm.Bindings emulator" : "CN=SEV-VCEK, O=Svsm.Bindings emulator", vcekKey, HashAlgorithmName.SHA384);
        foreach (var extension in AmdExtensions(Identity))
        {
            vcekRequest.CertificateExtensions.Add(extension);
        }

        Vcek = vcekRequest.Create(Ask.SubjectName, X509SignatureGenerator.CreateForRSA(askKey, RSASignaturePadding.Pss), notBefore, notAfter, new byte[] { 2 });
    }

    // The extensions KDS writes into a VCEK (or a CSP into a VLEK): struct version, product name, SPLs, HWID or CSP id.
    private static IEnumerable<X509Extension> AmdExtensions(SnpGuestIdentity identity)
    {
        var turin = identity.Product.HasFmc();
        var tcb = SnpTcb.Read(identity.CertifiedTcb ?? identity.EffectiveTcb, identity.Product);
        yield return new X509Extension(AmdKeyCertificate.StructVersionOid, Integer(turin ? 1 : 0), false);
        yield return new X509Extension(AmdKeyCertificate.ProductNameOid, Ia5(identity.Product switch
        {
            SnpProduct.Milan => "Milan-B0",
            SnpProduct.Genoa => "Genoa",
            _ => "Turin",
        }), false);
        yield return new X509Extension(AmdKeyCertificate.BootLoaderSplOid, Integer(tcb.BootLoader), false);
        yield return new X509Extension(AmdKeyCertificate.TeeSplOid, Integer(tcb.Tee), false);
        yield return new X509Extension(AmdKeyCertificate.SnpSplOid, Integer(tcb.Snp), false);
        yield return new X509Extension(AmdKeyCertificate.MicrocodeSplOid, Integer(tcb.Microcode), false);
        if (tcb.Fmc is { } fmc)
        {
            yield return new X509Extension(AmdKeyCertificate.FmcSplOid, Integer(fmc), false);
        }

        if (identity.SigningKey == SnpSigningKey.Vlek)
        {
            yield return new X509Extension(AmdKeyCertificate.CspIdOid, Ia5("Emulated CSP"), false);
        }
        else
        {
            // KDS writes the HWID's bytes as they are, without an OCTET STRING around them.
            yield return new X509Extension(AmdKeyCertificate.HwIdOid, identity.CertifiedHwId ?? identity.EffectiveChipId[..(turin ? 8 : 64)], false);
        }
    }

    private static byte[] Integer(int value)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        writer.WriteInteger(value);
        return writer.Encode();
    }

    private static byte[] Ia5(string value)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        writer.WriteCharacterString(System.Formats.Asn1.UniversalTagNumber.IA5String, value);
        return writer.Encode();
    }

    public SnpGuestIdentity Identity { get; }

    /// <summary>The emulated root: pin this to verify emulated reports.</summary>
    public X509Certificate2 Ark { get; }

    /// <summary>The intermediate: the ASK, or for a VLEK the ASVK.</summary>
    public X509Certificate2 Ask { get; }

    /// <summary>The key certificate: the VCEK, or the VLEK when <see cref="SnpGuestIdentity.SigningKey"/> says so.</summary>
    public X509Certificate2 Vcek { get; }

    /// <summary>The ARK's certificate revocation list (DER), as KDS serves it at <c>/vcek/v1/{product}/crl</c>.</summary>
    public byte[] Crl { get; }

    /// <summary>The certificates a host keeps for this chip and hands out with extended reports: VCEK (or VLEK), ASK (or ASVK), ARK.</summary>
    public IReadOnlyList<(Guid Id, byte[] Der)> HostCertificates =>
        [(Identity.SigningKey == SnpSigningKey.Vlek ? SvsmAttestationGuids.Vlek : SvsmAttestationGuids.Vcek, Vcek.RawData), (SvsmAttestationGuids.Ask, Ask.RawData), (SvsmAttestationGuids.Ark, Ark.RawData)];

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

        var tcb = Identity.EffectiveTcb;
        var version = Identity.EffectiveReportVersion;
        var report = new AttestationReport
        {
            Version = version,
            Vmpl = vmpl,
            SignatureAlgo = 1,
            Policy = Identity.Policy,
            CurrentTcb = tcb,
            ReportedTcb = tcb,
            CommittedTcb = tcb,
            LaunchTcb = tcb,
            PlatformInfo = AttestationReportPlatformInfo.SmtEn,
            SignerInfo = AttestationReportSignerInfo.None.WithSigningKey((uint)Identity.SigningKey),
            CurrentMajor = 1,
            CurrentMinor = 55,
            CommittedMajor = 1,
            CommittedMinor = 55,
        };
        reportData.CopyTo(report.ReportData);
        Identity.Measurement.CopyTo(report.Measurement);
        Identity.EffectiveChipId.CopyTo(report.ChipId);

        if (version >= 3)
        {
            // CPUID family, model and stepping as real reports of each product give them (the test data).
            (report.CpuidFamId, report.CpuidModId, report.CpuidStep) = Identity.Product switch
            {
                SnpProduct.Milan => ((byte)0x19, (byte)0x01, (byte)1),
                SnpProduct.Genoa => ((byte)0x19, (byte)0x11, (byte)1),
                _ => ((byte)0x1A, (byte)0x02, (byte)1),
            };
        }

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
