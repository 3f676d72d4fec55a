using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Svsm.Runtime.Attestation;

/// <summary>The GUIDs of the SVSM attestation protocol (specs/attestation.md) and of the GHCB certificate table.</summary>
public static class SvsmAttestationGuids
{
    /// <summary>The services manifest's header (attest.rs).</summary>
    public static readonly Guid ServicesManifest = new("63849ebb-3d92-4670-a1ff-58f9c94b87bb");

    /// <summary>The vTPM service; its manifest is the TPM's endorsement key public area.</summary>
    public static readonly Guid Vtpm = new("c476f1eb-0123-45a5-9641-b4e7dde5bfe3");

    /// <summary>The UEFI MM service (attest.rs's <c>SVSM_ATTEST_UEFI_MM_GUID</c>); its manifest is <see cref="Svsm.Runtime.Uefi.UefiMmManifest"/>'s 8 bytes.</summary>
    public static readonly Guid UefiMm = new("a4453a59-9e1b-4787-a033-1986d6adbe55");

    /// <summary>AMD Root Key (GHCB certificate table; virtee/sev names the same GUIDs).</summary>
    public static readonly Guid Ark = new("c0b406a4-a803-4952-9743-3fb6014cd0ae");

    /// <summary>AMD SEV Key, which signs the VCEK.</summary>
    public static readonly Guid Ask = new("4ab7b379-bbac-4fe4-a02f-05aef327c782");

    /// <summary>Versioned Chip Endorsement Key, which signs reports.</summary>
    public static readonly Guid Vcek = new("63da758d-e664-4564-adc5-f4b93be8accd");

    /// <summary>Versioned Loaded Endorsement Key, which signs reports in place of the VCEK where the host installed one.</summary>
    public static readonly Guid Vlek = new("a8074bc2-a25a-483e-aae6-39c045a0b8a1");

    /// <summary>A certificate revocation list.</summary>
    public static readonly Guid Crl = new("92f81bc3-5811-4d3d-97ff-d19f88dc67ea");

    /// <summary>A short name for a certificate-table or service GUID ("VCEK", "vTPM"), or the GUID itself.</summary>
    public static string NameOf(Guid id) =>
        id == Ark ? "ARK" : id == Ask ? "ASK" : id == Vcek ? "VCEK" : id == Vlek ? "VLEK" : id == Crl ? "CRL" : id == Vtpm ? "vTPM" : id == UefiMm ? "UEFI MM" : id.ToString();
}

/// <summary>Evidence that does not parse: a manifest or certificate table whose lengths or offsets do not hold.</summary>
public sealed class AttestationFormatException(string message) : FormatException(message);

/// <summary>One service of a manifest: its GUID and its own manifest (the vTPM's is its EK public area).</summary>
public sealed record ServiceManifest(Guid Id, ReadOnlyMemory<byte> Manifest)
{
    public string Name => SvsmAttestationGuids.NameOf(Id);
}

/// <summary>One entry of the GHCB certificate table: which certificate (by GUID) and its DER bytes.</summary>
public sealed record SnpCertificate(Guid Id, ReadOnlyMemory<byte> Der)
{
    public string Name => SvsmAttestationGuids.NameOf(Id);

    public X509Certificate2 Load() => new(Der.Span);
}

/// <summary>
/// What an attestation returned, parsed: the report, the manifest (the services manifest when every service was
/// attested, that one service's manifest otherwise) and the host's certificates. <see cref="Verify(X509Certificate2)"/>
/// checks it against a pinned AMD root.
/// </summary>
public sealed class AttestationEvidence
{
    /// <param name="nonce">The 64 bytes the guest chose.</param>
    /// <param name="service"><see cref="Guid.Empty"/> when every service was attested, otherwise the one attested.</param>
    /// <param name="report">The 1184-byte ATTESTATION_REPORT.</param>
    /// <param name="manifest">The manifest the report's REPORT_DATA covers.</param>
    /// <param name="certificateTable">The GHCB certificate table, or empty when none was returned.</param>
    public AttestationEvidence(ReadOnlyMemory<byte> nonce, Guid service, ReadOnlyMemory<byte> report, ReadOnlyMemory<byte> manifest, ReadOnlyMemory<byte> certificateTable)
    {
        if (report.Length != AttestationReport.Size)
        {
            throw new AttestationFormatException($"an attestation report is {AttestationReport.Size} bytes, not {report.Length}");
        }

        Nonce = nonce;
        Service = service;
        Report = report;
        Manifest = manifest;
        CertificateTable = certificateTable;
        Fields = MemoryMarshal.Read<AttestationReport>(report.Span);
        Services = service == Guid.Empty ? ParseServicesManifest(manifest) : [new ServiceManifest(service, manifest)];
        Certificates = ParseCertificateTable(certificateTable);
    }

