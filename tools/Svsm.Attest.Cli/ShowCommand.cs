using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Svsm.Runtime.Attestation;

namespace Svsm.Attest.Cli;

/// <summary>
/// <c>svsm-attest show REPORT [--product P] [--json]</c>: the report's fields by name, each TCB in its product's
/// layout, the policy, platform-info and signer bits by name. Exits 0, or 2 for a report it cannot read.
/// </summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var report = new Argument<string>("REPORT") { Description = "A raw 1184-byte report, its hex, or - for standard input." };
        var product = new Option<string?>("--product") { Description = "For a version-2 report: Milan, Genoa or Turin (its TCB layout)." };
        var json = new Option<bool>("--json") { Description = "Print JSON (camelCase) instead of text." };
        var command = new Command("show", "Print a report's fields by name.") { report, product, json };
        command.SetAction(parse => Show(ReportInput.Read(parse.GetValue(report)!), ReportInput.Product(parse.GetValue(product)), parse.GetValue(json)));
        return command;
    }

    private static int Show(byte[] bytes, SnpProduct? given, bool json)
    {
        var report = MemoryMarshal.Read<AttestationReport>(bytes);
        var read = SnpReportReader.Read(bytes, given);
        var product = read.Product ?? given;

        // Milan and Genoa lay TCBs out alike, so a version-2 report of either shows its TCB parts without a product.
        var layout = product ?? (((ReadOnlySpan<byte>)report.ChipId)[8..].ContainsAnyExcept((byte)0) ? SnpProduct.Milan : (SnpProduct?)null);
        var view = new ReportView(report, product, layout, read.Result);
        if (json)
        {
            view.WriteJson(Console.OpenStandardOutput());
        }
        else
        {
            view.WriteText(Console.Out);
        }

        return ReportInput.ExitValid;
    }
}

/// <summary>A report as svsm-attest shows it, in text or JSON.</summary>
internal sealed class ReportView(AttestationReport report, SnpProduct? product, SnpProduct? layout, SnpVerification layoutCheck)
{
    private static readonly (string Name, AttestationReportPolicy Bit)[] PolicyBits =
    [
        ("smt", AttestationReportPolicy.Smt), ("reservedOne", AttestationReportPolicy.ReservedOne), ("migrateMa", AttestationReportPolicy.MigrateMa),
        ("debug", AttestationReportPolicy.Debug), ("singleSocket", AttestationReportPolicy.SingleSocket), ("cxlAllow", AttestationReportPolicy.CxlAllow),
        ("memAes256Xts", AttestationReportPolicy.MemAes256Xts), ("raplDis", AttestationReportPolicy.RaplDis),
        ("ciphertextHiding", AttestationReportPolicy.CiphertextHiding), ("pageSwapDisable", AttestationReportPolicy.PageSwapDisable),
    ];

    private static readonly (string Name, AttestationReportPlatformInfo Bit)[] PlatformBits =
    [
        ("smtEn", AttestationReportPlatformInfo.SmtEn), ("tsmeEn", AttestationReportPlatformInfo.TsmeEn), ("eccEn", AttestationReportPlatformInfo.EccEn),
        ("raplDis", AttestationReportPlatformInfo.RaplDis), ("ciphertextHidingEn", AttestationReportPlatformInfo.CiphertextHidingEn),
        ("aliasCheckComplete", AttestationReportPlatformInfo.AliasCheckComplete), ("tioEn", AttestationReportPlatformInfo.TioEn),
    ];

    private string ProductName => product?.Name() ?? (layout is null ? "unknown" : "Milan or Genoa (a version-2 report does not say)");

    private string SigningKeyName => report.SignerInfo.GetSigningKey() switch
    {
        0 => "VCEK",
        1 => "VLEK",
        7 => "none",
        var other => "reserved (" + other.ToString(CultureInfo.InvariantCulture) + ")",
    };

