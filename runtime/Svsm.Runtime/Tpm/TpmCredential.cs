using System;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Svsm.Runtime.Tpm;

/// <summary>
/// TPM2_MakeCredential in software, as a verifier runs it (TPM 2.0 Library, Part 1, 24 "Credential Protection"):
/// a seed encrypted to the EK with RSA-OAEP (SHA-256, label "IDENTITY"), from which KDFa derives an AES-128 key
/// ("STORAGE", bound to the AK's name) that encrypts the credential in CFB mode, and an HMAC key ("INTEGRITY") for
/// the outer HMAC over it and the name. Only the TPM that holds the EK, with that AK loaded, can recover it.
/// </summary>
public static class TpmCredential
{
    /// <summary>
    /// The credential blob (a TPM2B_ID_OBJECT) and the encrypted seed (a TPM2B_ENCRYPTED_SECRET), each with its
    /// size, as TPM2_ActivateCredential takes them, for <paramref name="credential"/> (at most 32 bytes).
    /// </summary>
    public static (byte[] CredentialBlob, byte[] Secret) Make(TpmRsaPublic endorsementKey, ReadOnlySpan<byte> objectName, ReadOnlySpan<byte> credential)
    {
        ArgumentNullException.ThrowIfNull(endorsementKey);
        if (credential.Length is 0 or > 32)
        {
            throw new ArgumentException("a credential is 1 to 32 bytes (a SHA-256 digest's size)", nameof(credential));
        }

        var seed = RandomNumberGenerator.GetBytes(32);
        byte[] encryptedSeed;
        using (var rsa = endorsementKey.ToRsa())
        {
            encryptedSeed = OaepSha256WithLabel(rsa, seed, "IDENTITY");
        }

        return Wrap(seed, encryptedSeed, objectName, credential);
    }

    /// <summary><see cref="Make"/> with a given seed and its encryption: the deterministic half, for tests against other implementations.</summary>
    internal static (byte[] CredentialBlob, byte[] Secret) Wrap(byte[] seed, byte[] encryptedSeed, ReadOnlySpan<byte> objectName, ReadOnlySpan<byte> credential)
    {
        var symmetricKey = KdfA(seed, "STORAGE", objectName, 128);
        var plain = new byte[2 + credential.Length];
        BinaryPrimitives.WriteUInt16BigEndian(plain, (ushort)credential.Length);
        credential.CopyTo(plain.AsSpan(2));
        var encrypted = Cfb128(symmetricKey, plain);

        var hmacKey = KdfA(seed, "INTEGRITY", ReadOnlySpan<byte>.Empty, 256);
        var hmac = new byte[32];
        using (var mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, hmacKey))
        {
            mac.AppendData(encrypted);
            mac.AppendData(objectName);
            mac.GetHashAndReset(hmac);
        }

        var blob = new byte[2 + 2 + hmac.Length + encrypted.Length];
        BinaryPrimitives.WriteUInt16BigEndian(blob, (ushort)(blob.Length - 2));
        BinaryPrimitives.WriteUInt16BigEndian(blob.AsSpan(2), (ushort)hmac.Length);
        hmac.CopyTo(blob, 4);
        encrypted.CopyTo(blob, 4 + hmac.Length);

