using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Svsm.Runtime.Attestation;

/// <summary>
/// A VCEK or VLEK whose certificate chain to a pinned AMD root has been checked, with what its certificate says
/// about the chip and TCB it was issued for: it verifies reports and that they are the reports of that chip at that
/// TCB. Build one with <see cref="Validate(X509Certificate2, X509Certificate2, X509Certificate2)"/> once per chip
/// and TCB, then verify as many reports as needed.
/// </summary>
public sealed class SnpTrustedSigningKey : IDisposable
{
    /// <summary>The bytes the firmware signs: the report up to its signature.</summary>
    public const int SignedLength = AttestationReport.SignatureOffset;

    /// <summary>The report versions this verifier lays out; a newer one is read as the newest.</summary>
    public const uint OldestVersion = 2;

    private readonly ECDsa key;

    private SnpTrustedSigningKey(ECDsa key, AmdKeyCertificate identity)
    {
        this.key = key;
        Identity = identity;
    }

    public X509Certificate2 Certificate => Identity.Certificate;

    /// <summary>What the certificate's AMD extensions say: VCEK or VLEK, product, TCB, HWID or CSP id.</summary>
    public AmdKeyCertificate Identity { get; }

    /// <summary>
    /// Checks that <paramref name="signingKey"/> (a VCEK or VLEK) chains through <paramref name="intermediate"/> (the
    /// ASK, or for a VLEK the ASVK) to <paramref name="pinnedArk"/>, that the chain's root is exactly the pinned
    /// certificate (not merely one with its name), and reads its AMD extensions; then returns the key.
    /// </summary>
    public static (SnpTrustedSigningKey? Key, SnpVerification Result) Validate(X509Certificate2 signingKey, X509Certificate2 intermediate, X509Certificate2 pinnedArk)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        ArgumentNullException.ThrowIfNull(intermediate);
        ArgumentNullException.ThrowIfNull(pinnedArk);
        var (identity, read) = ReadIdentity(signingKey);
        return identity is null ? (null, read) : Validate(identity, intermediate, pinnedArk);
    }

    /// <summary>A key certificate's AMD extensions, or CertificateMalformed naming what is wrong with them.</summary>
    internal static (AmdKeyCertificate? Identity, SnpVerification Result) ReadIdentity(X509Certificate2 signingKey)
    {
        try
        {
            return (AmdKeyCertificate.Read(signingKey), SnpVerification.Valid);
        }
        catch (CryptographicException exception)
        {
            return (null, new(SnpVerificationFailure.CertificateMalformed, "the signing key's certificate: " + exception.Message));
        }
    }

    /// <summary>The chain of a key certificate whose extensions were read, and its key.</summary>
    internal static (SnpTrustedSigningKey? Key, SnpVerification Result) Validate(AmdKeyCertificate identity, X509Certificate2 intermediate, X509Certificate2 pinnedArk)
    {
        var signingKey = identity.Certificate;
        var chain = AmdCertificateChain.Check(signingKey, intermediate, pinnedArk, identity.KindName);
        if (!chain.IsValid)
        {
            return (null, chain);
        }

        var key = signingKey.GetECDsaPublicKey();
        if (key is null || key.KeySize != 384)
        {
            key?.Dispose();
            return (null, new(SnpVerificationFailure.NotAnEcdsaP384Key, "the " + identity.KindName + "'s key is not ECDSA P-384"));
        }

        return (new SnpTrustedSigningKey(key, identity), SnpVerification.Valid with { Product = identity.Product });
    }

    /// <summary>
    /// Validates <paramref name="signingKey"/> against the AMD root this library pins for its product (see
    /// <see cref="AmdRoots"/>), with <paramref name="intermediate"/> or else the pinned ASK or ASVK.
    /// </summary>
    public static (SnpTrustedSigningKey? Key, SnpVerification Result) Validate(X509Certificate2 signingKey, X509Certificate2? intermediate = null, SnpProduct? product = null)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        var (identity, read) = ReadIdentity(signingKey);
        if (identity is null)
        {
            return (null, read);
        }

        if ((product ?? identity.Product) is not { } chosen)
        {
            return (null, new(SnpVerificationFailure.UnknownProduct, "the certificate names no product AMD roots are pinned for; say which (Milan, Genoa or Turin)"));
        }

        if (identity.Product is { } named && named != chosen)
        {
            return (null, new(SnpVerificationFailure.ProductMismatch, $"the certificate is for {named.Name()}, not {chosen.Name()}"));
        }

        return Validate(identity, intermediate ?? AmdRoots.Intermediate(chosen, identity.Kind), AmdRoots.Ark(chosen));
    }

    /// <summary>
    /// Verifies <paramref name="report"/> (1184 bytes) and binds it to this key's certificate, in this order:
    /// the layout (version 2 or later, signature algorithm 1, the signing key SIGNER_INFO names, the reserved bytes of
    /// its version, and the product its CPUID names), the ECDSA P-384/SHA-384 signature over bytes 0x000-0x29F, and
    /// then that the certificate was issued for this report's product, REPORTED_TCB and CHIP_ID.
    /// </summary>
    /// <param name="product">For a version-2 report, whose CPUID fields are reserved: the product, when the certificate does not name it.</param>
    public SnpVerification Verify(ReadOnlySpan<byte> report, SnpProduct? product = null)
    {
        var read = SnpReportReader.Read(report, product ?? Identity.Product);
        if (!read.Result.IsValid)
        {
            return read.Result;
        }

        var parsed = read.Report;
        var chosen = read.Product!.Value;
        var signingKey = parsed.SignerInfo.GetSigningKey();
        if (signingKey != (uint)Identity.Kind)
        {
            return Fail(SnpVerificationFailure.SigningKeyMismatch, $"SIGNER_INFO says the report was signed by {SnpReportReader.SigningKeyName(signingKey)}, but the certificate is a {Identity.KindName}", chosen);
        }

        if (Identity.Product is { } certified && certified != chosen)
        {
            return Fail(SnpVerificationFailure.ProductMismatch, $"the report is from {chosen.Name()}, the certificate's product name is {Identity.ProductName ?? certified.Name()}", chosen);
        }

        if (parsed.CpuidStepIfPresent is { } stepping && Stepping(Identity.ProductName) is { } certifiedStepping && stepping != certifiedStepping)
        {
            return Fail(SnpVerificationFailure.ProductMismatch, $"the report's CPUID stepping is {stepping}, the certificate's product name {Identity.ProductName} is stepping {certifiedStepping}", chosen);
        }

        var signature = MemoryMarshal.Read<Signature>(report[SignedLength..]);
        Span<byte> p1363 = stackalloc byte[96];
        if (!signature.TryToP1363(p1363))
        {
            return Fail(SnpVerificationFailure.BadSignature, "R or S is wider than 384 bits", chosen);
        }

        if (!key.VerifyData(report[..SignedLength], p1363, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            return Fail(SnpVerificationFailure.BadSignature, "the signature does not verify with the " + Identity.KindName, chosen);
        }

        if (TcbDifference(SnpTcb.Read(parsed.ReportedTcb, chosen), Identity.Tcb, chosen) is { } tcb)
        {
            return Fail(SnpVerificationFailure.TcbMismatch, tcb, chosen);
        }

        var masked = !((ReadOnlySpan<byte>)parsed.ChipId).ContainsAnyExcept((byte)0);
        if (Identity.HwId is { } hwId && !masked && !SameChip(parsed.ChipId, hwId))
        {
            return Fail(SnpVerificationFailure.HwIdMismatch, $"CHIP_ID is {Convert.ToHexString(((ReadOnlySpan<byte>)parsed.ChipId)[..hwId.Length])}, the VCEK's HWID is {Convert.ToHexString(hwId)}", chosen);
        }

        return read.Result with { ChipIdMasked = masked && Identity.Kind == SnpSigningKey.Vcek };
    }

    public void Dispose() => key.Dispose();

    private static SnpVerification Fail(SnpVerificationFailure failure, string reason, SnpProduct product) => new(failure, reason) { Product = product };

    // The certificate's SPL of each part must equal REPORTED_TCB's: the VCEK is derived for exactly that TCB.
    private static string? TcbDifference(SnpTcb reported, SnpTcb certified, SnpProduct product)
    {
        static string? Compare(string part, string oid, byte report, byte certificate) =>
            report == certificate ? null : $"REPORTED_TCB's {part} is {report.ToString(CultureInfo.InvariantCulture)}, the certificate's {part} SPL ({oid}) is {certificate.ToString(CultureInfo.InvariantCulture)}";

        if (product.HasFmc() && certified.Fmc is null)
        {
            return $"the certificate has no FMC SPL ({AmdKeyCertificate.FmcSplOid}), which a {product.Name()} VCEK carries";
        }

        return Compare("boot loader", AmdKeyCertificate.BootLoaderSplOid, reported.BootLoader, certified.BootLoader)
            ?? Compare("tee", AmdKeyCertificate.TeeSplOid, reported.Tee, certified.Tee)
            ?? Compare("snp", AmdKeyCertificate.SnpSplOid, reported.Snp, certified.Snp)
            ?? Compare("microcode", AmdKeyCertificate.MicrocodeSplOid, reported.Microcode, certified.Microcode)
            ?? (product.HasFmc() ? Compare("fmc", AmdKeyCertificate.FmcSplOid, reported.Fmc ?? 0, certified.Fmc ?? 0) : null);
    }

    // A HWID of 64 bytes is the whole CHIP_ID; Turin's 8 bytes are its first 8, and the rest of CHIP_ID is zero.
    private static bool SameChip(ReadOnlySpan<byte> chipId, byte[] hwId) =>
        hwId.Length <= chipId.Length && chipId[..hwId.Length].SequenceEqual(hwId) && !chipId[hwId.Length..].ContainsAnyExcept((byte)0);

    // A product name's stepping as CPUID reports it. AMD documents the mapping outside its public code: go-sev-guest
    // numbers "Milan-B0" 0 but real Milan-B0 chips report CPUID stepping 1 (the Milan reports in the test data), so
    // only pairs seen in real reports are checked. Genoa and Turin certificates name no stepping.
    private static byte? Stepping(string? productName) => productName switch
    {
        "Milan-B0" => 1,
        _ => null,
    };
}
