using System;
using System.Collections.Generic;
using System.Globalization;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Recognising;

namespace Svsm.Bindings.Spec.Building;

/// <summary>What an expression may ask of the spec: the value of a constant, the size of a type.</summary>
internal interface IExpressionScope
{
    /// <summary>The constant's value, or null with <paramref name="why"/> when the spec has none by that name.</summary>
    ulong? Constant(string name, out string why);

    /// <summary>The size of a type as <c>sizeof</c> or <c>size_of::&lt;T&gt;()</c> names it, or null.</summary>
    int? SizeOf(string type);
}

/// <summary>
/// Evaluates an integer constant as its spec writes it. Every dialect has integer literals (decimal, <c>0x</c>
/// hex), parentheses, <c>|</c>, <c>^</c>, <c>&amp;</c>, <c>&lt;&lt;</c>, <c>&gt;&gt;</c>, <c>+</c>, <c>-</c>,
/// <c>*</c>, <c>/</c>, <c>%</c>, <c>~</c> and other constants of the spec. Tables add <c>h</c> hex; C adds octal,
/// character literals, casts, <c>BIT(n)</c>, <c>GENMASK(h, l)</c> and <c>sizeof</c>; Rust adds type suffixes,
/// <c>_</c> separators, <c>!</c> as bitwise not, <c>as</c> casts, <c>u32::MAX</c> and <c>size_of::&lt;T&gt;()</c>.
/// Arithmetic is unsigned 64-bit; an overflow or a negative difference is an error, not a wrapped value.
/// </summary>
internal sealed class ConstantExpression
{
    // Deeper nesting than any real constant, and shallow enough that a hostile spec cannot exhaust the stack.
    private const int MaxDepth = 64;

    private static readonly Dictionary<string, int> CastWidths = new(StringComparer.Ordinal)
    {
        ["u8"] = 8, ["__u8"] = 8, ["uint8_t"] = 8, ["char"] = 8, ["unsigned char"] = 8, ["i8"] = 8, ["s8"] = 8, ["__s8"] = 8, ["int8_t"] = 8, ["signed char"] = 8,
        ["u16"] = 16, ["__u16"] = 16, ["uint16_t"] = 16, ["i16"] = 16, ["s16"] = 16, ["__s16"] = 16, ["int16_t"] = 16, ["short"] = 16, ["unsigned short"] = 16,
        ["u32"] = 32, ["__u32"] = 32, ["uint32_t"] = 32, ["i32"] = 32, ["s32"] = 32, ["__s32"] = 32, ["int32_t"] = 32, ["int"] = 32, ["unsigned"] = 32, ["unsigned int"] = 32,
        ["u64"] = 64, ["__u64"] = 64, ["uint64_t"] = 64, ["i64"] = 64, ["s64"] = 64, ["__s64"] = 64, ["int64_t"] = 64, ["long"] = 64, ["unsigned long"] = 64,
        ["long long"] = 64, ["unsigned long long"] = 64, ["usize"] = 64, ["isize"] = 64, ["size_t"] = 64, ["u128"] = 64, ["i128"] = 64,
    };

    private readonly string text;
    private readonly IExpressionScope scope;
    private readonly DeclarationStyle dialect;
    private int position;
    private int depth;

    private ConstantExpression(string text, IExpressionScope scope, DeclarationStyle dialect)
    {
        this.text = text;
        this.scope = scope;
        this.dialect = dialect;
    }

    private bool IsRust => dialect == DeclarationStyle.Rust;

    private bool IsC => dialect == DeclarationStyle.C;

    /// <summary>The value of <paramref name="text"/>, or null with <paramref name="error"/> saying why.</summary>
    public static ulong? Evaluate(string text, IExpressionScope scope, DeclarationStyle dialect, out string error)
    {
        var parser = new ConstantExpression(text, scope, dialect);
        try
        {
            var value = parser.Or();
            parser.SkipSpaces();
            if (parser.position != text.Length)
            {
                throw new FormatException("unexpected '" + text.Substring(parser.position) + "'");
            }

            error = string.Empty;
            return value;
        }
        catch (FormatException exception)
        {
            error = exception.Message;
            return null;
        }
    }

    public static ulong? Evaluate(RawExpression expression, IExpressionScope scope, out string error) =>
        Evaluate(expression.Text, scope, expression.Style, out error);

    private ulong Or()
    {
        var value = Xor();
        while (Accept("|"))
        {
            value |= Xor();
        }

        return value;
    }

