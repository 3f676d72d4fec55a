using System;
using System.Runtime.InteropServices;

namespace Svsm.Runtime.Uefi;

/// <summary>UEFI variable names as they travel: UCS-2 code units, little-endian, NUL-terminated, taken as they are (no encoding step that would replace a lone surrogate).</summary>
internal static class Ucs2
{
    /// <summary>The name in <paramref name="area"/> up to its first NUL, as StrSize counts it.</summary>
    public static string Name(ReadOnlySpan<byte> area)
    {
        var chars = MemoryMarshal.Cast<byte, char>(area[..(area.Length & ~1)]);
        var end = chars.IndexOf('\0');
        return new string(end < 0 ? chars : chars[..end]);
    }

    /// <summary>The bytes a name takes with its NUL, as StrSize counts them.</summary>
    public static int Size(ReadOnlySpan<char> name) => checked((name.Length + 1) * sizeof(char));
}