        var secret = new byte[2 + encryptedSeed.Length];
        BinaryPrimitives.WriteUInt16BigEndian(secret, (ushort)encryptedSeed.Length);
        encryptedSeed.CopyTo(secret, 2);
        return (blob, secret);
    }

    // AES-128 in CFB mode with a zero IV over any length, as the TPM encrypts a credential (.NET's CFB takes whole blocks only).
    private static byte[] Cfb128(byte[] key, byte[] plain)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        var output = new byte[plain.Length];
        var register = new byte[16];
        var stream = new byte[16];
        for (var at = 0; at < plain.Length; at += 16)
        {
            aes.EncryptEcb(register, stream, PaddingMode.None);
            var count = Math.Min(16, plain.Length - at);
            for (var i = 0; i < count; i++)
            {
                output[at + i] = (byte)(plain[at + i] ^ stream[i]);
            }

            output.AsSpan(at, count).CopyTo(register);
        }

        return output;
    }

    /// <summary>KDFa with HMAC-SHA-256 (Part 1, 11.4.10.2): counter ‖ label ‖ 0 ‖ contextU ‖ contextV ‖ bits, as many blocks as needed.</summary>
    public static byte[] KdfA(ReadOnlySpan<byte> key, string label, ReadOnlySpan<byte> contextU, int bits, ReadOnlySpan<byte> contextV = default)
    {
        var output = new byte[(bits + 7) / 8];
        var labelBytes = Encoding.ASCII.GetBytes(label);
        Span<byte> number = stackalloc byte[4];
        Span<byte> block = stackalloc byte[32];
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        for (uint counter = 1, at = 0; at < output.Length; counter++, at += 32)
        {
            BinaryPrimitives.WriteUInt32BigEndian(number, counter);
            hmac.AppendData(number);
            hmac.AppendData(labelBytes);
            hmac.AppendData(new byte[1]);
            hmac.AppendData(contextU);
            hmac.AppendData(contextV);
            BinaryPrimitives.WriteUInt32BigEndian(number, (uint)bits);
            hmac.AppendData(number);
            hmac.GetHashAndReset(block);
            block[..Math.Min(32, output.Length - (int)at)].CopyTo(output.AsSpan((int)at));
        }

        return output;
    }

    // RSA-OAEP with SHA-256 and a label, which .NET's RSA.Encrypt does not take: the TPM's encoding (Part 1, B.10.3)
    // is EME-OAEP of RFC 8017 with the label "IDENTITY" and its terminating zero, then raw RSA.
    private static byte[] OaepSha256WithLabel(RSA rsa, byte[] message, string label)
    {
        var parameters = rsa.ExportParameters(false);
        var k = parameters.Modulus!.Length;
        const int hashLength = 32;
        var labelHash = SHA256.HashData(Encoding.ASCII.GetBytes(label + "\0"));
        var dataBlock = new byte[k - hashLength - 1];
        labelHash.CopyTo(dataBlock, 0);
        dataBlock[dataBlock.Length - message.Length - 1] = 0x01;
        message.CopyTo(dataBlock, dataBlock.Length - message.Length);
        var seed = RandomNumberGenerator.GetBytes(hashLength);
        var dataMask = Mgf1(seed, dataBlock.Length);
        for (var i = 0; i < dataBlock.Length; i++)
        {
            dataBlock[i] ^= dataMask[i];
        }

        var seedMask = Mgf1(dataBlock, hashLength);
        for (var i = 0; i < hashLength; i++)
        {
            seed[i] ^= seedMask[i];
        }

        var encoded = new byte[k];
        seed.CopyTo(encoded, 1);
        dataBlock.CopyTo(encoded, 1 + hashLength);
        var m = new System.Numerics.BigInteger(encoded, isUnsigned: true, isBigEndian: true);
        var e = new System.Numerics.BigInteger(parameters.Exponent, isUnsigned: true, isBigEndian: true);
        var n = new System.Numerics.BigInteger(parameters.Modulus, isUnsigned: true, isBigEndian: true);
        var c = System.Numerics.BigInteger.ModPow(m, e, n).ToByteArray(isUnsigned: true, isBigEndian: true);
        var result = new byte[k];
        c.CopyTo(result, k - c.Length);
        return result;
    }

    private static byte[] Mgf1(byte[] seed, int length)
    {
        var output = new byte[length];
        Span<byte> counter = stackalloc byte[4];
        Span<byte> block = stackalloc byte[32];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (uint i = 0, at = 0; at < length; i++, at += 32)
        {
            BinaryPrimitives.WriteUInt32BigEndian(counter, i);
            hash.AppendData(seed);
            hash.AppendData(counter);
            hash.GetHashAndReset(block);
            block[..Math.Min(32, length - (int)at)].CopyTo(output.AsSpan((int)at));
        }

        return output;
    }
}
