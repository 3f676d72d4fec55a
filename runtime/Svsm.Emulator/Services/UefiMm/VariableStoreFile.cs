using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Svsm.Runtime;
using Svsm.Runtime.Uefi;

namespace Svsm.Emulator.Services.UefiMm;

/// <summary>
/// The file the emulated store's non-volatile variables persist to. Its format is this project's own: the magic
/// <c>SVSMVAR1</c>, a <c>u32</c> count, then per variable its GUID (EFI byte order), <c>u32</c> attributes,
/// <c>u32</c> name length in UTF-16 code units, <c>u32</c> data length, the name (its UCS-2 code units as the guest
/// gave them, little-endian, no NUL) and the data; then
/// SHA-256 of all that, so that a truncated or damaged file is told from a good one. Little-endian throughout.
/// </summary>
internal static class VariableStoreFile
{
    private static readonly byte[] Magic = "SVSMVAR1"u8.ToArray();
    private const int EntryHeaderSize = 16 + (3 * sizeof(uint));

    /// <summary>The variables in <paramref name="path"/>, none when there is no file; a file that does not read whole throws <see cref="InvalidDataException"/> naming it.</summary>
    public static List<UefiVariable> Load(string path)
    {
        if (!File.Exists(path))
        {
            return new List<UefiVariable>();
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + sizeof(uint) + SHA256.HashSizeInBytes || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw Bad(path, bytes.Length < Magic.Length ? "too short to be a variable store" : "not a variable store file (no SVSMVAR1 header), or truncated");
        }

        var body = bytes.AsSpan(0, bytes.Length - SHA256.HashSizeInBytes);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(body.Length)))
        {
            throw Bad(path, "its checksum does not match: the file is truncated or damaged");
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(body[Magic.Length..]);
        var at = Magic.Length + sizeof(uint);
        var variables = new List<UefiVariable>();
        var seen = new HashSet<(Guid, string)>();
        for (var i = 0u; i < count; i++)
        {
            if (body.Length - at < EntryHeaderSize)
            {
                throw Bad(path, $"variable {i} of {count} is cut short");
            }

            var vendor = new Guid(body.Slice(at, 16));
            var attributes = BinaryPrimitives.ReadUInt32LittleEndian(body[(at + 16)..]);
            var nameChars = BinaryPrimitives.ReadUInt32LittleEndian(body[(at + 20)..]);
            var dataLength = BinaryPrimitives.ReadUInt32LittleEndian(body[(at + 24)..]);
            at += EntryHeaderSize;
            if ((ulong)nameChars * 2 + dataLength > (ulong)(body.Length - at) || nameChars == 0)
            {
                throw Bad(path, $"variable {i} of {count} is cut short or has no name");
            }

            var name = new string(MemoryMarshal.Cast<byte, char>(body.Slice(at, (int)nameChars * 2)));
            at += (int)nameChars * 2;
            var data = body.Slice(at, (int)dataLength).ToArray();
            at += (int)dataLength;
            if (!seen.Add((vendor, name)) || (attributes & (uint)UefiVariableAttributeBits.NonVolatile) == 0)
            {
                throw Bad(path, $"variable {i} ('{name}') is there twice or is not non-volatile");
            }

            variables.Add(new UefiVariable(name, vendor, (UefiVariableAttributeBits)attributes, data));
        }

        if (at != body.Length)
        {
            throw Bad(path, $"{body.Length - at} bytes follow the last of its {count} variables");
        }

        return variables;
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="variables"/> atomically: a temporary file beside it is
    /// written and synced, then renamed over it, and the directory synced, so that a crash at any point leaves either
    /// the old file or the new one whole.
    /// </summary>
    public static void Save(string path, IReadOnlyCollection<UefiVariable> variables, Action<string>? beforeReplace)
    {
        var stream = new MemoryStream();
        stream.Write(Magic);
        Span<byte> scratch = stackalloc byte[EntryHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(scratch, (uint)variables.Count);
        stream.Write(scratch[..sizeof(uint)]);
        foreach (var variable in variables)
        {
            variable.Vendor.TryWriteBytes(scratch);
            BinaryPrimitives.WriteUInt32LittleEndian(scratch[16..], (uint)variable.Attributes);
            BinaryPrimitives.WriteUInt32LittleEndian(scratch[20..], (uint)variable.Name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(scratch[24..], (uint)variable.Data.Length);
            stream.Write(scratch);
            stream.Write(MemoryMarshal.AsBytes(variable.Name.AsSpan()));
            stream.Write(variable.Data);
        }

        stream.Write(SHA256.HashData(stream.GetBuffer().AsSpan(0, (int)stream.Length)));

        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(stream.GetBuffer(), 0, (int)stream.Length);
            file.Flush(flushToDisk: true);
        }

        beforeReplace?.Invoke(temporary);
        File.Move(temporary, path, overwrite: true);

        // The rename is the commit: the file holds the new store now. A directory that cannot be synced leaves only
        // the rename's survival of a power cut in doubt, and failing the write now would leave memory and file apart.
        try
        {
            SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
        catch (IOException)
        {
        }
    }

    private static InvalidDataException Bad(string path, string why) =>
        new($"the UEFI variable store {path} cannot be read: {why}; move it away to start with an empty store");

    // The rename is durable only once the directory entry is on disk (rename(2) then fsync(2) of the directory).
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // A directory opens O_RDONLY, and fsyncs.
        var fd = Libc.Open(directory, Libc.ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"cannot open {directory} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Libc.Fsync(fd) != 0)
            {
                throw new IOException($"cannot sync {directory} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }
}
