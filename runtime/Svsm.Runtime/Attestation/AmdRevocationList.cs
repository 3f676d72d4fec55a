using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Svsm.Runtime.Attestation;

/// <summary>
/// AMD's certificate revocation list of a product (KDS <c>/vcek/v1/{product}/crl</c>, DER): signed by the ARK with
/// RSASSA-PSS over SHA-384, it lists the serial numbers of revoked ASKs and ASVKs.
/// </summary>
public sealed class AmdRevocationList
{
    private readonly byte[] signedPart;
    private readonly byte[] signature;
    private readonly HashSet<BigInteger> revoked;

    private AmdRevocationList(byte[] signedPart, byte[] signature, HashSet<BigInteger> revoked, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate)
    {
        this.signedPart = signedPart;
        this.signature = signature;
        this.revoked = revoked;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
    }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    /// <summary>Reads a DER CRL (RFC 5280 CertificateList); throws <see cref="CryptographicException"/> saying what is malformed.</summary>
    public static AmdRevocationList Read(ReadOnlyMemory<byte> der)
    {
        try
        {
            var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var tbs = list.ReadEncodedValue().ToArray();
            list.ReadSequence();
            var signature = list.ReadBitString(out _);

            var fields = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
            if (fields.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                fields.ReadInteger();
            }

            fields.ReadSequence();
            fields.ReadEncodedValue();
            var thisUpdate = ReadTime(fields);
            DateTimeOffset? nextUpdate = fields.HasData && IsTime(fields.PeekTag()) ? ReadTime(fields) : null;
            var revoked = new HashSet<BigInteger>();
            if (fields.HasData && fields.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = fields.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(entry.ReadInteger());
                }
            }

            return new AmdRevocationList(tbs, signature, revoked, thisUpdate, nextUpdate);
        }
        catch (AsnContentException exception)
        {
            throw new CryptographicException("the CRL is not a DER CertificateList: " + exception.Message, exception);
        }
    }

    /// <summary>Whether <paramref name="ark"/> signed the list (RSASSA-PSS, SHA-384).</summary>
    public bool IsSignedBy(X509Certificate2 ark)
    {
        using var key = ark.GetRSAPublicKey();
        return key is not null && key.VerifyData(signedPart, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
    }

    /// <summary>Whether the list names <paramref name="certificate"/>'s serial number.</summary>
    public bool Revokes(X509Certificate2 certificate) =>
        revoked.Contains(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true));

    /// <summary>
    /// Checks <paramref name="intermediate"/> (an ASK or ASVK) against the list: signed by <paramref name="ark"/>,
    /// current at <paramref name="clock"/>'s time, and not naming it.
    /// </summary>
    public SnpVerification Check(X509Certificate2 intermediate, X509Certificate2 ark, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(intermediate);
        ArgumentNullException.ThrowIfNull(ark);
        if (!IsSignedBy(ark))
        {
            return new(SnpVerificationFailure.ChainInvalid, "the CRL is not signed by the ARK " + ark.GetNameInfo(X509NameType.SimpleName, false));
        }

        var now = (clock ?? TimeProvider.System).GetUtcNow();
        if (now < ThisUpdate || (NextUpdate is { } next && now > next))
        {
            return new(SnpVerificationFailure.ChainInvalid, $"the CRL is current from {ThisUpdate:u} to {NextUpdate:u}, not at {now:u}: fetch a new one");
        }

        return Revokes(intermediate)
            ? new(SnpVerificationFailure.CertificateRevoked, $"the CRL of {ThisUpdate:u} revokes {intermediate.GetNameInfo(X509NameType.SimpleName, false)} (serial {intermediate.SerialNumber})")
            : SnpVerification.Valid;
    }

    private static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.UtcTime)) || tag.HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.GeneralizedTime));

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.UtcTime)) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
