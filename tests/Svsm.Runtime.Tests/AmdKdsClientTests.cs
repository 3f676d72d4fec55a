using System.Net;
using System.Runtime.InteropServices;
using Svsm.Runtime.Attestation;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>The KDS client against a real HTTP server on 127.0.0.1 serving real certificates, with throttling injected.</summary>
public sealed class AmdKdsClientTests
{
    internal static byte[] ChainPem(SnpProduct product) =>
        System.Text.Encoding.ASCII.GetBytes(AmdRoots.Ask(product).ExportCertificatePem() + "\n" + AmdRoots.Ark(product).ExportCertificatePem() + "\n");

    /// <summary>A KDS that serves the Turin report's VCEK, Turin's chain and a CRL body, each after <paramref name="tooMany"/> 429s.</summary>
    internal static (TestKdsServer Server, string VcekPath) TurinKds(int tooMany = 0)
    {
        var report = SnpRealReportTests.Report("oak_turin_v5_report.bin");
        var parsed = MemoryMarshal.Read<AttestationReport>(report);
        var path = AmdKdsClient.VcekPath(SnpProduct.Turin, parsed.ChipId, SnpTcb.Read(parsed.ReportedTcb, SnpProduct.Turin));
        var server = new TestKdsServer();
        server.Serve(path, SnpRealReportTests.Report("oak_turin_vcek.der"), tooMany);
        server.Serve("/vcek/v1/Turin/cert_chain", ChainPem(SnpProduct.Turin), tooMany);
        server.Serve("/vcek/v1/Turin/crl", new byte[] { 0x30, 0x00 }, tooMany);
        return (server, path);
    }

    [Fact]
    public void TheVcekPathIsKdssForEachProduct()
    {
        var chipId = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        Assert.Equal("/vcek/v1/Milan/" + Convert.ToHexString(chipId).ToLowerInvariant() + "?blSPL=03&teeSPL=00&snpSPL=08&ucodeSPL=115",
            AmdKdsClient.VcekPath(SnpProduct.Milan, chipId, new SnpTcb(3, 0, 8, 115)));
        Assert.Equal("/vcek/v1/Turin/0001020304050607?fmcSPL=01&blSPL=03&teeSPL=00&snpSPL=08&ucodeSPL=71",
            AmdKdsClient.VcekPath(SnpProduct.Turin, chipId, new SnpTcb(3, 0, 8, 71, 1)));
    }

    [Fact]
    public async Task FetchesTheTurinReportsCertificatesThroughThrottlingAndCachesThem()
    {
        var (server, vcekPath) = TurinKds(tooMany: 2);
        using (server)
        {
            var cache = Directory.CreateTempSubdirectory("svsm-kds-").FullName;
            using var http = new HttpClient();
            var client = new AmdKdsClient(http, server.BaseUri, cache) { FirstRetryDelay = TimeSpan.FromMilliseconds(10) };
            var report = SnpRealReportTests.Report("oak_turin_v5_report.bin");
            var certificates = await client.FetchAsync(report, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(3, server.Requests[vcekPath]);
            Assert.True(SnpReportVerifier.Verify(report, certificates).IsValid);

            // The second time, every answer comes from the cache.
            await client.FetchAsync(report, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(3, server.Requests[vcekPath]);
            Assert.Equal(3, Directory.GetFiles(cache).Length);
        }
    }

    [Fact]
    public async Task ThrottlingPastTheAttemptsA404AndAVlekReportAreClearErrors()
    {
        var (server, _) = TurinKds(tooMany: 10);
        using (server)
        {
            using var http = new HttpClient();
            var client = new AmdKdsClient(http, server.BaseUri) { MaxAttempts = 3, FirstRetryDelay = TimeSpan.FromMilliseconds(1) };
            var throttled = await Assert.ThrowsAsync<AmdKdsException>(() => client.FetchAsync(SnpRealReportTests.Report("oak_turin_v5_report.bin"), cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.Status);
            Assert.Contains("3 times", throttled.Message, StringComparison.Ordinal);

            var missing = await Assert.ThrowsAsync<AmdKdsException>(() => client.FetchAsync(SnpRealReportTests.Report("oak_genoa_v5_report.bin"), cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal(HttpStatusCode.NotFound, missing.Status);
            Assert.Contains("/vcek/v1/Genoa/", missing.Message, StringComparison.Ordinal);

            var vlek = await Assert.ThrowsAsync<AmdKdsException>(() => client.FetchAsync(SnpRealReportTests.Report("trustee-snp_milan_v3_vlek_report.bin"), cancellationToken: TestContext.Current.CancellationToken));
            Assert.Contains("VLEK", vlek.Message, StringComparison.Ordinal);
        }
    }
}
