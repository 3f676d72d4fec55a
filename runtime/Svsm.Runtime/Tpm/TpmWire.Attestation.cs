using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;

namespace Svsm.Runtime.Tpm;

/// <summary>
/// The commands of a vTPM attestation (TPM 2.0 Library, Part 3): an attestation key, a policy session satisfying
/// the EK's PolicySecret(TPM_RH_ENDORSEMENT), TPM2_ActivateCredential and TPM2_Quote, and PCR reads of several PCRs.
/// </summary>
public static partial class TpmWire
{
    public const uint OwnerHierarchy = 0x4000_0001;
    public const uint NullHandle = 0x4000_0007;
    public const uint StartAuthSession = 0x176;
    public const uint PolicySecret = 0x151;
    public const uint ActivateCredential = 0x147;
    public const uint Quote = 0x158;
    public const ushort RsaAlgorithm = 0x0001;
    public const ushort NullAlgorithm = 0x0010;
    public const ushort RsassaAlgorithm = 0x0014;

    /// <summary>fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, restricted, sign: a key that signs only what the TPM made.</summary>
    public const uint AttestationKeyAttributes = 0x0005_0072;

    /// <summary>
    /// An RSA-2048 restricted signing key (RSASSA with SHA-256) for quotes: a TPMT_PUBLIC whose unique field is
    /// <paramref name="unique"/>, which TPM2_CreatePrimary takes as entropy (empty: the same key every time).
    /// </summary>
    public static byte[] AkTemplate(ReadOnlySpan<byte> unique = default)
    {
        var writer = new Writer();
        writer.U16(RsaAlgorithm);
        writer.U16(Sha256);
        writer.U32(AttestationKeyAttributes);
        writer.U16(0);
        writer.U16(NullAlgorithm);
        writer.U16(RsassaAlgorithm);
        writer.U16(Sha256);
        writer.U16(2048);
        writer.U32(0);
        writer.Sized(unique);
        return writer.ToArray();
    }

    /// <summary>TPM2_StartAuthSession of an unsalted, unbound SHA-256 policy session.</summary>
    public static byte[] StartPolicySessionCommand(ReadOnlySpan<byte> nonceCaller)
    {
        var nonce = nonceCaller.ToArray();
        return Command(NoSessions, StartAuthSession, w =>
        {
            w.U32(NullHandle);
            w.U32(NullHandle);
            w.Sized(nonce);
            w.U16(0);
            w.U8(0x01); // TPM_SE_POLICY
            w.U16(NullAlgorithm);
            w.U16(Sha256);
        });
    }

    /// <summary>The session handle of a TPM2_StartAuthSession response.</summary>
    public static uint SessionHandle(ReadOnlySpan<byte> response)
    {
        Succeeded(response, "TPM2_StartAuthSession");
        return new Reader(response, "TPM2_StartAuthSession response").Skip(HeaderSize).U32();
    }

    /// <summary>TPM2_PolicySecret(TPM_RH_ENDORSEMENT) on <paramref name="policySession"/>, with the endorsement hierarchy's empty password: the EK's policy.</summary>
    public static byte[] PolicySecretEndorsementCommand(uint policySession) => Command(Sessions, PolicySecret, w =>
    {
        w.U32(EndorsementHierarchy);
        w.U32(policySession);
        w.PasswordAuthorization();
        w.U16(0);
        w.U16(0);
        w.U16(0);
        w.U32(0);
    });

    /// <summary>
    /// TPM2_ActivateCredential: <paramref name="activateHandle"/> (the AK, its empty password) and
    /// <paramref name="keyHandle"/> (the EK, through <paramref name="policySession"/>), with the credential blob
    /// (a TPM2B_ID_OBJECT) and the secret (a TPM2B_ENCRYPTED_SECRET), each with its size.
    /// </summary>
    public static byte[] ActivateCredentialCommand(uint activateHandle, uint keyHandle, uint policySession, ReadOnlySpan<byte> credentialBlob, ReadOnlySpan<byte> secret)
    {
        var (blob, encrypted) = (credentialBlob.ToArray(), secret.ToArray());
        return Command(Sessions, ActivateCredential, w =>
        {
            w.U32(activateHandle);
            w.U32(keyHandle);
            w.U32(18);
            w.U32(PasswordSession);
            w.U16(0);
            w.U8(0);
            w.U16(0);
            w.U32(policySession);
            w.U16(0);
            w.U8(0);
            w.U16(0);
            w.Bytes(blob);
            w.Bytes(encrypted);
        });
    }

