using System;
using System.Runtime.InteropServices;

namespace Svsm.Runtime.Attestation;

/// <summary>Where attestation evidence comes from: the SVSM through a transport, or the kernel's configfs-tsm.</summary>
public interface IAttestationSource
{
    /// <summary>
    /// Attests with <paramref name="nonce"/> (64 bytes). <paramref name="service"/> <see cref="Guid.Empty"/> attests
    /// every service (<c>SVSM_ATTEST_SERVICES</c>); any other GUID that one service, with its manifest in
    /// <paramref name="manifestVersion"/> (<c>SVSM_ATTEST_SINGLE_SERVICE</c>).
    /// </summary>
    AttestationEvidence Attest(ReadOnlySpan<byte> nonce, Guid service = default, uint manifestVersion = 0);
}

/// <summary>Attestation of one service, named by GUID.</summary>
public static class AttestationSourceExtensions
{
    /// <summary>
    /// Attests the one service <paramref name="service"/> (<c>SVSM_ATTEST_SINGLE_SERVICE</c>): the evidence's manifest is
    /// that service's own, in <paramref name="manifestVersion"/>.
    /// </summary>
    public static AttestationEvidence AttestService(this IAttestationSource source, Guid service, ReadOnlySpan<byte> nonce, uint manifestVersion = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (service == Guid.Empty)
        {
            throw new ArgumentException("the null GUID names no service; Attest(nonce) attests every service", nameof(service));
        }

        return source.Attest(nonce, service, manifestVersion);
    }
}

/// <summary>
/// The guest side of the SVSM attestation protocol over any transport, as Linux's <c>sev_svsm_report_new</c> does it:
/// page-aligned guest buffers (a page for the report and the manifest, 16 KiB for certificates), the call, and on
/// <c>SVSM_ERR_INVALID_PARAMETER</c> with larger sizes in RCX, RDX or R8 a retry with buffers grown to them, at
/// most <see cref="MaxRetries"/> times. Buffers are kept for the next call; one call runs at a time.
/// </summary>
public sealed class SvsmAttestationClient : IAttestationSource
{
    /// <summary>Retries after the first call, as Linux's <c>SVSM_MAX_RETRIES</c>.</summary>
    public const int MaxRetries = 3;

    private const ulong PageSize = 4096;
    private const ulong NonceOffset = 0x800;

    private readonly object gate = new();
    private readonly AttestClient client;
    private readonly IGuestMemory memory;
    private readonly GuestAllocator allocator;
    private readonly bool requestCertificates;
    private readonly ulong requestGpa;
    private GuestBuffer report;
    private GuestBuffer manifest;
    private GuestBuffer certificates;

    /// <param name="transport">Carries the calls to the SVSM.</param>
    /// <param name="memory">The guest memory the SVSM reads the request from and writes the evidence to.</param>
    /// <param name="allocator">Hands out the guest buffers.</param>
    /// <param name="requestCertificates">Whether to ask for the host's certificates (the GHCB certificate table).</param>
    public SvsmAttestationClient(ISvsmTransport transport, IGuestMemory memory, GuestAllocator allocator, bool requestCertificates = true)
    {
        client = new AttestClient(transport ?? throw new ArgumentNullException(nameof(transport)));
        this.memory = memory ?? throw new ArgumentNullException(nameof(memory));
        this.allocator = allocator ?? throw new ArgumentNullException(nameof(allocator));
        this.requestCertificates = requestCertificates;
        requestGpa = allocator.AllocatePages(1).Gpa;
        report = allocator.AllocatePages(1);
        manifest = allocator.AllocatePages(1);
        certificates = requestCertificates ? allocator.AllocatePages((int)(AttestConstants.MaxCertificateSize / PageSize)) : default;
    }

    /// <summary>How many calls the last attestation took (1 when the buffers were large enough).</summary>
    public int LastCallCount { get; private set; }

    public AttestationEvidence Attest(ReadOnlySpan<byte> nonce, Guid service = default, uint manifestVersion = 0)
    {
        if (nonce.Length != AttestConstants.NonceSize)
        {
            throw new ArgumentException($"the SVSM takes a {AttestConstants.NonceSize}-byte nonce, not {nonce.Length} bytes", nameof(nonce));
        }

        lock (gate)
        {
            var nonceGpa = requestGpa + NonceOffset;
            memory.Write(nonceGpa, nonce);
            var request = new SvsmAttestCall { Nonce = new SvsmLocEntry { Pa = nonceGpa, Len = AttestConstants.NonceSize }, ServiceManifestVer = manifestVersion };
            if (service != Guid.Empty)
            {
                service.TryWriteBytes(MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref request.ServiceGuid, 1)));
            }

            for (LastCallCount = 1; ; LastCallCount++)
            {
                request.ReportBuf = Location(report);
                request.ManifestBuf = Location(manifest);
                request.CertificatesBuf = Location(certificates);
                memory.Write(requestGpa, request);
                var (result, manifestSize, certificatesSize, reportSize) = Call(service);
                if (result.IsSuccess)
                {
                    return new AttestationEvidence(nonce.ToArray(), service, Read(report, reportSize), Read(manifest, manifestSize), Read(certificates, certificatesSize));
                }

                // Too small: the SVSM put the sizes it needs in RCX, RDX and R8. Anything else is its answer.
                var grown = result == SvsmResult.InvalidParameter && LastCallCount <= MaxRetries &&
                    (Grow(ref report, reportSize) | Grow(ref manifest, manifestSize) | (requestCertificates && Grow(ref certificates, certificatesSize)));
                if (!grown)
                {
                    throw new SvsmCallException(service == Guid.Empty ? "SVSM_ATTEST_SERVICES" : "SVSM_ATTEST_SINGLE_SERVICE", result);
                }
            }
        }
    }

    // A size the SVSM did not set (a failure before it got to the sizes) is 0 here: nothing to grow.
    private (SvsmResult Result, uint ManifestSize, uint CertificatesSize, uint ReportSize) Call(Guid service)
    {
        if (service == Guid.Empty)
        {
            var all = client.Services(requestGpa);
            return (all.Result, all.ManifestSize.GetValueOrDefault(), all.CertificatesSize.GetValueOrDefault(), all.ReportSize.GetValueOrDefault());
        }

        var one = client.SingleService(requestGpa);
        return (one.Result, one.ManifestSize.GetValueOrDefault(), one.CertificatesSize.GetValueOrDefault(), one.ReportSize.GetValueOrDefault());
    }

    private static SvsmLocEntry Location(GuestBuffer buffer) => new() { Pa = buffer.Gpa, Len = (uint)buffer.Length };

    // A buffer smaller than the size the SVSM asked for is replaced by one of whole pages that holds it.
    private bool Grow(ref GuestBuffer buffer, uint needed)
    {
        if (needed <= buffer.Length)
        {
            return false;
        }

        buffer = allocator.AllocatePages((int)((needed + PageSize - 1) / PageSize));
        return true;
    }

    private byte[] Read(GuestBuffer buffer, uint length)
    {
        if (length > buffer.Length)
        {
            throw new AttestationFormatException($"the SVSM reported {length} bytes written to a {buffer.Length}-byte buffer");
        }

        var bytes = new byte[length];
        memory.Read(buffer.Gpa, bytes);
        return bytes;
    }
}