    public void WriteText(TextWriter output)
    {
        output.WriteLine("version:            " + report.Version);
        output.WriteLine("product:            " + ProductName);
        output.WriteLine("vmpl:               " + report.Vmpl);
        output.WriteLine("signing key:        " + SigningKeyName + ((report.SignerInfo & AttestationReportSignerInfo.MaskChipKey) != 0 ? " (chip key masked: unsigned)" : string.Empty));
        output.WriteLine("guest svn:          " + report.GuestSvn);
        output.WriteLine($"policy:             0x{(ulong)report.Policy:X16} abi {report.Policy.GetAbiMajor()}.{report.Policy.GetAbiMinor()} {string.Join(' ', SetNames(PolicyBits, report.Policy))}");
        output.WriteLine($"platform info:      0x{(ulong)report.PlatformInfo:X16} {string.Join(' ', SetNames(PlatformBits, report.PlatformInfo).Concat(UnknownPlatformBits().Select(b => "bit" + b)))}");
        if (report.CpuidFamIdIfPresent is { } family)
        {
            output.WriteLine($"cpuid:              family 0x{family:X2} model 0x{report.CpuidModId:X2} stepping 0x{report.CpuidStep:X2}");
        }

        foreach (var (name, tcb) in Tcbs())
        {
            output.WriteLine($"{name + ":",-20}0x{tcb:X16}{(layout is { } l ? " (" + SnpTcb.Read(tcb, l) + ")" : string.Empty)}");
        }

        output.WriteLine($"firmware:           current {report.CurrentMajor}.{report.CurrentMinor} build {report.CurrentBuild}, committed {report.CommittedMajor}.{report.CommittedMinor} build {report.CommittedBuild}");
        if (report.LaunchMitVectorIfPresent is { } launchMitigations)
        {
            output.WriteLine($"mitigation vectors: launch 0x{launchMitigations:X16}, current 0x{report.CurrentMitVector:X16}");
        }

        foreach (var (name, bytes) in Blobs())
        {
            output.WriteLine($"{name + ":",-20}{Convert.ToHexString(bytes).ToLowerInvariant()}");
        }

        if (!layoutCheck.IsValid && layoutCheck.Failure != SnpVerificationFailure.UnknownProduct)
        {
            output.WriteLine("problem:            " + layoutCheck.Reason);
        }

        foreach (var warning in layoutCheck.Warnings)
        {
            output.WriteLine("warning:            " + warning);
        }
    }

