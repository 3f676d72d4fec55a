using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Svsm.Emulator.Firmware;
using Svsm.Runtime;
using Svsm.Runtime.Attestation;
using Svsm.Runtime.Tpm;

namespace Svsm.Emulator.Services.Attestation;

/// <summary>A service the SVSM attests: its GUID and how its manifest is made (the vTPM's is its EK public area).</summary>
public sealed record AttestedService(Guid Id, string Name, Func<byte[]> Manifest);

/// <summary>
/// The attestation protocol (specs/attestation.md) as COCONUT-SVSM's <c>kernel/src/protocols/attest.rs</c> serves
/// it, in its order of checks: the request read and its reserved bytes, the manifest built before the nonce is
/// looked at, the report from <see cref="EmulatedSnpFirmware"/> (the one implementation every report comes from)
/// with <c>REPORT_DATA</c> = SHA-512(nonce ‖ manifest), then the buffers' alignment, the sizes in RCX, RDX and R8
/// and only then the too-small checks. Nothing is written to guest memory unless every check passed.
/// </summary>
internal sealed class AttestationService(EmulatedSnpFirmware firmware, IReadOnlyList<AttestedService> services) : IAttestHandler
{
    private const int PageSize = PrivateGuestMemory.PageSize;

    public AttestServicesResult Services(SvsmCallContext context, ulong requestGpa)
    {
        var (result, manifestSize, certificatesSize, reportSize) = Attest(context, requestGpa, single: false);
        return new(result, manifestSize, certificatesSize, reportSize);
    }

    public AttestSingleServiceResult SingleService(SvsmCallContext context, ulong requestGpa)
    {
        var (result, manifestSize, certificatesSize, reportSize) = Attest(context, requestGpa, single: true);
        return new(result, manifestSize, certificatesSize, reportSize);
    }