    private ulong Xor()
    {
        var value = And();
        while (Accept("^"))
        {
            value ^= And();
        }

        return value;
    }

    private ulong And()
    {
        var value = Shift();
        while (Accept("&"))
        {
            value &= Shift();
        }

        return value;
    }

    private ulong Shift()
    {
        var value = Sum();
        while (true)
        {
            if (Accept("<<"))
            {
                value = ShiftBy(value, Sum(), left: true);
            }
            else if (Accept(">>"))
            {
                value = ShiftBy(value, Sum(), left: false);
            }
            else
            {
                return value;
            }
        }
    }

    private static ulong ShiftBy(ulong value, ulong count, bool left)
    {
        if (count > 63)
        {
            throw new FormatException("a shift by " + count.ToString(CultureInfo.InvariantCulture) + " bits leaves nothing of a 64-bit value");
        }

        if (left && count > 0 && (value >> (64 - (int)count)) != 0)
        {
            throw new FormatException("the shift overflows 64 bits");
        }

        return left ? value << (int)count : value >> (int)count;
    }

    private ulong Sum()
    {
        var value = Product();
        while (true)
        {
            if (Accept("+"))
            {
                var addend = Product();
                if (value + addend < value)
                {
                    throw new FormatException("the sum overflows 64 bits");
                }

                value += addend;
            }
            else if (Accept("-"))
            {
                var subtrahend = Product();
                if (subtrahend > value)
                {
                    throw new FormatException("the difference is negative");
                }

                value -= subtrahend;
            }
            else
            {
                return value;
            }
        }
    }

    private ulong Product()
    {
        var value = Cast();
        while (true)
        {
            if (Accept("*"))
            {
                var factor = Cast();
                if (factor != 0 && value > ulong.MaxValue / factor)
                {
                    throw new FormatException("the product overflows 64 bits");
                }

                value *= factor;
            }
            else if (Accept("/"))
            {
                var divisor = Cast();
                value = divisor == 0 ? throw new FormatException("a division by zero") : value / divisor;
            }
            else if (Accept("%"))
            {
                var divisor = Cast();
                value = divisor == 0 ? throw new FormatException("a division by zero") : value % divisor;
            }
            else
            {
                return value;
            }
        }
    }

    // Rust's "x as u32" binds tighter than * and looser than unary operators.
    private ulong Cast()
    {
        var value = Unary();
        while (IsRust && AcceptWord("as"))
        {
            value = Truncate(value, ReadWord());
        }

        return value;
    }

    private ulong Unary()
    {
        if (++depth > MaxDepth)
        {
            throw new FormatException("the expression nests deeper than " + MaxDepth.ToString(CultureInfo.InvariantCulture) + " levels");
        }

        try
        {
            return Primary();
        }
        finally
        {
            depth--;
        }
    }

    private ulong Primary()
    {
        if (Accept("~"))
        {
            return ~Unary();
        }

        if (Accept("!"))
        {
            // Rust's ! is bitwise; C's is logical.
            var operand = Unary();
            return IsRust ? ~operand : operand == 0 ? 1UL : 0UL;
        }

        // Unary minus wraps as C's unsigned arithmetic does: -1 is 0xFFFFFFFFFFFFFFFF.
        if (Accept("-"))
        {
            return unchecked(0UL - Unary());
        }

        if (Accept("+"))
        {
            return Unary();
        }

        if (Accept("("))
        {
            if (IsC && TryCastType() is { } castType)
            {
                return Truncate(Unary(), castType);
            }

            var value = Or();
            if (!Accept(")"))
            {
                throw new FormatException("a ')' is missing");
            }

            return value;
        }

        SkipSpaces();
        if (position < text.Length && text[position] == '\'' && dialect != DeclarationStyle.Table)
        {
            return Character();
        }

        var token = ReadWord();
        if (char.IsDigit(token[0]))
        {
            return Number(token);
        }

        if (IsRust && Accept("::"))
        {
            return RustPath(token);
        }

        if (IsC && token == "sizeof")
        {
            return SizeOf(ReadTypeInParentheses());
        }

        if (Accept("("))
        {
            return Call(token);
        }

        return scope.Constant(token, out var why) ?? throw new FormatException(why);
    }

