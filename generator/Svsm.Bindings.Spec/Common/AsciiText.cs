using System.Text;

namespace Svsm.Bindings.Spec.Common;

/// <summary>Text of ASCII characters kept as one byte each (generated code, whose spec prose is nearly always ASCII).</summary>
internal static class AsciiText
{
    /// <summary>The first <paramref name="length"/> characters as bytes, or null when one of them is not ASCII.</summary>
    public static byte[]? TryEncode(char[] chars, int length)
    {
        // One pass: the bytes are written as the characters are checked; a text that is not all ASCII is rare.
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            var c = chars[i];
            if (c > '\x7F')
            {
                return null;
            }

            bytes[i] = (byte)c;
        }

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