    /// <summary>The credential a TPM2_ActivateCredential response recovered (certInfo).</summary>
    public static byte[] ActivatedCredential(ReadOnlySpan<byte> response)
    {
        Succeeded(response, "TPM2_ActivateCredential");
        return new Reader(response, "TPM2_ActivateCredential response").Skip(HeaderSize + 4).Sized().ToArray();
    }

    /// <summary>TPM2_Quote with <paramref name="signHandle"/> (its empty password) over SHA-256 PCRs <paramref name="pcrs"/>, the key's own scheme.</summary>
    public static byte[] QuoteCommand(uint signHandle, ReadOnlySpan<byte> qualifyingData, IReadOnlyList<int> pcrs)
    {
        var data = qualifyingData.ToArray();
        return Command(Sessions, Quote, w =>
        {
            w.U32(signHandle);
            w.PasswordAuthorization();
            w.Sized(data);
            w.U16(NullAlgorithm);
            PcrSelection(w, pcrs);
        });
    }

    /// <summary>The TPMS_ATTEST and the TPMT_SIGNATURE of a TPM2_Quote response, each as the TPM marshalled it.</summary>
    public static (byte[] Attest, byte[] Signature) QuoteResult(ReadOnlySpan<byte> response)
    {
        Succeeded(response, "TPM2_Quote");
        var reader = new Reader(response, "TPM2_Quote response").Skip(HeaderSize);
        var parameters = (int)reader.U32();
        var attest = reader.Sized().ToArray();
        var signature = reader.Take(parameters - 2 - attest.Length).ToArray();
        return (attest, signature);
    }

    /// <summary>TPM2_PCR_Read of the SHA-256 PCRs <paramref name="pcrs"/> (at most 8: one response's worth).</summary>
    public static byte[] PcrReadCommand(IReadOnlyList<int> pcrs)
    {
        if (pcrs.Count is 0 or > 8)
        {
            throw new ArgumentException("one TPM2_PCR_Read returns 1 to 8 digests", nameof(pcrs));
        }

        return Command(NoSessions, PcrRead, w => PcrSelection(w, pcrs));
    }

    /// <summary>The digests of a TPM2_PCR_Read response, in PCR order.</summary>
    public static IReadOnlyList<byte[]> PcrReadDigests(ReadOnlySpan<byte> response)
    {
        Succeeded(response, "TPM2_PCR_Read");
        var reader = new Reader(response, "TPM2_PCR_Read response").Skip(HeaderSize + 4);
        var selections = reader.U32();
        for (var i = 0; i < selections; i++)
        {
            reader.Skip(2);
            reader.Skip(reader.U8());
        }

        var count = reader.U32();
        var digests = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            digests.Add(reader.Sized().ToArray());
        }

        return digests;
    }

    /// <summary>A TPML_PCR_SELECTION of SHA-256 PCRs 0-23, as TPM2_Quote and TPM2_PCR_Read take it.</summary>
    public static byte[] PcrSelectionBytes(IReadOnlyList<int> pcrs)
    {
        var writer = new Writer();
        PcrSelection(writer, pcrs);
        return writer.ToArray();
    }

    private static void PcrSelection(Writer w, IReadOnlyList<int> pcrs)
    {
        if (pcrs.Any(p => p is < 0 or > 23) || pcrs.Distinct().Count() != pcrs.Count)
        {
            throw new ArgumentException("PCRs are distinct numbers from 0 to 23", nameof(pcrs));
        }

        w.U32(1);
        w.U16(Sha256);
        w.U8(3);
        for (var i = 0; i < 3; i++)
        {
            var bits = 0;
            foreach (var pcr in pcrs)
            {
                if (pcr / 8 == i)
                {
                    bits |= 1 << (pcr % 8);
                }
            }

            w.U8((byte)bits);
        }
    }

    /// <summary>Reads TPM structures, bounds checked: past its end is a <see cref="TpmException"/> naming what was read.</summary>
    internal ref struct Reader(ReadOnlySpan<byte> bytes, string what)
    {
        private readonly ReadOnlySpan<byte> bytes = bytes;
        private readonly string what = what;
        private int at;

        public readonly int Position => at;

        public readonly bool AtEnd => at == bytes.Length;

        public Reader Skip(int count)
        {
            Take(count);
            return this;
        }

        public ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > bytes.Length - at)
            {
                throw new TpmException($"malformed {what}: {count} bytes at offset {at} run past its {bytes.Length} bytes");
            }

            var taken = bytes.Slice(at, count);
            at += count;
            return taken;
        }

        public byte U8() => Take(1)[0];

        public ushort U16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

        public uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

        public ulong U64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

        /// <summary>A TPM2B: a 16-bit size, then that many bytes.</summary>
        public ReadOnlySpan<byte> Sized() => Take(U16());
    }
}
