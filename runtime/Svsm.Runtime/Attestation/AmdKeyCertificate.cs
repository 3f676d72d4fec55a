using System;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Svsm.Runtime.Attestation;

/// <summary>Which AMD key signed a report: SIGNER_INFO's signing key, and what a key certificate says it is.</summary>
public enum SnpSigningKey
{
    /// <summary>The Versioned Chip Endorsement Key, one per chip and TCB, from AMD's KDS.</summary>
    Vcek = 0,

    /// <summary>The Versioned Loaded Endorsement Key a cloud provider loads, chaining through AMD's ASVK.</summary>
    Vlek = 1,
}

/// <summary>
/// What AMD writes into a VCEK or VLEK certificate's extensions (arc 1.3.6.1.4.1.3704.1): the product, the TCB the
/// key was derived for, and the chip (VCEK, HWID) or cloud provider (VLEK, CSP id) it belongs to. The SPLs are DER
/// INTEGERs; the HWID is its bytes, raw or in an OCTET STRING, as go-sev-guest accepts both.
/// </summary>
public sealed class AmdKeyCertificate
{
    public const string StructVersionOid = "1.3.6.1.4.1.3704.1.1";
    public const string ProductNameOid = "1.3.6.1.4.1.3704.1.2";
    public const string BootLoaderSplOid = "1.3.6.1.4.1.3704.1.3.1";
    public const string TeeSplOid = "1.3.6.1.4.1.3704.1.3.2";
    public const string SnpSplOid = "1.3.6.1.4.1.3704.1.3.3";
    public const string MicrocodeSplOid = "1.3.6.1.4.1.3704.1.3.8";
    public const string FmcSplOid = "1.3.6.1.4.1.3704.1.3.9";
    public const string HwIdOid = "1.3.6.1.4.1.3704.1.4";
    public const string CspIdOid = "1.3.6.1.4.1.3704.1.5";

    private AmdKeyCertificate(X509Certificate2 certificate, SnpSigningKey kind, SnpProduct? product, string? productName, SnpTcb tcb, byte[]? hwId, string? cspId)
    {
        Certificate = certificate;
        Kind = kind;
        Product = product;
        ProductName = productName;
        Tcb = tcb;
        HwId = hwId;
        CspId = cspId;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>VCEK when the certificate has a HWID, VLEK when it has a CSP id.</summary>
    public SnpSigningKey Kind { get; }

    /// <summary>"VCEK" or "VLEK", as reasons name the key.</summary>
    public string KindName => Kind == SnpSigningKey.Vlek ? "VLEK" : "VCEK";

    /// <summary>The product the product name gives (<c>Milan-B0</c> is Milan), else the issuer's (<c>SEV-Milan</c>, <c>SEV-VLEK-Genoa</c>).</summary>
    public SnpProduct? Product { get; }

    /// <summary>The product name as written, with its stepping where AMD gives one (<c>Milan-B0</c>; Turin's is <c>Turin</c>).</summary>
    public string? ProductName { get; }

    /// <summary>The TCB the key was derived for; the FMC only where the certificate has it (Turin).</summary>
    public SnpTcb Tcb { get; }

    /// <summary>The chip's id the VCEK was issued for: 64 bytes, or 8 on Turin; null for a VLEK.</summary>
    public byte[]? HwId { get; }

    /// <summary>The cloud provider a VLEK was issued to; null for a VCEK.</summary>
    public string? CspId { get; }

    /// <summary>
    /// Reads <paramref name="certificate"/>'s AMD extensions. Throws <see cref="CryptographicException"/> naming the
    /// extension that is missing or malformed.
    /// </summary>
    public static AmdKeyCertificate Read(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var hwId = Extension(certificate, HwIdOid) is { } hw ? OctetsOrRaw(hw) : null;
        var cspId = Extension(certificate, CspIdOid) is { } csp ? Text(csp, CspIdOid) : null;
        if ((hwId is null) == (cspId is null))
        {
            throw new CryptographicException(hwId is null
                ? "the certificate has neither a HWID (" + HwIdOid + ") nor a CSP id (" + CspIdOid + "): it is not a VCEK or VLEK"
                : "the certificate has both a HWID and a CSP id");
        }

        var productName = Extension(certificate, ProductNameOid) is { } name ? Text(name, ProductNameOid) : null;
        var product = SnpProducts.Parse(productName) ?? FromIssuer(certificate.Issuer);
        var tcb = new SnpTcb(Spl(certificate, BootLoaderSplOid), Spl(certificate, TeeSplOid), Spl(certificate, SnpSplOid), Spl(certificate, MicrocodeSplOid),
            Extension(certificate, FmcSplOid) is null ? null : Spl(certificate, FmcSplOid));
        return new AmdKeyCertificate(certificate, hwId is null ? SnpSigningKey.Vlek : SnpSigningKey.Vcek, product, productName, tcb, hwId, cspId);
    }

    // KDS names its signing keys SEV-Milan (VCEK) and SEV-VLEK-Milan (VLEK).
    private static SnpProduct? FromIssuer(string issuer)
    {
        foreach (var product in Enum.GetValues<SnpProduct>())
        {
            if (issuer.Contains("SEV-" + product.Name(), StringComparison.OrdinalIgnoreCase) || issuer.Contains("SEV-VLEK-" + product.Name(), StringComparison.OrdinalIgnoreCase))
            {
                return product;
            }
        }

        return null;
    }

    private static byte[]? Extension(X509Certificate2 certificate, string oid) => certificate.Extensions[oid]?.RawData;

    private static byte Spl(X509Certificate2 certificate, string oid)
    {
        var value = Extension(certificate, oid) ?? throw new CryptographicException("the certificate lacks the SPL extension " + oid);
        try
        {
            var reader = new AsnReader(value, AsnEncodingRules.DER);
            if (!reader.TryReadInt32(out var spl) || reader.HasData || spl is < 0 or > 255)
            {
                throw new CryptographicException("the SPL extension " + oid + " is not an INTEGER from 0 to 255");
            }

            return (byte)spl;
        }
        catch (AsnContentException exception)
        {
            throw new CryptographicException("the SPL extension " + oid + " is not DER: " + exception.Message, exception);
        }
    }

    private static byte[] OctetsOrRaw(byte[] value)
    {
        if (value.Length > 0 && value[0] == 0x04)
        {
            try
            {
                var octets = AsnDecoder.ReadOctetString(value, AsnEncodingRules.DER, out var consumed);
                if (consumed == value.Length)
                {
                    return octets;
                }
            }
            catch (AsnContentException)
            {
                // Raw bytes that start with 0x04 by chance.
            }
        }

        return value;
    }

    private static string Text(byte[] value, string oid)
    {
        try
        {
            var reader = new AsnReader(value, AsnEncodingRules.DER);
            var tag = reader.PeekTag();
            var text = tag.HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.UTF8String))
                ? reader.ReadCharacterString(UniversalTagNumber.UTF8String)
                : reader.ReadCharacterString(UniversalTagNumber.IA5String);
            return text;
        }
        catch (AsnContentException exception)
        {
            throw new CryptographicException("the extension " + oid + " is not an IA5String: " + exception.Message, exception);
        }
    }
}
