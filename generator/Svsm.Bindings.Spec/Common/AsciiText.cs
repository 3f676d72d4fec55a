using System.Text;

namespace Svsm.Bindings.Spec.Common;

/// <summary>Text of ASCII characters kept as one byte each (generated code, whose spec prose is nearly always ASCII).</summary>
internal static class AsciiText
{
    /// <summary>The first <paramref name="length"/> characters as bytes, or null when one of them is not ASCII.</summary>
    public static byte[]? TryEncode(char[] chars, int length)
    {
        // The encoder's loops are vectorised where a scalar check-and-copy is not (several times faster over the 10 MB
        // of a large consumer). A character outside ASCII takes two or more bytes in UTF-8, so the count equals the
        // length only when every character is ASCII, and then UTF-8's bytes are ASCII's.
        if (Encoding.UTF8.GetByteCount(chars, 0, length) != length)
        {
            return null;
        }

        var bytes = new byte[length];
        Encoding.UTF8.GetBytes(chars, 0, length, bytes, 0);
        return bytes;
    }

    public static string ToString(byte[] bytes) => Encoding.ASCII.GetString(bytes);

    public static bool Equal(byte[] left, byte[] right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        for (var i = 0; i < left.Length; i++)
        {
            if (left[i] != right[i])
            {
                return false;
            }
        }

        return true;
    }
}
