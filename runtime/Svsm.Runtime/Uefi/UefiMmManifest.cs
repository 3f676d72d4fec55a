using System;
using System.Buffers.Binary;

namespace Svsm.Runtime.Uefi;

/// <summary>
/// The UEFI MM service's attestation manifest, as COCONUT-SVSM's <c>uefi_mm_get_manifest</c>
/// (<c>kernel/src/protocols/uefivars.rs</c>) makes it: 8 bytes, a little-endian <c>u32</c> version (0), then a
/// <c>u32</c> of flags, least significant bit first.
/// </summary>
/// <param name="PersistentNonVolatileVariables">Non-volatile variables are written to persistent storage.</param>
/// <param name="SecureBootEnabled">Secure boot is on: the store holds a PK.</param>
/// <param name="SecureBootDatabaseUpdate">The guest may update db and dbx (with properly signed updates).</param>
public readonly record struct UefiMmManifest(bool PersistentNonVolatileVariables, bool SecureBootEnabled, bool SecureBootDatabaseUpdate)
{
    /// <summary>The manifest's length in bytes.</summary>
    public const int Size = 8;

    /// <summary>The only version there is.</summary>
    public const uint CurrentVersion = 0;

    private const uint PersistentBit = 1u << 0;
    private const uint SecureBootBit = 1u << 1;
    private const uint DatabaseUpdateBit = 1u << 2;
    private const uint KnownBits = PersistentBit | SecureBootBit | DatabaseUpdateBit;

    /// <summary>The 8 bytes the SVSM attests.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, CurrentVersion);
        var flags = (PersistentNonVolatileVariables ? PersistentBit : 0) | (SecureBootEnabled ? SecureBootBit : 0) | (SecureBootDatabaseUpdate ? DatabaseUpdateBit : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(sizeof(uint)), flags);
        return bytes;
    }

    /// <summary>Reads a manifest; throws <see cref="FormatException"/> for another length, another version or a reserved flag set.</summary>
    public static UefiMmManifest Parse(ReadOnlySpan<byte> manifest)
    {
        if (manifest.Length != Size)
        {
            throw new FormatException($"a UEFI MM manifest is {Size} bytes, not {manifest.Length}");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(manifest);
        if (version != CurrentVersion)
        {
            throw new FormatException($"UEFI MM manifest version {version} is not known (only {CurrentVersion} is)");
        }

        var flags = BinaryPrimitives.ReadUInt32LittleEndian(manifest[sizeof(uint)..]);
        if ((flags & ~KnownBits) != 0)
        {
            throw new FormatException($"UEFI MM manifest flags 0x{flags:X8} set reserved bits 0x{flags & ~KnownBits:X8}");
        }

        return new((flags & PersistentBit) != 0, (flags & SecureBootBit) != 0, (flags & DatabaseUpdateBit) != 0);
    }
}
