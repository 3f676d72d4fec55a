using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Svsm.Runtime.Attestation;

namespace Svsm.Attest.Cli;

/// <summary>
/// <c>svsm-attest fetch REPORT --out DIR</c>: the report's VCEK, its product's chain and CRL from AMD's KDS, written
/// as vcek.der, cert_chain.pem and crl.der (the names <c>verify --certs</c> reads). A VLEK report or a masked chip
/// id is exit 2: KDS cannot serve them.
/// </summary>
internal static class FetchCommand
{
    public static Command Create()
    {
        var report = new Argument<string>("REPORT") { Description = "A raw 1184-byte report, its hex, or - for standard input." };
        var output = new Option<string>("--out") { Description = "The directory to write vcek.der, cert_chain.pem and crl.der into.", Required = true };
        var product = new Option<string?>("--product") { Description = "Milan, Genoa or Turin, for a version-2 report." };
        var kdsUrl = new Option<string?>("--kds-url") { Description = "The KDS to ask (default " + AmdKdsClient.DefaultBaseUri + ")." };
        var cache = new Option<string?>("--cache") { Description = "Keep KDS answers in this directory and use them again." };
        var command = new Command("fetch", "Fetch a report's certificates from AMD's KDS into a directory.") { report, output, product, kdsUrl, cache };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var bytes = ReportInput.Read(parse.GetValue(report)!);
            var certificates = await FromKds(bytes, ReportInput.Product(parse.GetValue(product)), parse.GetValue(kdsUrl), parse.GetValue(cache), cancellationToken);
            var directory = parse.GetValue(output)!;
            Directory.CreateDirectory(directory);
            await File.WriteAllBytesAsync(Path.Combine(directory, "vcek.der"), certificates.SigningKey.RawData, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(directory, "cert_chain.pem"), certificates.Intermediate!.ExportCertificatePem() + "\n" + certificates.Ark!.ExportCertificatePem() + "\n", cancellationToken);
            await File.WriteAllBytesAsync(Path.Combine(directory, "crl.der"), certificates.Crl!, cancellationToken);
            Console.WriteLine($"wrote vcek.der, cert_chain.pem and crl.der to {directory}");
            return ReportInput.ExitValid;
        });
        return command;
    }

    /// <summary>The certificates of <paramref name="report"/> from KDS; what KDS cannot serve, or does not answer, is unusable input.</summary>
    public static async Task<SnpCertificates> FromKds(byte[] report, SnpProduct? product, string? url, string? cache, CancellationToken cancellationToken)
    {
        Uri? baseUri = null;
        if (url is not null && !Uri.TryCreate(url, UriKind.Absolute, out baseUri))
        {
            throw new UnusableInputException($"--kds-url '{url}' is not an absolute URL");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            return await new AmdKdsClient(http, baseUri, cache).FetchAsync(report, product, cancellationToken);
        }
        catch (AmdKdsException exception)
        {
            throw new UnusableInputException(exception.Message, exception);
        }
    }
}