    private ulong Number(string token)
    {
        var digits = token.Replace("_", string.Empty);
        var radix = 10;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            radix = 16;
            digits = digits.Substring(2);
        }
        else if (digits.StartsWith("0b", StringComparison.OrdinalIgnoreCase) && dialect != DeclarationStyle.Table)
        {
            radix = 2;
            digits = digits.Substring(2);
        }
        else if (digits.StartsWith("0o", StringComparison.OrdinalIgnoreCase) && IsRust)
        {
            radix = 8;
            digits = digits.Substring(2);
        }
        else if (IsC && digits.Length > 1 && digits[0] == '0' && char.IsDigit(digits[1]))
        {
            radix = 8;
            digits = digits.Substring(1);
        }

        digits = IsRust ? StripRustSuffix(digits) : digits.TrimEnd(CSuffixes);
        if (radix == 10 && dialect == DeclarationStyle.Table)
        {
            // Tables also write assembler hex (18h).
            if (digits.Length > 0 && CellValues.TryParseInteger(digits, out var cell))
            {
                return cell;
            }

            throw new FormatException("'" + token + "' is not a number");
        }

        if (digits.Length == 0)
        {
            throw new FormatException("'" + token + "' is not a number");
        }

        ulong value = 0;
        foreach (var c in digits)
        {
            var digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
            if (digit >= radix)
            {
                throw new FormatException("'" + token + "' is not a number");
            }

            if (value > (ulong.MaxValue - (ulong)digit) / (ulong)radix)
            {
                throw new FormatException("'" + token + "' does not fit in 64 bits");
            }

            value = (value * (ulong)radix) + (ulong)digit;
        }