    // The sizes are null until attest.rs sets them in RCX, RDX and R8: a failure before that leaves the guest's values.
    private (SvsmResult, uint?, uint?, uint?) Attest(SvsmCallContext context, ulong requestGpa, bool single)
    {
        var failed = (SvsmResult.InvalidParameter, (uint?)null, (uint?)null, (uint?)null);
        SvsmAttestCall request = default;
        var bytes = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref request, 1));
        try
        {
            context.Memory.Read(requestGpa, single ? bytes : bytes[..SvsmAttestCall.ServiceGuidOffset]);
        }
        catch (GuestMemoryException)
        {
            return failed;
        }

        // The service fields of an ATTEST_SERVICES request were not read: they are zero. COCONUT-SVSM reads the
        // nonce's length as a u16, so the upper two bytes of Linux's u32 are reserved there.
        if (request.Validate().Count > 0 || request.Nonce.Len > ushort.MaxValue ||
            (single && request.ServiceManifestVer != AttestConstants.ManifestVersion))
        {
            return failed;
        }

        byte[] manifest;
        try
        {
            if (single)
            {
                var id = new Guid(MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref request.ServiceGuid, 1)));
                var service = services.FirstOrDefault(s => s.Id == id);
                if (service is null)
                {
                    return (SvsmResult.UnsupportedProtocol, null, null, null);
                }

                manifest = service.Manifest();
            }
            else
            {
                manifest = ServicesManifest(services);
            }
        }
        catch (TpmException)
        {
            // A vTPM that cannot make its EK (not started, or gone) is INVALID_REQUEST, as vtpm/mod.rs maps it.
            return (SvsmResult.InvalidRequest, null, null, null);
        }

        // The nonce: 64 bytes, not crossing a page, readable.
        Span<byte> nonce = stackalloc byte[(int)AttestConstants.NonceSize];
        var nonceGpa = request.Nonce.Pa;
        if (request.Nonce.Len != AttestConstants.NonceSize || (nonceGpa % PageSize) + AttestConstants.NonceSize > PageSize)
        {
            return failed;
        }

        try
        {
            context.Memory.Read(nonceGpa, nonce);
        }
        catch (GuestMemoryException)
        {
            return failed;
        }

        var reportData = SHA512.HashData([.. nonce, .. manifest]);
        var report = firmware.CreateReport(reportData, vmpl: 0);
        var wantsCertificates = request.CertificatesBuf.Len > 0;
        var certificates = wantsCertificates ? CertificateTable(firmware) : null;

        // The buffers: page-aligned, not wrapping; a certificates buffer no larger than the SVSM's own, checked first.
        if (wantsCertificates && request.CertificatesBuf.Len > AttestConstants.MaxCertificateSize)
        {
            return failed;
        }

        var regions = wantsCertificates ? new[] { request.ManifestBuf, request.ReportBuf, request.CertificatesBuf } : new[] { request.ManifestBuf, request.ReportBuf };
        foreach (var location in regions)
        {
            if (Region(location) is { } bad)
            {
                return (bad, null, null, null);
            }
        }

        // The sizes go out before the too-small checks, so a guest learns what it needs.
        var manifestSize = (uint)manifest.Length;
        var certificatesSize = (uint)(certificates?.Length ?? 0);
        var reportSize = (uint)report.Length;
        if (manifestSize > request.ManifestBuf.Len || reportSize > request.ReportBuf.Len || certificatesSize > request.CertificatesBuf.Len)
        {
            return (SvsmResult.InvalidParameter, manifestSize, certificatesSize, reportSize);
        }

        try
        {
            // copy_slice_to_guest faulting is INVALID_ADDRESS (errors.rs); the sizes are already set.
            if ((context.CheckBuffer(request.ReportBuf.Pa, reportSize, GuestBufferCodes.Address) ??
                 context.CheckBuffer(request.ManifestBuf.Pa, Math.Max(manifestSize, 1), GuestBufferCodes.Address) ??
                 (certificates is null ? null : context.CheckBuffer(request.CertificatesBuf.Pa, certificatesSize, GuestBufferCodes.Address))) is { } bad)
            {
                return (bad, manifestSize, certificatesSize, reportSize);
            }

            context.Memory.Write(request.ReportBuf.Pa, report);
            context.Memory.Write(request.ManifestBuf.Pa, manifest);
            if (certificates is not null)
            {
                context.Memory.Write(request.CertificatesBuf.Pa, certificates);
            }
        }
        catch (GuestMemoryException)
        {
            return (SvsmResult.InvalidAddress, manifestSize, certificatesSize, reportSize);
        }

        return (SvsmResult.Success, manifestSize, certificatesSize, reportSize);
    }

    /// <summary>A buffer's alignment and range: not page-aligned is INVALID_PARAMETER, wrapping INVALID_ADDRESS.</summary>
    private static SvsmResult? Region(SvsmLocEntry location) =>
        location.Pa % PageSize != 0 ? SvsmResult.InvalidParameter
        : location.Pa + location.Len < location.Pa ? SvsmResult.InvalidAddress
        : null;

    /// <summary>The services manifest: header, an entry per service, then each service's manifest (GuidTable::to_vec).</summary>
    public static byte[] ServicesManifest(IReadOnlyList<AttestedService> services)
    {
        var blobs = services.Select(s => s.Manifest()).ToList();
        var headerSize = ServicesManifestHeader.Size + (services.Count * ServicesManifestEntry.Size);
        var manifest = new byte[headerSize + blobs.Sum(b => b.Length)];
        var header = new ServicesManifestHeader { Length = (uint)manifest.Length, Count = (uint)services.Count };
        SvsmAttestationGuids.ServicesManifest.TryWriteBytes(header.Guid);
        MemoryMarshal.Write(manifest, in header);
        var offset = headerSize;
        for (var i = 0; i < services.Count; i++)
        {
            // GUIDs in their little-endian byte order, as Uuid::to_bytes_le writes them.
            var entry = new ServicesManifestEntry { Offset = (uint)offset, Length = (uint)blobs[i].Length };
            services[i].Id.TryWriteBytes(entry.Guid);
            MemoryMarshal.Write(manifest.AsSpan(ServicesManifestHeader.Size + (i * ServicesManifestEntry.Size)), in entry);
            blobs[i].CopyTo(manifest, offset);
            offset += blobs[i].Length;
        }

        return manifest;
    }

    /// <summary>What the host hands the extended guest request, padded to the SVSM's 16 KiB buffer: the GHCB certificate table.</summary>
    public static byte[] CertificateTable(EmulatedSnpFirmware firmware) =>
        AttestationEvidence.WriteCertificateTable(firmware.HostCertificates, (int)AttestConstants.MaxCertificateSize);
}
