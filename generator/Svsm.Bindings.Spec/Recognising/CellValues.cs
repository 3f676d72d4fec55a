using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Recognising;

/// <summary>Reads numbers, ranges, directions and register names out of table cells.</summary>
internal static class CellValues
{
    private static readonly HashSet<string> GeneralPurposeRegisters = new(StringComparer.Ordinal)
    {
        "RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
        "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
    };

    private static readonly Dictionary<string, string> NarrowRegisterNames = new(StringComparer.Ordinal)
    {
        ["EAX"] = "RAX", ["EBX"] = "RBX", ["ECX"] = "RCX", ["EDX"] = "RDX",
        ["ESI"] = "RSI", ["EDI"] = "RDI", ["EBP"] = "RBP", ["ESP"] = "RSP",
        ["AX"] = "RAX", ["BX"] = "RBX", ["CX"] = "RCX", ["DX"] = "RDX",
        ["R8D"] = "R8", ["R9D"] = "R9", ["R10D"] = "R10", ["R11D"] = "R11",
    };

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    private static readonly Regex SizeUnit = new(@"(?:\s*bytes?|\s+B|(?<=^\d+)B)\s*$", Options);
    private static readonly Regex BitsDecoration = new(@"^\s*(?:bits?\b)?\s*\[?|\]?\s*$", Options);
    private static readonly Regex ReservedIdentifier = new(@"^_*(?:reserved|rsvd|mbz)(?:_?[0-9]+|_\w*)?$", Options);
    private static readonly Regex ReservedWord = new(@"^\W*(?:reserved|rsvd|mbz)\b", Options);
    private static readonly Regex RangeSeparator = new(@"\s*(?:\.\.|:|-|–|—|‒|−|\bto\b)\s*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>
    /// A non-negative integer: decimal (<c>128</c>), C hex (<c>0x80</c>) or assembler hex (<c>80h</c>),
    /// with <c>_</c> digit separators allowed.
    /// </summary>
    public static bool TryParseInteger(string text, out ulong value)
    {
        value = 0;
        var s = text.Trim().Replace("_", string.Empty);
        if (s.Length == 0)
        {
            return false;
        }

        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return s.Length > 2 && ulong.TryParse(s.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        if (s.Length > 1 && (s[s.Length - 1] == 'h' || s[s.Length - 1] == 'H'))
        {
            return ulong.TryParse(s.Substring(0, s.Length - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        foreach (var c in s)
        {
            if (c < '0' || c > '9')
            {
                return false;
            }
        }

        return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>An integer that fits an <see cref="int"/>, optionally followed by a unit word (<c>8 bytes</c>).</summary>
    public static bool TryParseSize(string text, out int value)
    {
        value = 0;
        // "B" is a unit only after a space or a decimal number: in 0x1EB it is a hex digit.
        var s = SizeUnit.Replace(text.Trim(), string.Empty);
        if (!TryParseInteger(s, out var parsed) || parsed > int.MaxValue)
        {
            return false;
        }

        value = (int)parsed;
        return true;
    }

    /// <summary>An offset (<c>0x18</c>) or an inclusive byte range (<c>0x00-0x03</c>, <c>00h–03h</c>).</summary>
    public static bool TryParseOffset(string text, out int offset, out int? rangeSize)
    {
        offset = 0;
        rangeSize = null;
        var parts = RangeSeparator.Split(text.Trim());
        if (parts.Length == 1)
        {
            return TryParseSize(parts[0], out offset);
        }

        if (parts.Length != 2 || !TryParseSize(parts[0], out var first) || !TryParseSize(parts[1], out var last) || last < first)
        {
            return false;
        }

        offset = first;
        rangeSize = last - first + 1;
        return true;
    }

    /// <summary>One bit (<c>0</c>) or a range <c>high:low</c>; either order, with <c>:</c>, <c>-</c>, a dash or <c>..</c>.</summary>
    public static bool TryParseBits(string text, out int low, out int high)
    {
        low = high = 0;
        var s = BitsDecoration.Replace(text, string.Empty);
        var parts = RangeSeparator.Split(s.Trim());
        if (parts.Length == 0 || parts.Length > 2)
        {
            return false;
        }

        if (!TryParseDecimalBit(parts[0], out var a))
        {
            return false;
        }

        var b = a;
        if (parts.Length == 2 && !TryParseDecimalBit(parts[1], out b))
        {
            return false;
        }

        low = Math.Min(a, b);
        high = Math.Max(a, b);
        return true;
    }

    private static bool TryParseDecimalBit(string text, out int bit)
    {
        bit = 0;
        return TryParseInteger(text, out var value) && value <= 4096 && (bit = (int)value) >= 0;
    }

    /// <summary>
    /// An In/Out cell that may end in the marker of an output the SVSM also sets on failure:
    /// <c>OUT (also on error)</c>, <c>OUT, also on error</c>.
    /// </summary>
    public static bool TryParseDirection(string text, out RegisterDirection direction, out bool returnedOnError)
    {
        returnedOnError = false;
        var marker = text.IndexOf(AlsoOnError, StringComparison.OrdinalIgnoreCase);
        if (marker >= 0)
        {
            returnedOnError = true;
            text = (text.Substring(0, marker) + text.Substring(marker + AlsoOnError.Length)).Replace("(", string.Empty).Replace(")", string.Empty).Replace(",", string.Empty);
        }

        return TryParseDirection(text, out direction);
    }

    /// <summary>The words that mark an output returned also when the call fails.</summary>
    public const string AlsoOnError = "also on error";

    /// <summary>
    /// An Alignment cell: a power of two in bytes, then optionally what the SVSM answers a value not so aligned
    /// with, a result code (<c>4096 (SVSM_ERR_INVALID_ADDRESS)</c>, <c>4096, else `SVSM_ERR_INVALID_ADDRESS`</c>),
    /// or that it does not check (<c>8 (not checked)</c>). False when the cell holds anything else.
    /// </summary>
    public static bool TryParseAlignment(string text, SpecSpan span, out int alignment, out AlignmentNote? note)
    {
        note = null;
        var s = text.Trim();
        var end = 0;
        while (end < s.Length && s[end] != ',' && s[end] != '(' && !char.IsWhiteSpace(s[end]))
        {
            end++;
        }

        if (!TryParseSize(s.Substring(0, end), out alignment))
        {
            return false;
        }

        var rest = new string(s.Substring(end).Where(c => "`()*,".IndexOf(c) < 0).ToArray()).Trim();
        if (rest.Length == 0 || string.Equals(rest, "bytes", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        note = NoteOf(rest, span);
        return note is not null;
    }

    /// <summary>
    /// What follows an alignment: "else SVSM_ERR_X", "SVSM_ERR_X", or "not checked"; null for anything else.
    /// </summary>
    public static AlignmentNote? NoteOf(string words, SpecSpan span)
    {
        var rest = words.Trim();
        if (rest.StartsWith("else ", StringComparison.OrdinalIgnoreCase))
        {
            rest = rest.Substring(5).Trim();
        }

        if (string.Equals(rest, "not checked", StringComparison.OrdinalIgnoreCase) || string.Equals(rest, "unchecked", StringComparison.OrdinalIgnoreCase))
        {
            return new AlignmentNote(null, NotChecked: true, span);
        }

        if (rest.Length == 0 || !char.IsUpper(rest[0]))
        {
            return null;
        }

        foreach (var c in rest)
        {
            if (!(char.IsUpper(c) || char.IsDigit(c) || c == '_'))
            {
                return null;
            }
        }

        return new AlignmentNote(rest, NotChecked: false, span);
    }

    public static bool TryParseDirection(string text, out RegisterDirection direction)
    {
        var s = Without(text.ToUpperInvariant(), " `*_");
        switch (s)
        {
            case "IN":
            case "INPUT":
                direction = RegisterDirection.In;
                return true;
            case "OUT":
            case "OUTPUT":
                direction = RegisterDirection.Out;
                return true;
            case "IN/OUT":
            case "INOUT":
            case "IN-OUT":
            case "IN,OUT":
            case "IN+OUT":
            case "I/O":
            case "BOTH":
                direction = RegisterDirection.InOut;
                return true;
            default:
                direction = RegisterDirection.In;
                return false;
        }
    }

    /// <summary>The canonical register name: upper case, no spaces, no backticks, no leading <c>%</c>.</summary>
    public static string NormalizeRegister(string text) =>
        Without(text, " `%*").ToUpperInvariant();

    public static bool IsGeneralPurposeRegister(string canonical) => GeneralPurposeRegisters.Contains(canonical);

    /// <summary>The canonical names of the general-purpose registers (<c>RAX</c> ... <c>R15</c>).</summary>
    public static IEnumerable<string> GeneralPurposeRegisterNames => GeneralPurposeRegisters;

    /// <summary>For a 32- or 16-bit register name, the 64-bit one to suggest.</summary>
    public static string? WideNameOf(string canonical) =>
        NarrowRegisterNames.TryGetValue(canonical, out var wide) ? wide : null;

    public static bool IsPowerOfTwo(ulong value) => value != 0 && (value & (value - 1)) == 0;

    public static string Hex(int value) => "0x" + value.ToString("X2", CultureInfo.InvariantCulture);

    public static string ByteRange(int start, int length) =>
        length == 1 ? Hex(start) : Hex(start) + "-" + Hex(start + length - 1);

    public static string BitRange(int low, int high) =>
        low == high ? low.ToString(CultureInfo.InvariantCulture) : high.ToString(CultureInfo.InvariantCulture) + ":" + low.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Whether a C or Rust member name marks it reserved: <c>reserved</c>, <c>rsvd</c> or <c>mbz</c>, alone or
    /// numbered (<c>reserved_1</c>, <c>rsvd2</c>, <c>_reserved</c>); also what <see cref="IsReserved"/> accepts.
    /// </summary>
    public static bool IsReservedIdentifier(string name) =>
        IsReserved(name) || ReservedIdentifier.IsMatch(name);

    /// <summary>Whether a name or description marks something reserved: it starts with Reserved, RSVD or MBZ.</summary>
    public static bool IsReserved(string text) =>
        ReservedWord.IsMatch(text);

    /// <summary>Whether a <c>First version</c> cell says "every version": a dash, <c>all</c>, <c>any</c> or <c>n/a</c>.</summary>
    public static bool IsNotApplicable(string text) =>
        Common.Words.Key(text) is "" or "all" or "any" or "na" or "every";

    /// <summary>The text without white space and the characters in <paramref name="characters"/>.</summary>
    private static string Without(string text, string characters)
    {
        // A register or direction cell is usually already bare ("RCX", "In"): then it is returned as it is.
        var keep = 0;
        foreach (var c in text)
        {
            keep += !char.IsWhiteSpace(c) && characters.IndexOf(c) < 0 ? 1 : 0;
        }

        if (keep == text.Length)
        {
            return text;
        }

        var chars = new char[keep];
        var at = 0;
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c) && characters.IndexOf(c) < 0)
            {
                chars[at++] = c;
            }
        }

        return new string(chars);
    }
}
