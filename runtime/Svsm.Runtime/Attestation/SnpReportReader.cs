using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Svsm.Runtime.Attestation;

/// <summary>
/// Reads an SEV-SNP report as specs/snp-report.md lays it out, before any key is involved: its length, version,
/// signature algorithm and signer, the reserved bytes of its version, and its product.
/// </summary>
public static class SnpReportReader
{
    /// <summary>
    /// The report in <paramref name="report"/>, judged by its layout alone. The product comes from the CPUID fields
    /// (version 3 and later), else from <paramref name="product"/>, else from a chip id that uses only bytes 0-7
    /// (Turin's); any other version-2 report fails, as Milan and Genoa cannot be told apart from it. Set platform-info bits that no library defines, and reserved
    /// bytes of a version newer than <see cref="AttestationReport.NewestVersion"/>, are warnings.
    /// </summary>
    public static (AttestationReport Report, SnpProduct? Product, SnpVerification Result) Read(ReadOnlySpan<byte> report, SnpProduct? product = null)
    {
        if (report.Length != AttestationReport.Size)
        {
            return (default, null, new(SnpVerificationFailure.WrongLength, $"a report is {AttestationReport.Size} bytes, not {report.Length}"));
        }

        var parsed = MemoryMarshal.Read<AttestationReport>(report);
        if (parsed.Version < SnpTrustedSigningKey.OldestVersion)
        {
            return (parsed, null, new(SnpVerificationFailure.UnsupportedVersion, $"report version {parsed.Version} is older than 2, the first SEV-SNP report format"));
        }

        if (parsed.SignatureAlgo != 1)
        {
            return (parsed, null, new(SnpVerificationFailure.UnsupportedSignatureAlgorithm, $"signature algorithm {parsed.SignatureAlgo} is not ECDSA P-384 with SHA-384 (1)"));
        }

        if ((parsed.SignerInfo & AttestationReportSignerInfo.MaskChipKey) != 0)
        {
            return (parsed, null, new(SnpVerificationFailure.ReportUnsigned, "SIGNER_INFO has MASK_CHIP_KEY set: the firmware did not sign the report"));
        }

        var warnings = new List<string>();
        foreach (var bit in UnknownPlatformInfoBits(parsed))
        {
            warnings.Add("PLATFORM_INFO bit " + bit.ToString(CultureInfo.InvariantCulture) + " is set; no library defines it");
        }

        // The platform's facts are warnings, checked above; a newer version's bytes are read as the newest's.
        var layout = parsed;
        layout.PlatformInfo = 0;
        var newer = parsed.Version > AttestationReport.NewestVersion;
        if (newer)
        {
            layout.Version = AttestationReport.NewestVersion;
            warnings.Add($"report version {parsed.Version} is newer than {AttestationReport.NewestVersion}, the newest this verifier lays out; it is read as version {AttestationReport.NewestVersion}");
        }

        var problems = layout.Validate();
        var signature = MemoryMarshal.Read<Signature>(report[SnpTrustedSigningKey.SignedLength..]);
        if (problems.Count > 0 && !newer)
        {
            return (parsed, null, new(SnpVerificationFailure.ReservedBytesSet, problems[0]));
        }

        warnings.AddRange(problems);
        if (signature.Validate().Count > 0)
        {
            return (parsed, null, new(SnpVerificationFailure.ReservedBytesSet, "the signature's reserved bytes are not zero"));
        }

        SnpProduct? chosen;
        if (parsed.CpuidFamIdIfPresent is { } family && parsed.CpuidModIdIfPresent is { } model)
        {
            chosen = SnpProducts.FromCpuid(family, model);
            if (chosen is null)
            {
                return (parsed, null, new(SnpVerificationFailure.UnknownProduct, $"CPUID family 0x{family:X2} model 0x{model:X2} is not Milan, Genoa or Turin"));
            }

            if (product is { } given && given != chosen)
            {
                return (parsed, chosen, new(SnpVerificationFailure.ProductMismatch, $"the report's CPUID names {chosen.Value.Name()}, not {given.Name()}") { Product = chosen });
            }
        }
        else if (product is { } given)
        {
            // A version-2 report: Turin's CHIP_ID uses only bytes 0-7, so a longer one is not Turin's.
            var chipId = (ReadOnlySpan<byte>)parsed.ChipId;
            if (given == SnpProduct.Turin && chipId[8..].ContainsAnyExcept((byte)0))
            {
                return (parsed, given, new(SnpVerificationFailure.ProductMismatch, "the report's CHIP_ID uses more than bytes 0-7, so it is not from Turin") { Product = given });
            }

            chosen = given;
        }
        else if (((ReadOnlySpan<byte>)parsed.ChipId)[..8].ContainsAnyExcept((byte)0) && !((ReadOnlySpan<byte>)parsed.ChipId)[8..].ContainsAnyExcept((byte)0))
        {
            // Only Turin's chip ids end after byte 7, as virtee/sev reads a version-2 report.
            chosen = SnpProduct.Turin;
        }
        else
        {
            return (parsed, null, new(SnpVerificationFailure.UnknownProduct, $"a version-{parsed.Version} report does not say its product (Milan and Genoa look alike); say which, or verify with a certificate that names it"));
        }

        return (parsed, chosen, SnpVerification.Valid with { Product = chosen, Warnings = warnings });
    }

    /// <summary>The set PLATFORM_INFO bits that specs/snp-report.md reserves (bit 6, which Turin sets, among them).</summary>
    public static IEnumerable<int> UnknownPlatformInfoBits(AttestationReport report)
    {
        var unknown = (ulong)report.PlatformInfo & AttestationReportPlatformInfoExtensions.ReservedMask;
        for (var bit = 0; bit < 64; bit++)
        {
            if ((unknown & (1UL << bit)) != 0)
            {
                yield return bit;
            }
        }
    }

    /// <summary>"VCEK", "VLEK", "none" or "reserved value N" for SIGNER_INFO's signing key.</summary>
    public static string SigningKeyName(uint signingKey) => signingKey switch
    {
        0 => "the VCEK",
        1 => "the VLEK",
        7 => "no key",
        _ => "reserved key value " + signingKey.ToString(CultureInfo.InvariantCulture),
    };
}
