using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Svsm.Runtime.Attestation;

/// <summary>A request to AMD's KDS that did not give a certificate: the HTTP status (404: KDS has none) and the path asked for.</summary>
public sealed class AmdKdsException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// A client of AMD's Key Distribution Service: VCEKs by product, chip and TCB, and each product's certificate chain
/// and CRL. Answers are cached on disk by request path and query when a cache directory is given; HTTP 429 and 5xx
/// are retried with exponential backoff (honouring Retry-After). VLEKs are not on KDS: a cloud provider loads them,
/// and they come with the extended report.
/// </summary>
public sealed class AmdKdsClient
{
    /// <summary>AMD's KDS.</summary>
    public static readonly Uri DefaultBaseUri = new("https://kdsintf.amd.com");

    private readonly HttpClient http;
    private readonly Uri baseUri;
    private readonly string? cacheDirectory;

    /// <param name="http">The client requests go through (its lifetime is the caller's).</param>
    /// <param name="baseUri">The KDS to ask; <see cref="DefaultBaseUri"/> by default.</param>
    /// <param name="cacheDirectory">Where answers are kept, one file per request; null keeps none.</param>
    public AmdKdsClient(HttpClient http, Uri? baseUri = null, string? cacheDirectory = null)
    {
        this.http = http ?? throw new ArgumentNullException(nameof(http));
        this.baseUri = baseUri ?? DefaultBaseUri;
        this.cacheDirectory = cacheDirectory;
    }

    /// <summary>How often a request is tried in all before 429 or 5xx is given up on (default 5).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The wait before the first retry, doubled for each next one, when the answer gives no Retry-After (default 1 s).</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The VCEK path and query for a chip and TCB: <c>/vcek/v1/{product}/{hwid}?blSPL=..&amp;teeSPL=..&amp;snpSPL=..&amp;ucodeSPL=..</c>,
    /// with <c>fmcSPL</c> first on Turin, whose HWID is chip_id[0..8]; SPLs in two digits at least, as snpguest asks.
    /// </summary>
    public static string VcekPath(SnpProduct product, ReadOnlySpan<byte> chipId, SnpTcb tcb)
    {
        if (chipId.Length != 64)
        {
            throw new ArgumentException("a chip id is 64 bytes", nameof(chipId));
        }

        var hwId = Convert.ToHexString(product.HasFmc() ? chipId[..8] : chipId).ToLowerInvariant();
        var query = new StringBuilder();
        if (product.HasFmc())
        {
            query.Append("fmcSPL=").Append(Spl(tcb.Fmc ?? 0)).Append('&');
        }

        query.Append("blSPL=").Append(Spl(tcb.BootLoader)).Append("&teeSPL=").Append(Spl(tcb.Tee))
            .Append("&snpSPL=").Append(Spl(tcb.Snp)).Append("&ucodeSPL=").Append(Spl(tcb.Microcode));
        return "/vcek/v1/" + product.Name() + "/" + hwId + "?" + query;
    }

    /// <summary>The VCEK of chip <paramref name="chipId"/> (64 bytes) at TCB <paramref name="tcb"/>, a report's REPORTED_TCB; a masked (zero) chip id throws.</summary>
    public async Task<X509Certificate2> GetVcekAsync(SnpProduct product, ReadOnlyMemory<byte> chipId, SnpTcb tcb, CancellationToken cancellationToken = default)
    {
        if (!chipId.Span.ContainsAnyExcept((byte)0))
        {
            throw new AmdKdsException("the report's chip id is masked (MASK_CHIP_ID): KDS cannot be asked for its VCEK; take the VCEK from the extended report or a directory");
        }

        var path = VcekPath(product, chipId.Span, tcb);
        return SnpCertificates.Load(await GetAsync(path, cancellationToken).ConfigureAwait(false), "the VCEK KDS returned for " + path);
    }

    /// <summary>The intermediate (ASK for VCEKs, ASVK for VLEKs) and the ARK of <paramref name="product"/>: <c>/vcek/v1/{product}/cert_chain</c> or <c>/vlek/v1/...</c>.</summary>
    public async Task<(X509Certificate2 Intermediate, X509Certificate2 Ark)> GetCertChainAsync(SnpProduct product, SnpSigningKey kind = SnpSigningKey.Vcek, CancellationToken cancellationToken = default)
    {
        var path = Root(kind) + product.Name() + "/cert_chain";
        var pem = Encoding.ASCII.GetString(await GetAsync(path, cancellationToken).ConfigureAwait(false));
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(pem);
        }
        catch (CryptographicException exception)
        {
            throw new AmdKdsException(path + " did not return PEM certificates: " + exception.Message, null, exception);
        }

