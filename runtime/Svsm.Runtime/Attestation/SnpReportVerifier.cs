using System;
using System.Security.Cryptography.X509Certificates;

namespace Svsm.Runtime.Attestation;

/// <summary>What <see cref="SnpReportVerifier.Verify"/> needs beyond the report and its certificates.</summary>
public sealed record SnpVerifyOptions
{
    /// <summary>The product of a version-2 report whose certificate does not name it; for version 3 and later it must agree.</summary>
    public SnpProduct? Product { get; init; }

    /// <summary>The root to pin instead of AMD's (an emulated firmware's ARK); null pins AMD's root of the product.</summary>
    public X509Certificate2? PinnedArk { get; init; }

    /// <summary>Requires a CRL and checks the intermediate against it.</summary>
    public bool CheckRevocation { get; init; }

    /// <summary>The clock the CRL is judged by.</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>What the report must hold, checked after its signature and binding.</summary>
    public SnpReportPolicy? Policy { get; init; }
}

/// <summary>
/// Verifies a report end to end: its product, the pinned AMD root of that product (the ARK that came with it must
/// be that root), the chain to its VCEK or VLEK, the revocation list where asked, the signature and the certificate's
/// binding to the report's chip and TCB, and then the relying party's policy.
/// </summary>
public static class SnpReportVerifier
{
    public static SnpVerification Verify(ReadOnlySpan<byte> report, SnpCertificates certificates, SnpVerifyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        options ??= new SnpVerifyOptions();
        var (identity, read) = SnpTrustedSigningKey.ReadIdentity(certificates.SigningKey);
        if (identity is null)
        {
            return read;
        }

        var layout = SnpReportReader.Read(report, options.Product ?? identity.Product);
        if (!layout.Result.IsValid)
        {
            return layout.Result;
        }

        var product = layout.Product!.Value;
        var pinned = options.PinnedArk ?? AmdRoots.Ark(product);
        if (certificates.Ark is { } ark && !ark.RawDataMemory.Span.SequenceEqual(pinned.RawDataMemory.Span))
        {
            return new(SnpVerificationFailure.RootNotPinned, $"the ARK that came with the report ({ark.GetNameInfo(X509NameType.SimpleName, false)}) is not the pinned {product.Name()} root") { Product = product };
        }

        var intermediate = certificates.Intermediate ?? (options.PinnedArk is null ? AmdRoots.Intermediate(product, identity.Kind) : null);
        if (intermediate is null)
        {
            return new(SnpVerificationFailure.CertificateMissing, "no ASK or ASVK came with the report, and the pinned root is not AMD's") { Product = product };
        }

        if (options.CheckRevocation)
        {
            if (certificates.Crl is not { } crlBytes)
            {
                return new(SnpVerificationFailure.CertificateMissing, "revocation is to be checked, but no CRL came with the certificates") { Product = product };
            }

            SnpVerification revocation;
            try
            {
                revocation = AmdRevocationList.Read(crlBytes).Check(intermediate, pinned, options.Clock);
            }
            catch (System.Security.Cryptography.CryptographicException exception)
            {
                revocation = new(SnpVerificationFailure.CertificateMalformed, exception.Message);
            }

            if (!revocation.IsValid)
            {
                return revocation with { Product = product };
            }
        }

        var (key, chain) = SnpTrustedSigningKey.Validate(identity, intermediate, pinned);
        if (key is null)
        {
            return chain with { Product = product };
        }

        using (key)
        {
            var verified = key.Verify(report, product);
            if (!verified.IsValid || options.Policy is not { } policy)
            {
                return verified;
            }

            var expected = policy.Check(report, product);
            return expected.IsValid ? verified : expected with { Product = verified.Product, ChipIdMasked = verified.ChipIdMasked, Warnings = verified.Warnings };
        }
    }
}