        return value;
    }

    private static readonly char[] CSuffixes = { 'u', 'U', 'l', 'L' };

    private static readonly string[] RustSuffixes = { "usize", "isize", "u128", "i128", "u64", "i64", "u32", "i32", "u16", "i16", "u8", "i8" };

    private static string StripRustSuffix(string digits)
    {
        // Every suffix has a 'u' or an 'i', and neither is a digit in any radix, so 0x1u8 is 1 as a u8, as rustc reads it.
        if (digits.IndexOf('u') < 0 && digits.IndexOf('i') < 0)
        {
            return digits;
        }

        foreach (var suffix in RustSuffixes)
        {
            if (digits.EndsWith(suffix, StringComparison.Ordinal) && digits.Length > suffix.Length)
            {
                return digits.Substring(0, digits.Length - suffix.Length);
            }
        }

        return digits;
    }

    private ulong Character()
    {
        var start = position;
        position++;
        ulong value;
        if (position < text.Length && text[position] == '\\')
        {
            position++;
            var escape = position < text.Length ? text[position++] : '\0';
            value = escape switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '0' => 0,
                '\\' => '\\',
                '\'' => '\'',
                'x' => ReadHexEscape(),
                _ => escape,
            };
        }
        else
        {
            value = position < text.Length ? text[position++] : throw new FormatException("a character literal is cut short");
        }

        if (position >= text.Length || text[position] != '\'')
        {
            throw new FormatException("'" + text.Substring(start) + "' is not a character literal");
        }

        position++;
        return value;
    }

    private ulong ReadHexEscape()
    {
        var start = position;
        while (position < text.Length && position - start < 16 && Uri.IsHexDigit(text[position]))
        {
            position++;
        }

        return position > start && ulong.TryParse(text.Substring(start, position - start), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException("'\\x' is followed by no hex digit");
    }

    /// <summary><c>u32::MAX</c>, <c>core::mem::size_of::&lt;T&gt;()</c>, <c>mem::size_of::&lt;T&gt;()</c>.</summary>
    private ulong RustPath(string first)
    {
        var segments = new List<string> { first, ReadWord() };
        while (Accept("::"))
        {
            if (Accept("<"))
            {
                var type = ReadUntil('>');
                Accept(">");
                if (!Accept("(") || !Accept(")"))
                {
                    throw new FormatException("size_of::<T> is called as size_of::<T>()");
                }

                if (segments[segments.Count - 1] is "size_of" or "align_of")
                {
                    return SizeOf(type.Trim());
                }

                throw new FormatException("'" + string.Join("::", segments) + "' is not a function the reader evaluates");
            }

            segments.Add(ReadWord());
        }

        var last = segments[segments.Count - 1];
        if (segments.Count == 2 && last is "MAX" or "MIN" && CastWidths.TryGetValue(segments[0], out var bits))
        {
            var signed = segments[0][0] == 'i';
            return last == "MIN" ? (signed ? 1UL << (bits - 1) : 0) : (signed ? (1UL << (bits - 1)) - 1 : bits == 64 ? ulong.MaxValue : (1UL << bits) - 1);
        }

        return scope.Constant(last, out var why) ?? throw new FormatException(why);
    }

    /// <summary>The kernel's <c>BIT(n)</c>, <c>BIT_ULL(n)</c>, <c>GENMASK(h, l)</c> and <c>GENMASK_ULL(h, l)</c>.</summary>
    private ulong Call(string name)
    {
        var arguments = new List<ulong>();
        if (!Accept(")"))
        {
            do
            {
                arguments.Add(Or());
            }
            while (Accept(","));

            if (!Accept(")"))
            {
                throw new FormatException("a ')' is missing after the arguments of " + name);
            }
        }

        switch (name)
        {
            case "BIT" or "BIT_ULL" when arguments.Count == 1:
                return ShiftBy(1, arguments[0], left: true);
            case "GENMASK" or "GENMASK_ULL" when arguments.Count == 2:
                if (arguments[0] > 63 || arguments[1] > arguments[0])
                {
                    throw new FormatException(name + "(" + arguments[0].ToString(CultureInfo.InvariantCulture) + ", " + arguments[1].ToString(CultureInfo.InvariantCulture) + ") is not a mask of 64 bits");
                }

                return (ulong.MaxValue << (int)arguments[1]) & (ulong.MaxValue >> (63 - (int)arguments[0]));
            default:
                throw new FormatException("'" + name + "(...)' is not a macro the reader evaluates (it knows BIT, BIT_ULL, GENMASK, GENMASK_ULL and sizeof)");
        }
    }

    private ulong SizeOf(string type) =>
        scope.SizeOf(type) is { } size ? (ulong)size : throw new FormatException("the size of '" + type + "' is not known: it is not a type of this spec");

    private string ReadTypeInParentheses()
    {
        if (!Accept("("))
        {
            throw new FormatException("sizeof takes a type in parentheses");
        }

        var type = ReadUntil(')');
        Accept(")");
        return type.Trim();
    }

    /// <summary>After a '(' in C: a cast's type and its ')' when what follows is a type name, else null (and nothing read).</summary>
    private string? TryCastType()
    {
        var saved = position;
        var close = text.IndexOf(')', position);
        if (close > position)
        {
            var inner = Common.Words.CollapseSpaces(text.Substring(position, close - position));
            if (CastWidths.ContainsKey(inner))
            {
                position = close + 1;
                return inner;
            }
        }

        position = saved;
        return null;
    }

    private static ulong Truncate(ulong value, string type)
    {
        if (!CastWidths.TryGetValue(type, out var bits))
        {
            throw new FormatException("a cast to '" + type + "' is not an integer cast the reader evaluates");
        }

        return bits == 64 ? value : value & ((1UL << bits) - 1);
    }

    private string ReadUntil(char end)
    {
        var start = position;
        var nesting = 0;
        while (position < text.Length && (text[position] != end || nesting > 0))
        {
            nesting += text[position] == '(' || text[position] == '<' ? 1 : text[position] == ')' || text[position] == '>' ? -1 : 0;
            position++;
        }

        return text.Substring(start, position - start);
    }

    private string ReadWord()
    {
        SkipSpaces();
        var start = position;
        while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] == '_'))
        {
            position++;
        }

        if (position == start)
        {
            throw new FormatException(position < text.Length ? "unexpected '" + text[position] + "'" : "a value is missing");
        }

        return text.Substring(start, position - start);
    }

    private bool AcceptWord(string word)
    {
        SkipSpaces();
        if (string.CompareOrdinal(text, position, word, 0, word.Length) != 0 ||
            (position + word.Length < text.Length && (char.IsLetterOrDigit(text[position + word.Length]) || text[position + word.Length] == '_')))
        {
            return false;
        }

        position += word.Length;
        return true;
    }

    private bool Accept(string symbol)
    {
        SkipSpaces();
        if (string.CompareOrdinal(text, position, symbol, 0, symbol.Length) != 0)
        {
            return false;
        }

        // "|" followed by "|", "&" by "&", "<" by "<" are other operators; let their own rule or the caller take them.
        if (symbol.Length == 1 && position + 1 < text.Length && text[position + 1] == symbol[0] && (symbol == "|" || symbol == "&" || symbol == "<" || symbol == ">"))
        {
            return false;
        }

        if (symbol == "!" && position + 1 < text.Length && text[position + 1] == '=')
        {
            return false;
        }

        position += symbol.Length;
        return true;
    }

    private void SkipSpaces()
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }
    }
}
