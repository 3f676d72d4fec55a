using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace Svsm.Runtime.Tpm;

/// <summary>
/// The few TPM 2.0 commands the SVSM and its tests send, in the TPM wire format (TPM 2.0 Library, Part 3: the
/// command and response layouts; Part 2: the constants). Every integer is big-endian.
/// </summary>
public static partial class TpmWire
{
    /// <summary>The largest response read back: TPM 2.0's usual maximum command and response size.</summary>
    public const int MaxResponseSize = 4096;

    public const int HeaderSize = 10;
    public const ushort NoSessions = 0x8001;
    public const ushort Sessions = 0x8002;
    public const uint Startup = 0x144;
    public const uint CreatePrimary = 0x131;
    public const uint FlushContext = 0x165;
    public const uint GetRandom = 0x17B;
    public const uint PcrRead = 0x17E;
    public const uint PcrExtend = 0x182;
    public const uint EndorsementHierarchy = 0x4000_000B;
    public const uint PasswordSession = 0x4000_0009;
    public const ushort Sha256 = 0x000B;

    /// <summary>TPM_RC_INITIALIZE: the TPM has not been through TPM2_Startup.</summary>
    public const uint ResponseInitialize = 0x100;

    /// <summary>
    /// The TCG EK Credential Profile's template L-1 (RSA 2048 storage EK), as COCONUT-SVSM's
    /// <c>kernel/src/vtpm/tcgtpm/ek_templates.rs</c> gives it: a TPMT_PUBLIC with an empty 256-byte modulus.
    /// </summary>
    public static ReadOnlySpan<byte> EkTemplateRsa2048 => EkTemplateBytes;

    private static readonly byte[] EkTemplateBytes = EkTemplate();

    /// <summary>The response code of a response (0 is TPM_RC_SUCCESS).</summary>
    public static uint ResponseCode(ReadOnlySpan<byte> response) =>
        response.Length >= HeaderSize ? BinaryPrimitives.ReadUInt32BigEndian(response[6..]) : throw new TpmException($"a TPM response is at least {HeaderSize} bytes, not {response.Length}");

    /// <summary>TPM2_Startup(TPM_SU_CLEAR), the first command a guest sends its vTPM.</summary>
    public static byte[] StartupClearCommand() => Command(NoSessions, Startup, w => w.U16(0));

    /// <summary>TPM2_GetRandom(<paramref name="count"/>).</summary>
    public static byte[] GetRandomCommand(ushort count) => Command(NoSessions, GetRandom, w => w.U16(count));

    /// <summary>The random bytes of a TPM2_GetRandom response.</summary>
    public static byte[] GetRandomBytes(ReadOnlySpan<byte> response)
    {
        Succeeded(response, "TPM2_GetRandom");
        return response.Slice(12, BinaryPrimitives.ReadUInt16BigEndian(response[10..])).ToArray();
    }

    /// <summary>TPM2_PCR_Extend of PCR <paramref name="pcr"/> with one SHA-256 digest, authorized by the empty password.</summary>
    public static byte[] PcrExtendCommand(uint pcr, ReadOnlySpan<byte> sha256Digest)
    {
        if (sha256Digest.Length != 32)
        {
            throw new ArgumentException("a SHA-256 digest is 32 bytes", nameof(sha256Digest));
        }

        var digest = sha256Digest.ToArray();
        return Command(Sessions, PcrExtend, w =>
        {
            w.U32(pcr);
            w.PasswordAuthorization();
            w.U32(1);
            w.U16(Sha256);
            w.Bytes(digest);
        });
    }

    /// <summary>TPM2_PCR_Read of one SHA-256 PCR.</summary>
    public static byte[] PcrReadCommand(uint pcr) => PcrReadCommand(new[] { (int)pcr });

    /// <summary>The one digest of a TPM2_PCR_Read response for one PCR.</summary>
    public static byte[] PcrReadDigest(ReadOnlySpan<byte> response)
    {
        var digests = PcrReadDigests(response);
        if (digests.Count != 1)
        {
            throw new TpmException($"TPM2_PCR_Read returned {digests.Count} digests, not 1");
        }

        return digests[0];
    }

    /// <summary>
    /// TPM2_CreatePrimary in the endorsement hierarchy with <paramref name="template"/>, as COCONUT-SVSM's
    /// <c>tss::create_ek</c> sends it: the empty password, no sensitive data, no outside info, no creation PCRs.
    /// </summary>
    public static byte[] CreatePrimaryCommand(ReadOnlySpan<byte> template) => CreatePrimaryCommand(EndorsementHierarchy, template);

