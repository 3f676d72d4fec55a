using System;
using System.Collections.Generic;
using System.Globalization;

namespace Svsm.Bindings.Spec.Building;

/// <summary>
/// Evaluates a constant's value as C writes it: integer literals (decimal, <c>0x</c> hex, <c>h</c> hex, with
/// <c>U</c>/<c>L</c> suffixes), parentheses, <c>&lt;&lt;</c>, <c>&gt;&gt;</c>, <c>|</c>, <c>&amp;</c>, <c>+</c>,
/// <c>-</c>, <c>*</c>, <c>/</c>, <c>~</c>, and the names of constants defined before. Arithmetic is unsigned 64-bit, as the values are.
/// </summary>
internal sealed class ConstantExpression
{
    private readonly string text;
    private readonly Func<string, ulong?> lookup;
    private int position;
    private int depth;

    // Deeper nesting than any real constant, and shallow enough that a hostile spec cannot exhaust the stack.
    private const int MaxDepth = 64;

    private ConstantExpression(string text, Func<string, ulong?> lookup)
    {
        this.text = text;
        this.lookup = lookup;
    }

    /// <summary>The value of <paramref name="text"/>, or null with <paramref name="error"/> saying why.</summary>
    public static ulong? Evaluate(string text, Func<string, ulong?> lookup, out string error)
    {
        var parser = new ConstantExpression(text, lookup);
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

    private ulong Or()
    {
        var value = And();
        while (Accept("|"))
        {
            value |= And();
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
        var value = Unary();
        while (true)
        {
            if (Accept("*"))
            {
                var factor = Unary();
                if (factor != 0 && value > ulong.MaxValue / factor)
                {
                    throw new FormatException("the product overflows 64 bits");
                }

                value *= factor;
            }
            else if (Accept("/"))
            {
                var divisor = Unary();
                value = divisor == 0 ? throw new FormatException("a division by zero") : value / divisor;
            }
            else
            {
                return value;
            }
        }
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
            var value = Or();
            if (!Accept(")"))
            {
                throw new FormatException("a ')' is missing");
            }

            return value;
        }

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

        var token = text.Substring(start, position - start);
        if (char.IsDigit(token[0]))
        {
            var digits = token.TrimEnd('u', 'U', 'l', 'L');
            if (digits.Length > 0 && CellValues.TryParseInteger(digits, out var number))
            {
                return number;
            }

            throw new FormatException("'" + token + "' is not a number");
        }

        return lookup(token) ?? throw new FormatException("'" + token + "' is not a constant defined above it");
    }

    private bool Accept(string symbol)
    {
        SkipSpaces();
        if (string.CompareOrdinal(text, position, symbol, 0, symbol.Length) != 0)
        {
            return false;
        }

        // "<" alone or "|" followed by "|" are not operators we know; let the caller report them.
        if (symbol.Length == 1 && position + 1 < text.Length && text[position + 1] == symbol[0] && (symbol == "|" || symbol == "&"))
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