        if (chain.Count != 2)
        {
            throw new AmdKdsException($"{path} returned {chain.Count} certificates, not the intermediate and the ARK");
        }

        return (chain[0], chain[1]);
    }

    /// <summary>The ARK-signed CRL of <paramref name="product"/> (DER): <c>/vcek/v1/{product}/crl</c> or <c>/vlek/v1/...</c>.</summary>
    public Task<byte[]> GetCrlAsync(SnpProduct product, SnpSigningKey kind = SnpSigningKey.Vcek, CancellationToken cancellationToken = default) =>
        GetAsync(Root(kind) + product.Name() + "/crl", cancellationToken);

    /// <summary>
    /// Everything <see cref="SnpReportVerifier"/> needs for <paramref name="report"/>: the VCEK for its chip and
    /// REPORTED_TCB, the chain and the CRL. A VLEK report, or one whose chip id is masked, throws: KDS cannot serve it.
    /// </summary>
    public async Task<SnpCertificates> FetchAsync(ReadOnlyMemory<byte> report, SnpProduct? product = null, CancellationToken cancellationToken = default)
    {
        var read = SnpReportReader.Read(report.Span, product);
        if (!read.Result.IsValid)
        {
            throw new AmdKdsException("the report cannot be read: " + read.Result.Reason);
        }

        if (read.Report.SignerInfo.GetSigningKey() == (uint)SnpSigningKey.Vlek)
        {
            throw new AmdKdsException("the report is signed by a VLEK, which AMD's KDS does not serve: take it from the extended report, configfs-tsm's auxblob or a directory");
        }

        var chosen = read.Product!.Value;
        var chipId = ((ReadOnlySpan<byte>)read.Report.ChipId).ToArray();
        var vcek = await GetVcekAsync(chosen, chipId, SnpTcb.Read(read.Report.ReportedTcb, chosen), cancellationToken).ConfigureAwait(false);
        var (ask, ark) = await GetCertChainAsync(chosen, SnpSigningKey.Vcek, cancellationToken).ConfigureAwait(false);
        var crl = await GetCrlAsync(chosen, SnpSigningKey.Vcek, cancellationToken).ConfigureAwait(false);
        return new SnpCertificates(vcek, ask, ark, crl);
    }

    private static string Root(SnpSigningKey kind) => kind == SnpSigningKey.Vlek ? "/vlek/v1/" : "/vcek/v1/";

    private static string Spl(byte value) => value.ToString("00", CultureInfo.InvariantCulture);

    private async Task<byte[]> GetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var cached = cacheDirectory is null ? null : Path.Combine(cacheDirectory, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(pathAndQuery))).ToLowerInvariant());
        if (cached is not null && File.Exists(cached))
        {
            return await File.ReadAllBytesAsync(cached, cancellationToken).ConfigureAwait(false);
        }

        var uri = new Uri(baseUri, pathAndQuery);
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException exception)
            {
                throw new AmdKdsException($"KDS at {baseUri} could not be reached for {pathAndQuery}: {exception.Message}", null, exception);
            }

            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                    if (cached is not null)
                    {
                        Directory.CreateDirectory(cacheDirectory!);
                        var temporary = cached + ".tmp";
                        await File.WriteAllBytesAsync(temporary, body, cancellationToken).ConfigureAwait(false);
                        File.Move(temporary, cached, overwrite: true);
                    }

                    return body;
                }

                var status = response.StatusCode;
                if (status == HttpStatusCode.NotFound)
                {
                    throw new AmdKdsException($"KDS has nothing at {pathAndQuery} (404): check the product, the chip id and the TCB", status);
                }

                var retryable = status == HttpStatusCode.TooManyRequests || (int)status >= 500;
                if (!retryable || attempt >= MaxAttempts)
                {
                    throw new AmdKdsException($"KDS answered {(int)status} {response.ReasonPhrase} for {pathAndQuery}" + (retryable ? $" {attempt} times" : string.Empty), status);
                }

                var delay = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromTicks(FirstRetryDelay.Ticks << (attempt - 1));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
