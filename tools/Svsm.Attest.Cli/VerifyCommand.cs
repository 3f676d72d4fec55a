using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Svsm.Runtime.Attestation;

namespace Svsm.Attest.Cli;

/// <summary>
/// <c>svsm-attest verify REPORT (--certs DIR | --kds [--cache DIR]) [--product P] [policy options] [--json]</c>:
/// exits 0 when the report is valid, 1 when it is not (with the reason), and 2 for input it cannot use.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var report = new Argument<string>("REPORT") { Description = "A raw 1184-byte report, its hex, or - for standard input." };
        var certs = new Option<string?>("--certs") { Description = "A directory of certificates: vcek.der|pem or vlek.der|pem, and optionally cert_chain.pem or ask|asvk.pem and ark.pem, and crl.der|pem." };
        var kds = new Option<bool>("--kds") { Description = "Fetch the VCEK, the chain and the CRL from AMD's KDS." };
        var kdsUrl = new Option<string?>("--kds-url") { Description = "The KDS to ask (default " + AmdKdsClient.DefaultBaseUri + ")." };
        var cache = new Option<string?>("--cache") { Description = "Keep KDS answers in this directory and use them again." };
        var product = new Option<string?>("--product") { Description = "Milan, Genoa or Turin: needed for a version-2 report whose certificate does not say; otherwise checked." };
        var ark = new Option<string?>("--ark") { Description = "Pin this root (PEM or DER) instead of AMD's, as for an emulated firmware." };
        var checkCrl = new Option<bool>("--check-crl") { Description = "Check the ASK or ASVK against AMD's CRL (from the directory's crl.der|pem, or KDS)." };
        var measurement = new Option<string[]>("--measurement") { Description = "An accepted launch measurement (48 bytes of hex); may be repeated." };
        var hostData = new Option<string?>("--host-data") { Description = "The expected HOST_DATA (32 bytes of hex)." };
        var reportData = new Option<string?>("--report-data") { Description = "The expected REPORT_DATA (64 bytes of hex)." };
        var familyId = new Option<string?>("--family-id") { Description = "The expected FAMILY_ID (16 bytes of hex)." };
        var imageId = new Option<string?>("--image-id") { Description = "The expected IMAGE_ID (16 bytes of hex)." };
        var idKey = new Option<string?>("--id-key-digest") { Description = "The expected ID_KEY_DIGEST (48 bytes of hex)." };
        var authorKey = new Option<string?>("--author-key-digest") { Description = "The expected AUTHOR_KEY_DIGEST (48 bytes of hex)." };
        var minTcb = new Option<string?>("--min-tcb") { Description = "The lowest REPORTED_TCB accepted, e.g. bl=3,tee=0,snp=8,ucode=115 (fmc= on Turin)." };
        var minBuild = new Option<byte?>("--min-build") { Description = "The lowest firmware build accepted." };
        var minFirmware = new Option<string?>("--min-firmware") { Description = "The lowest firmware version accepted, MAJOR.MINOR (e.g. 1.55)." };
        var vmpl = new Option<uint?>("--vmpl") { Description = "The VMPL the report must be for." };
        var allowDebug = new Option<bool>("--allow-debug") { Description = "Accept a guest whose policy allows debugging (refused by default)." };
        var noSmt = new Option<bool>("--no-smt") { Description = "Refuse a guest whose policy allows SMT." };
        var noMigrationAgent = new Option<bool>("--no-migration-agent") { Description = "Refuse a guest whose policy allows a migration agent." };
        var minAbi = new Option<string?>("--min-abi") { Description = "The lowest ABI version the guest policy may accept, MAJOR.MINOR." };
        var json = new Option<bool>("--json") { Description = "Print {\"valid\", \"failure\", \"reason\", ...} as JSON." };
        var command = new Command("verify", "Verify a report: AMD's pinned root for its product, the chain, the signature, the certificate bound to the report's chip and TCB, and a policy.")
        {
            report, certs, kds, kdsUrl, cache, product, ark, checkCrl, measurement, hostData, reportData, familyId, imageId, idKey, authorKey,
            minTcb, minBuild, minFirmware, vmpl, allowDebug, noSmt, noMigrationAgent, minAbi, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var bytes = ReportInput.Read(parse.GetValue(report)!);
            var chosen = ReportInput.Product(parse.GetValue(product));
            var policy = new SnpReportPolicy
            {
                Measurements = parse.GetValue(measurement) is { Length: > 0 } measurements ? measurements.Select(m => ReportInput.Hex(m, "--measurement", 48)!).ToList() : null,
                HostData = ReportInput.Hex(parse.GetValue(hostData), "--host-data", 32),
                ReportData = ReportInput.Hex(parse.GetValue(reportData), "--report-data", 64),
                FamilyId = ReportInput.Hex(parse.GetValue(familyId), "--family-id", 16),
                ImageId = ReportInput.Hex(parse.GetValue(imageId), "--image-id", 16),
                IdKeyDigest = ReportInput.Hex(parse.GetValue(idKey), "--id-key-digest", 48),
                AuthorKeyDigest = ReportInput.Hex(parse.GetValue(authorKey), "--author-key-digest", 48),
                MinimumTcb = ReportInput.Tcb(parse.GetValue(minTcb), "--min-tcb"),
                MinimumBuild = parse.GetValue(minBuild),
                MinimumFirmware = ReportInput.Version(parse.GetValue(minFirmware), "--min-firmware"),
                Vmpl = parse.GetValue(vmpl),
                AllowDebug = parse.GetValue(allowDebug),
                AllowSmt = parse.GetValue(noSmt) ? false : null,
                AllowMigrationAgent = !parse.GetValue(noMigrationAgent),
                MinimumAbi = ReportInput.Version(parse.GetValue(minAbi), "--min-abi"),
            };

            var directory = parse.GetValue(certs);
            var fromKds = parse.GetValue(kds);
            if ((directory is null) == !fromKds)
            {
                throw new UnusableInputException("give the certificates with exactly one of --certs DIR and --kds");
            }

            var certificates = directory is not null
                ? FromDirectory(directory)
                : await FetchCommand.FromKds(bytes, chosen, parse.GetValue(kdsUrl), parse.GetValue(cache), cancellationToken);
            var options = new SnpVerifyOptions
            {
                Product = chosen,
                PinnedArk = parse.GetValue(ark) is { } arkPath ? LoadCertificate(arkPath) : null,
                CheckRevocation = parse.GetValue(checkCrl),
                Policy = policy,
            };
            var result = SnpReportVerifier.Verify(bytes, certificates, options);
            Print(result, parse.GetValue(json));
            return result.IsValid ? ReportInput.ExitValid : ReportInput.ExitInvalid;
        });
        return command;
    }

    private static SnpCertificates FromDirectory(string directory)
    {
        try
        {
            return SnpCertificates.FromDirectory(directory);
        }
        catch (Exception exception) when (exception is IOException or CryptographicException or UnauthorizedAccessException)
        {
            throw new UnusableInputException(exception.Message, exception);
        }
    }

    private static X509Certificate2 LoadCertificate(string path)
    {
        try
        {
            return SnpCertificates.Load(File.ReadAllBytes(path), path);
        }
        catch (Exception exception) when (exception is IOException or CryptographicException or UnauthorizedAccessException)
        {
            throw new UnusableInputException(exception.Message, exception);
        }
    }

    private static void Print(SnpVerification result, bool json)
    {
        if (!json)
        {
            Console.WriteLine(result.IsValid ? "valid: " + (result.Product?.Name() ?? "SEV-SNP") + " report" + (result.ChipIdMasked ? " (chip id masked)" : string.Empty) : "invalid (" + result.Failure + "): " + result.Reason);
            foreach (var warning in result.Warnings)
            {
                Console.WriteLine("warning: " + warning);
            }

            return;
        }

        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("valid", result.IsValid);
            writer.WriteString("failure", result.IsValid ? null : JsonNamingPolicy.CamelCase.ConvertName(result.Failure.ToString()));
            writer.WriteString("reason", result.Reason);
            writer.WriteString("product", result.Product?.Name());
            writer.WriteBoolean("chipIdMasked", result.ChipIdMasked);
            writer.WriteStartArray("warnings");
            foreach (var warning in result.Warnings)
            {
                writer.WriteStringValue(warning);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        stdout.Write("\n"u8);
    }
}
