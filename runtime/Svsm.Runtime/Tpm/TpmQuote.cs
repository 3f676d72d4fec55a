using System;
using System.Security.Cryptography;

namespace Svsm.Runtime.Tpm;

/// <summary>
/// A TPM2_Quote: the TPMS_ATTEST the TPM signed (TPM 2.0 Library, Part 2, 10.12) and its TPMT_SIGNATURE, with what
/// a verifier checks of them read out: the qualifying data (extraData), the PCR selection and the PCR digest.
/// </summary>
public sealed class TpmQuote
{
    private const uint GeneratedMagic = 0xFF54_4347;
    private const ushort AttestQuote = 0x8018;

    private TpmQuote(byte[] attest, byte[] signature, byte[] extraData, byte[] pcrSelection, byte[] pcrDigest, byte[] signatureValue, ushort signatureAlgorithm, ushort signatureHash)
    {
        Attest = attest;
        Signature = signature;
        ExtraData = extraData;
        PcrSelection = pcrSelection;
        PcrDigest = pcrDigest;
        SignatureValue = signatureValue;
        SignatureAlgorithm = signatureAlgorithm;
        SignatureHash = signatureHash;
    }

    /// <summary>The TPMS_ATTEST as the TPM marshalled it: what the signature covers.</summary>
    public byte[] Attest { get; }

    /// <summary>The TPMT_SIGNATURE as the TPM marshalled it.</summary>
    public byte[] Signature { get; }

    public byte[] ExtraData { get; }

    /// <summary>The TPML_PCR_SELECTION quoted.</summary>
    public byte[] PcrSelection { get; }

    public byte[] PcrDigest { get; }

    public byte[] SignatureValue { get; }

    public ushort SignatureAlgorithm { get; }

    public ushort SignatureHash { get; }

    /// <summary>Reads a quote; a truncated or garbled TPMS_ATTEST or TPMT_SIGNATURE is a <see cref="TpmException"/> naming it.</summary>
    public static TpmQuote Read(byte[] attest, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(attest);
        ArgumentNullException.ThrowIfNull(signature);
        var reader = new TpmWire.Reader(attest, "TPMS_ATTEST");
        if (reader.U32() != GeneratedMagic)
        {
            throw new TpmException("malformed TPMS_ATTEST: it does not start with TPM_GENERATED_VALUE");
        }

        if (reader.U16() != AttestQuote)
        {
            throw new TpmException("malformed TPMS_ATTEST: it is not a quote (TPM_ST_ATTEST_QUOTE)");
        }

        reader.Sized();
        var extraData = reader.Sized().ToArray();
        reader.Skip(17 + 8);
        var selectionStart = reader.Position;
        var selections = reader.U32();
        for (var i = 0; i < selections; i++)
        {
            reader.Skip(2);
            reader.Skip(reader.U8());
        }

        var selection = attest.AsSpan(selectionStart, reader.Position - selectionStart).ToArray();
        var digest = reader.Sized().ToArray();
        if (!reader.AtEnd)
        {
            throw new TpmException("malformed TPMS_ATTEST: bytes after the PCR digest");
        }

        var sig = new TpmWire.Reader(signature, "TPMT_SIGNATURE");
        var algorithm = sig.U16();
        var hash = sig.U16();
        var value = sig.Sized().ToArray();
        if (!sig.AtEnd)
        {
            throw new TpmException("malformed TPMT_SIGNATURE: bytes after the signature");
        }

        return new TpmQuote(attest, signature, extraData, selection, digest, value, algorithm, hash);
    }

    /// <summary>Whether the signature is an RSASSA-PKCS1-v1.5 SHA-256 signature of <see cref="Attest"/> by <paramref name="key"/>.</summary>
    public bool IsSignedBy(TpmRsaPublic key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (SignatureAlgorithm != TpmWire.RsassaAlgorithm || SignatureHash != TpmWire.Sha256)
        {
            return false;
        }

        using var rsa = key.ToRsa();
        return rsa.VerifyData(Attest, SignatureValue, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }
}
