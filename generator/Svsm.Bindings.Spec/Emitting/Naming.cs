using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>C# names for spec names, and C# literals.</summary>
internal static class Naming
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
    };

    // The SvsmRegisters member of each general-purpose register (RCX is Rcx), made once: every call's descriptor,
    // client and dispatcher name its registers, several times each.
    private static readonly Dictionary<string, string> RegisterMembers =
        Recognising.CellValues.GeneralPurposeRegisterNames.ToDictionary(register => register, Pascal, StringComparer.Ordinal);

    /// <summary>The <c>SvsmRegisters</c> member and <c>X86Register</c> value a register is written as.</summary>
    public static string RegisterMember(string register) => RegisterMembers.TryGetValue(register, out var member) ? member : Pascal(register);

    /// <summary>The <c>SvsmDirection</c> value of a direction, without formatting the enum each time.</summary>
    public static string Direction(Model.RegisterDirection direction) => direction switch
    {
        Model.RegisterDirection.In => "In",
        Model.RegisterDirection.Out => "Out",
        _ => "InOut",
    };

    /// <summary>Words of a name: split at non-alphanumerics, underscores and case changes (<c>SVSM_OCP_LIST</c>, <c>Source entry</c>, <c>bufferGpa</c>).</summary>
    public static List<string> Words(string name) => Common.Words.Split(name, splitUnderscores: true);

    /// <summary>
    /// The words of <paramref name="name"/> (as <see cref="Words"/> splits them), each capitalised, run together;
    /// <c>_</c> before a leading digit. Written in one pass: it names every member the emitters write.
    /// </summary>
    public static string Pascal(string name)
    {
        var buffer = pascalBuffer ??= new char[64];
        if (buffer.Length < name.Length + 1)
        {
            buffer = pascalBuffer = new char[name.Length * 2 + 1];
        }

        var length = 1; // buffer[0] is kept for the '_' a leading digit needs
        var start = -1;
        for (var i = 0; i < name.Length; i++)
        {
            // Only ASCII letters and digits are kept, so a kept character's case, and its neighbour's before it in the
            // same word, is tested and changed as ASCII; the one after it may be any character, as Words sees it.
            var c = name[i];
            if (!IsAsciiLetterOrDigit(c))
            {
                start = -1;
                continue;
            }

            // A case change starts a word, as Words splits "FirstIndex" and "bufferGPA".
            var wordStart = start < 0 || (IsAsciiUpper(c) &&
                (IsAsciiLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && IsAsciiUpper(name[i - 1]))));
            buffer[length++] = wordStart ? (IsAsciiLower(c) ? (char)(c - 32) : c) : (IsAsciiUpper(c) ? (char)(c + 32) : c);
            start = wordStart ? i : start;
        }

        if (length == 1)
        {
            return "Value";
        }

        if (char.IsDigit(buffer[1]))
        {
            buffer[0] = '_';
            return new string(buffer, 0, length);
        }

        return new string(buffer, 1, length - 1);
    }

    private static bool IsAsciiUpper(char c) => c >= 'A' && c <= 'Z';

    private static bool IsAsciiLower(char c) => c >= 'a' && c <= 'z';

    private static bool IsAsciiLetterOrDigit(char c) => IsAsciiUpper(c) || IsAsciiLower(c) || (c >= '0' && c <= '9');

    [ThreadStatic]
    private static char[]? pascalBuffer;

    public static string Camel(string name)
    {
        var pascal = Pascal(name);
        var camel = pascal[0] == '_' ? pascal : char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
        return Keywords.Contains(camel) ? "@" + camel : camel;
    }

    /// <summary>The C# type that holds an unsigned value of <paramref name="bytes"/> bytes.</summary>
    public static string UnsignedType(int bytes) => bytes switch
    {
        1 => "byte",
        2 => "ushort",
        4 => "uint",
        _ => "ulong",
    };

    public static string SignedType(int bytes) => bytes switch
    {
        1 => "sbyte",
        2 => "short",
        4 => "int",
        _ => "long",
    };

    /// <summary>The byte size of the smallest unsigned type that holds <paramref name="bits"/> bits.</summary>
    public static int BytesForBits(int bits) => bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8;

    /// <summary>The text as a C# string literal: quoted, with quotes, backslashes and characters outside printable ASCII escaped.</summary>
    public static string Literal(string text)
    {
        if (IsPlain(text))
        {
            return "\"" + text + "\"";
        }

        return AppendLiteral(new StringBuilder(text.Length + 8), text).ToString();
    }

    /// <summary>Appends <paramref name="text"/> as <see cref="Literal"/> writes it.</summary>
    public static StringBuilder AppendLiteral(StringBuilder builder, string text)
    {
        builder.Append('"');
        if (IsPlain(text))
        {
            return builder.Append(text).Append('"');
        }

        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < 0x20 || c > 0x7E)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"');
    }

    // Printable ASCII but for '"' and '\\': written between the quotes as it is.
    private static bool IsPlain(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > '~' or '"' or '\\')
            {
                return false;
            }
        }

        return true;
    }

    public static string Hex(ulong value, int bytes)
    {
        // Struct offsets are written as one-byte hex, over and over: those small ones are kept.
        if (bytes == 1 && value < (ulong)SmallHex.Length)
        {
            return SmallHex[value] ??= HexOf(value, bytes);
        }

        return HexOf(value, bytes);
    }

    private static string HexOf(ulong value, int bytes)
    {
        var suffix = bytes == 8 ? "UL" : bytes == 4 ? "U" : string.Empty;
        return "0x" + value.ToString(bytes >= 8 ? "X16" : bytes >= 4 ? "X8" : bytes >= 2 ? "X4" : "X2", CultureInfo.InvariantCulture) + suffix;
    }

    public static string Number(long value) =>
        value >= 0 && value < SmallNumbers.Length ? SmallNumbers[value] ??= value.ToString(CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

    // Sizes, offsets and versions are mostly small and repeat in every file; each is made once. A race only makes a
    // string twice: both are equal.
    private static readonly string?[] SmallNumbers = new string?[4096];

    private static readonly string?[] SmallHex = new string?[4096];

    /// <summary>The mask of bits <paramref name="low"/> to <paramref name="high"/> inclusive.</summary>
    public static ulong Mask(int low, int high)
    {
        var width = high - low + 1;
        return width >= 64 ? ulong.MaxValue : ((1UL << width) - 1) << low;
    }

    public static bool SameIgnoringCase(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    public static string Join(IEnumerable<string> parts) => string.Join(", ", parts.Where(p => p.Length > 0));
}