    public ReadOnlyMemory<byte> Nonce { get; }

    /// <summary><see cref="Guid.Empty"/> when every service was attested.</summary>
    public Guid Service { get; }

    public ReadOnlyMemory<byte> Report { get; }

    /// <summary>The report's fields, as specs/snp-report.md lays them out.</summary>
    public AttestationReport Fields { get; }

    public ReadOnlyMemory<byte> Manifest { get; }

    public ReadOnlyMemory<byte> CertificateTable { get; }

    /// <summary>The services attested, in manifest order.</summary>
    public IReadOnlyList<ServiceManifest> Services { get; }

    /// <summary>The certificates the host returned, in table order.</summary>
    public IReadOnlyList<SnpCertificate> Certificates { get; }

    /// <summary>The certificate with <paramref name="id"/>, or null.</summary>
    public SnpCertificate? Certificate(Guid id) => Certificates.FirstOrDefault(c => c.Id == id);

    /// <summary>What REPORT_DATA must hold: SHA-512 of the nonce followed by the manifest.</summary>
    public byte[] ExpectedReportData()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        hash.AppendData(Nonce.Span);
        hash.AppendData(Manifest.Span);
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// Verifies the evidence with the certificates the host returned: the VCEK (or VLEK) chains through the ASK to
    /// <paramref name="pinnedArk"/>, the report's signature verifies with it, and REPORT_DATA binds nonce and manifest.
    /// </summary>
    public SnpVerification Verify(X509Certificate2 pinnedArk)
    {
        ArgumentNullException.ThrowIfNull(pinnedArk);
        var signer = Certificate(SvsmAttestationGuids.Vcek) ?? Certificate(SvsmAttestationGuids.Vlek);
        var ask = Certificate(SvsmAttestationGuids.Ask);
        if (signer is null || ask is null)
        {
            return new(SnpVerificationFailure.CertificateMissing,
                $"the host returned no {(signer is null ? "VCEK or VLEK" : "ASK")}; fetch it from AMD's KDS and verify with a key from SnpTrustedSigningKey.Validate");
        }

        using var vcekCertificate = signer.Load();
        using var askCertificate = ask.Load();
        var (key, chain) = SnpTrustedSigningKey.Validate(vcekCertificate, askCertificate, pinnedArk);
        using (key)
        {
            return key is null ? chain : Verify(key);
        }
    }

    /// <summary>Verifies the report's signature with an already validated key, then that REPORT_DATA binds nonce and manifest.</summary>
    public SnpVerification Verify(SnpTrustedSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.Verify(Report.Span);
        if (!signature.IsValid)
        {
            return signature;
        }

        var reportData = Fields.ReportData;
        return ((ReadOnlySpan<byte>)reportData).SequenceEqual(ExpectedReportData())
            ? signature
            : new(SnpVerificationFailure.ReportDataMismatch, "REPORT_DATA is not SHA-512(nonce ‖ manifest): the report was made for another nonce or manifest") { Product = signature.Product };
    }