    public void WriteJson(Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("version", report.Version);
        json.WriteString("product", product?.Name());
        json.WriteNumber("vmpl", report.Vmpl);
        json.WriteString("signingKey", SigningKeyName);
        json.WriteBoolean("maskChipKey", (report.SignerInfo & AttestationReportSignerInfo.MaskChipKey) != 0);
        json.WriteBoolean("authorKeyEn", (report.SignerInfo & AttestationReportSignerInfo.AuthorKeyEn) != 0);
        json.WriteNumber("guestSvn", report.GuestSvn);
        json.WriteStartObject("policy");
        json.WriteString("raw", "0x" + ((ulong)report.Policy).ToString("X16", CultureInfo.InvariantCulture));
        json.WriteNumber("abiMajor", report.Policy.GetAbiMajor());
        json.WriteNumber("abiMinor", report.Policy.GetAbiMinor());
        foreach (var (name, bit) in PolicyBits)
        {
            json.WriteBoolean(name, (report.Policy & bit) != 0);
        }

        json.WriteEndObject();
        json.WriteStartObject("platformInfo");
        json.WriteString("raw", "0x" + ((ulong)report.PlatformInfo).ToString("X16", CultureInfo.InvariantCulture));
        foreach (var (name, bit) in PlatformBits)
        {
            json.WriteBoolean(name, (report.PlatformInfo & bit) != 0);
        }

        json.WriteStartArray("unknownBits");
        foreach (var bit in UnknownPlatformBits())
        {
            json.WriteNumberValue(bit);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        if (report.CpuidFamIdIfPresent is { } family)
        {
            json.WriteStartObject("cpuid");
            json.WriteNumber("family", family);
            json.WriteNumber("model", report.CpuidModId);
            json.WriteNumber("stepping", report.CpuidStep);
            json.WriteEndObject();
        }

        foreach (var (name, tcb) in Tcbs())
        {
            json.WriteStartObject(Camel(name));
            json.WriteString("raw", "0x" + tcb.ToString("X16", CultureInfo.InvariantCulture));
            if (layout is { } l)
            {
                var parts = SnpTcb.Read(tcb, l);
                if (parts.Fmc is { } fmc)
                {
                    json.WriteNumber("fmc", fmc);
                }

                json.WriteNumber("bootLoader", parts.BootLoader);
                json.WriteNumber("tee", parts.Tee);
                json.WriteNumber("snp", parts.Snp);
                json.WriteNumber("microcode", parts.Microcode);
            }

            json.WriteEndObject();
        }

        json.WriteString("currentFirmware", $"{report.CurrentMajor}.{report.CurrentMinor}.{report.CurrentBuild}");
        json.WriteString("committedFirmware", $"{report.CommittedMajor}.{report.CommittedMinor}.{report.CommittedBuild}");
        if (report.LaunchMitVectorIfPresent is { } launchMitigations)
        {
            json.WriteString("launchMitVector", "0x" + launchMitigations.ToString("X16", CultureInfo.InvariantCulture));
            json.WriteString("currentMitVector", "0x" + report.CurrentMitVector.ToString("X16", CultureInfo.InvariantCulture));
        }

        foreach (var (name, bytes) in Blobs())
        {
            json.WriteString(Camel(name), Convert.ToHexString(bytes).ToLowerInvariant());
        }

        json.WriteStartArray("warnings");
        foreach (var warning in layoutCheck.Warnings)
        {
            json.WriteStringValue(warning);
        }

        json.WriteEndArray();
        json.WriteString("problem", layoutCheck.IsValid || layoutCheck.Failure == SnpVerificationFailure.UnknownProduct ? null : layoutCheck.Reason);
        json.WriteEndObject();
        json.Flush();
        output.Write("\n"u8);
    }

    private IEnumerable<(string Name, ulong Tcb)> Tcbs() =>
        [("current tcb", report.CurrentTcb), ("reported tcb", report.ReportedTcb), ("committed tcb", report.CommittedTcb), ("launch tcb", report.LaunchTcb)];

    private IEnumerable<(string Name, byte[] Bytes)> Blobs() =>
    [
        ("chip id", ((ReadOnlySpan<byte>)report.ChipId).ToArray()), ("measurement", ((ReadOnlySpan<byte>)report.Measurement).ToArray()),
        ("report data", ((ReadOnlySpan<byte>)report.ReportData).ToArray()), ("host data", ((ReadOnlySpan<byte>)report.HostData).ToArray()),
        ("family id", ((ReadOnlySpan<byte>)report.FamilyId).ToArray()), ("image id", ((ReadOnlySpan<byte>)report.ImageId).ToArray()),
        ("id key digest", ((ReadOnlySpan<byte>)report.IdKeyDigest).ToArray()), ("author key digest", ((ReadOnlySpan<byte>)report.AuthorKeyDigest).ToArray()),
        ("report id", ((ReadOnlySpan<byte>)report.ReportId).ToArray()), ("report id ma", ((ReadOnlySpan<byte>)report.ReportIdMa).ToArray()),
    ];

    private IEnumerable<int> UnknownPlatformBits() => SnpReportReader.UnknownPlatformInfoBits(report);

    private static IEnumerable<string> SetNames<T>((string Name, T Bit)[] bits, T value)
        where T : struct, Enum =>
        bits.Where(b => (Convert.ToUInt64(value, CultureInfo.InvariantCulture) & Convert.ToUInt64(b.Bit, CultureInfo.InvariantCulture)) != 0).Select(b => b.Name);

    private static string Camel(string words)
    {
        var parts = words.Split(' ');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}