    /// <summary>TPM2_CreatePrimary in <paramref name="hierarchy"/> with <paramref name="template"/>, authorized by the hierarchy's empty password.</summary>
    public static byte[] CreatePrimaryCommand(uint hierarchy, ReadOnlySpan<byte> template)
    {
        var publicArea = template.ToArray();
        return Command(Sessions, CreatePrimary, w =>
        {
            w.U32(hierarchy);
            w.PasswordAuthorization();
            w.U16(4);
            w.U16(0);
            w.U16(0);
            w.U16((ushort)publicArea.Length);
            w.Bytes(publicArea);
            w.U16(0);
            w.U32(0);
        });
    }

    /// <summary>The object handle and the TPMT_PUBLIC (without its TPM2B size) of a TPM2_CreatePrimary response.</summary>
    public static (uint Handle, byte[] PublicArea) CreatePrimaryResult(ReadOnlySpan<byte> response)
    {
        Succeeded(response, "TPM2_CreatePrimary");

        // The handle, the parameter area's size, then the TPM2B_PUBLIC.
        var reader = new Reader(response, "TPM2_CreatePrimary response").Skip(HeaderSize);
        var handle = reader.U32();
        return (handle, reader.Skip(4).Sized().ToArray());
    }

    /// <summary>TPM2_FlushContext of a transient object.</summary>
    public static byte[] FlushContextCommand(uint handle) => Command(NoSessions, FlushContext, w => w.U32(handle));

    /// <summary>
    /// The endorsement key's public area: TPM2_CreatePrimary with the L-1 template, the object flushed afterwards so it
    /// takes none of the TPM's few transient slots. This is what the vTPM service's manifest holds.
    /// </summary>
    public static byte[] CreateEndorsementKeyPublic(ITpm tpm)
    {
        ArgumentNullException.ThrowIfNull(tpm);
        var response = new byte[MaxResponseSize];
        var length = tpm.Execute(CreatePrimaryCommand(EkTemplateRsa2048), response);
        var (handle, publicArea) = CreatePrimaryResult(response.AsSpan(0, length));
        length = tpm.Execute(FlushContextCommand(handle), response);
        Succeeded(response.AsSpan(0, length), "TPM2_FlushContext");
        return publicArea;
    }

    private static void Succeeded(ReadOnlySpan<byte> response, string command)
    {
        var code = ResponseCode(response);
        if (code != 0)
        {
            throw new TpmException($"{command} failed with TPM response code 0x{code:X}");
        }
    }

    private static byte[] EkTemplate()
    {
        var writer = new Writer();
        writer.U16(0x0001); // TPM_ALG_RSA
        writer.U16(Sha256);
        writer.U32(0x0003_00B2); // fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy, restricted, decrypt
        writer.U16(32);
        writer.Bytes(Convert.FromHexString("837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA")); // PolicyA_SHA256
        writer.U16(0x0006); // AES
        writer.U16(128);
        writer.U16(0x0043); // CFB
        writer.U16(0x0010); // TPM_ALG_NULL scheme
        writer.U16(2048);
        writer.U32(0);
        writer.U16(256);
        writer.Bytes(new byte[256]);
        return writer.ToArray();
    }

    // A command: tag, size (patched once the body is written), command code, body.
    private static byte[] Command(ushort tag, uint code, Action<Writer> body)
    {
        var writer = new Writer();
        writer.U16(tag);
        writer.U32(0);
        writer.U32(code);
        body(writer);
        var command = writer.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(command.AsSpan(2), (uint)command.Length);
        return command;
    }

    private sealed class Writer
    {
        private readonly List<byte> bytes = new();

        public void U8(byte value) => bytes.Add(value);

        public void U16(ushort value)
        {
            bytes.Add((byte)(value >> 8));
            bytes.Add((byte)value);
        }

        public void U32(uint value)
        {
            U16((ushort)(value >> 16));
            U16((ushort)value);
        }

        public void Bytes(byte[] value) => bytes.AddRange(value);

        public void Sized(ReadOnlySpan<byte> value)
        {
            U16((ushort)value.Length);
            bytes.AddRange(value.ToArray());
        }

        // An authorization area with one password session and the empty password.
        public void PasswordAuthorization()
        {
            U32(9);
            U32(PasswordSession);
            U16(0);
            U8(0);
            U16(0);
        }

        public byte[] ToArray() => bytes.ToArray();
    }
}