    /// <summary>
    /// Reads the services manifest (attest.rs <c>GuidTable</c>): the header GUID, the total length and the count,
    /// then an entry (GUID, offset from the table's start, length) per service; every blob must lie inside.
    /// </summary>
    public static IReadOnlyList<ServiceManifest> ParseServicesManifest(ReadOnlyMemory<byte> manifest)
    {
        var bytes = manifest.Span;
        if (bytes.Length < ServicesManifestHeader.Size)
        {
            throw new AttestationFormatException($"a services manifest is at least {ServicesManifestHeader.Size} bytes, not {bytes.Length}");
        }

        var header = MemoryMarshal.Read<ServicesManifestHeader>(bytes);
        var headerGuid = new Guid(header.Guid);
        if (headerGuid != SvsmAttestationGuids.ServicesManifest)
        {
            throw new AttestationFormatException($"the services manifest starts with {headerGuid}, not {SvsmAttestationGuids.ServicesManifest}");
        }

        if (header.Length != bytes.Length)
        {
            throw new AttestationFormatException($"the services manifest says it is {header.Length} bytes, but {bytes.Length} were returned");
        }

        if (header.Count > (bytes.Length - ServicesManifestHeader.Size) / ServicesManifestEntry.Size)
        {
            throw new AttestationFormatException($"the services manifest lists {header.Count} services, more than its {bytes.Length} bytes hold");
        }

        var services = new ServiceManifest[header.Count];
        for (var i = 0; i < services.Length; i++)
        {
            var entry = MemoryMarshal.Read<ServicesManifestEntry>(bytes[(ServicesManifestHeader.Size + (i * ServicesManifestEntry.Size))..]);
            services[i] = new ServiceManifest(new Guid(entry.Guid), Slice(manifest, entry.Offset, entry.Length, "service " + i));
        }

        return services;
    }

    /// <summary>
    /// Reads the GHCB certificate table: entries (GUID in string byte order, offset from the table's start, length)
    /// up to an all-zero entry; an empty buffer or a zero first entry means no certificates.
    /// </summary>
    public static IReadOnlyList<SnpCertificate> ParseCertificateTable(ReadOnlyMemory<byte> table)
    {
        var certificates = new List<SnpCertificate>();
        var bytes = table.Span;
        if (bytes.IsEmpty)
        {
            return certificates;
        }

        for (var at = 0; at + CertificateTableEntry.Size <= bytes.Length; at += CertificateTableEntry.Size)
        {
            if (!bytes.Slice(at, CertificateTableEntry.Size).ContainsAnyExcept((byte)0))
            {
                return certificates;
            }

            var entry = MemoryMarshal.Read<CertificateTableEntry>(bytes[at..]);
            certificates.Add(new SnpCertificate(new Guid(entry.Guid, bigEndian: true), Slice(table, entry.Offset, entry.Length, "certificate " + certificates.Count)));
        }

        throw new AttestationFormatException($"the certificate table's {bytes.Length} bytes hold no all-zero entry to end it");
    }

    /// <summary>The bytes the GHCB certificate table of <paramref name="certificates"/> takes: the entries, the zero entry and the blobs.</summary>
    public static int CertificateTableSize(IReadOnlyList<(Guid Id, byte[] Blob)> certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        return ((certificates.Count + 1) * CertificateTableEntry.Size) + certificates.Sum(c => c.Blob.Length);
    }

    /// <summary>
    /// The GHCB certificate table a host hands the guest, in a zero-padded buffer of <paramref name="length"/> bytes:
    /// an entry per certificate (GUID in string byte order, as virtee/sev writes and Linux reads it; offset from the
    /// table's start; length), an all-zero entry, then the blobs.
    /// </summary>
    public static byte[] WriteCertificateTable(IReadOnlyList<(Guid Id, byte[] Blob)> certificates, int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, CertificateTableSize(certificates));
        var table = new byte[length];
        var offset = (certificates.Count + 1) * CertificateTableEntry.Size;
        for (var i = 0; i < certificates.Count; i++)
        {
            var (id, blob) = certificates[i];
            var entry = new CertificateTableEntry { Offset = (uint)offset, Length = (uint)blob.Length };
            id.TryWriteBytes(entry.Guid, bigEndian: true, out _);
            MemoryMarshal.Write(table.AsSpan(i * CertificateTableEntry.Size), in entry);
            blob.CopyTo(table, offset);
            offset += blob.Length;
        }

        return table;
    }

    // An entry's offset and length, checked to lie inside the buffer it describes.
    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> buffer, uint offset, uint length, string what)
    {
        if ((ulong)offset + length > (ulong)buffer.Length)
        {
            throw new AttestationFormatException($"{what} lies at {offset}+{length}, outside the {buffer.Length} bytes returned");
        }

        return buffer.Slice((int)offset, (int)length);
    }
}
