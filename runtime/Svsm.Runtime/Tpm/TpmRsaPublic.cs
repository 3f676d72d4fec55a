using System;
using System.Security.Cryptography;

namespace Svsm.Runtime.Tpm;

/// <summary>
/// An RSA key's TPMT_PUBLIC (TPM 2.0 Library, Part 2, 12.2.4) as a TPM marshals it, read: the name algorithm, the
/// object attributes, the auth policy, the scheme, and the modulus and exponent. Its name is nameAlg ‖ SHA-256 of it.
/// </summary>
public sealed class TpmRsaPublic
{
    private TpmRsaPublic(byte[] area, ushort nameAlgorithm, uint attributes, byte[] authPolicy, ushort symmetric, ushort scheme, ushort schemeHash, int keyBits, uint exponent, byte[] modulus)
    {
        Area = area;
        NameAlgorithm = nameAlgorithm;
        Attributes = attributes;
        AuthPolicy = authPolicy;
        Symmetric = symmetric;
        Scheme = scheme;
        SchemeHash = schemeHash;
        KeyBits = keyBits;
        Exponent = exponent;
        Modulus = modulus;
    }

    /// <summary>The TPMT_PUBLIC as the TPM marshalled it (without a TPM2B size).</summary>
    public byte[] Area { get; }

    public ushort NameAlgorithm { get; }

    public uint Attributes { get; }

    public byte[] AuthPolicy { get; }

    public ushort Symmetric { get; }

    public ushort Scheme { get; }

    public ushort SchemeHash { get; }

    public int KeyBits { get; }

    /// <summary>The exponent as written: 0 means 65537.</summary>
    public uint Exponent { get; }

    public byte[] Modulus { get; }

    /// <summary>The key's TPM name: its name algorithm (SHA-256) and the SHA-256 of <see cref="Area"/>.</summary>
    public byte[] Name()
    {
        var name = new byte[34];
        name[0] = (byte)(NameAlgorithm >> 8);
        name[1] = (byte)NameAlgorithm;
        SHA256.HashData(Area, name.AsSpan(2));
        return name;
    }

    /// <summary>The public key, for .NET's RSA.</summary>
    public RSA ToRsa()
    {
        var exponent = Exponent == 0 ? 65537u : Exponent;
        var exponentBytes = new[] { (byte)(exponent >> 24), (byte)(exponent >> 16), (byte)(exponent >> 8), (byte)exponent }.AsSpan().TrimStart((byte)0).ToArray();
        return RSA.Create(new RSAParameters { Modulus = Modulus, Exponent = exponentBytes });
    }

    /// <summary>Whether <paramref name="other"/> is the same key with the same attributes, policy and parameters.</summary>
    public bool SameAs(TpmRsaPublic other) => Area.AsSpan().SequenceEqual(other.Area);

    /// <summary>
    /// Whether this key is what <paramref name="template"/> (a TPMT_PUBLIC with an empty or zero unique field, such as
    /// the TCG EK template) yields: everything but the modulus equal to the template's.
    /// </summary>
    public bool FromTemplate(ReadOnlySpan<byte> template)
    {
        var expected = Read(template, "template");
        return expected.NameAlgorithm == NameAlgorithm && expected.Attributes == Attributes && expected.AuthPolicy.AsSpan().SequenceEqual(AuthPolicy) &&
            expected.Symmetric == Symmetric && expected.Scheme == Scheme && expected.SchemeHash == SchemeHash && expected.KeyBits == KeyBits &&
            expected.Exponent == Exponent && Modulus.Length == KeyBits / 8;
    }

    /// <summary>Reads an RSA TPMT_PUBLIC; a truncated or garbled one is a <see cref="TpmException"/> naming it.</summary>
    public static TpmRsaPublic Read(ReadOnlySpan<byte> area, string what = "TPMT_PUBLIC")
    {
        var reader = new TpmWire.Reader(area, what);
        if (reader.U16() != TpmWire.RsaAlgorithm)
        {
            throw new TpmException($"malformed {what}: not an RSA key");
        }

        var nameAlgorithm = reader.U16();
        var attributes = reader.U32();
        var policy = reader.Sized().ToArray();
        var symmetric = reader.U16();
        if (symmetric != TpmWire.NullAlgorithm)
        {
            reader.Skip(4);
        }

        var scheme = reader.U16();
        var schemeHash = scheme == TpmWire.NullAlgorithm ? (ushort)0 : reader.U16();
        var keyBits = reader.U16();
        var exponent = reader.U32();
        var modulus = reader.Sized().ToArray();
        if (!reader.AtEnd)
        {
            throw new TpmException($"malformed {what}: {area.Length - reader.Position} bytes after the modulus");
        }

        return new TpmRsaPublic(area.ToArray(), nameAlgorithm, attributes, policy, symmetric, scheme, schemeHash, keyBits, exponent, modulus);
    }
}
