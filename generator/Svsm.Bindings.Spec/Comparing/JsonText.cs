using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Svsm.Bindings.Spec.Comparing;

/// <summary>
/// The little JSON a shipped baseline needs, read and written without a JSON library (the source generator loads
/// this assembly into the compiler, which ships none for netstandard2.0): objects, arrays, strings, integers, true,
/// false and null. Anything else is a <see cref="JsonTextException"/> with where it stands.
/// </summary>
internal static class JsonText
{
    public static object? Parse(string text)
    {
        var reader = new Reader(text);
        var value = reader.Value(depth: 0);
        reader.SkipSpace();
        if (!reader.AtEnd)
        {
            throw reader.Error("text after the JSON value");
        }

        return value;
    }

    public static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        quoted.Append(c);
                    }

                    break;
            }
        }

        return quoted.Append('"').ToString();
    }

    private sealed class Reader(string text)
    {
        private const int MaxDepth = 64;
        private int at;

        public bool AtEnd => at >= text.Length;

        public JsonTextException Error(string what)
        {
            var line = 1;
            var column = 1;
            for (var i = 0; i < at && i < text.Length; i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                    column = 1;
                }
                else
                {
                    column++;
                }
            }

            return new JsonTextException($"{what} at line {line}, column {column}");
        }

        public void SkipSpace()
        {
            while (at < text.Length && text[at] is ' ' or '\t' or '\r' or '\n')
            {
                at++;
            }
        }

        public object? Value(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error("JSON nested too deeply");
            }

            SkipSpace();
            if (AtEnd)
            {
                throw Error("the JSON ends early");
            }

            switch (text[at])
            {
                case '{': return Object(depth);
                case '[': return Array(depth);
                case '"': return String();
                case 't': return Word("true", true);
                case 'f': return Word("false", false);
                case 'n': return Word("null", null);
                default: return Number();
            }
        }

        private Dictionary<string, object?> Object(int depth)
        {
            var members = new Dictionary<string, object?>();
            at++;
            SkipSpace();
            if (!AtEnd && text[at] == '}')
            {
                at++;
                return members;
            }

            while (true)
            {
                SkipSpace();
                if (AtEnd || text[at] != '"')
                {
                    throw Error("expected a member name");
                }

                var name = String();
                SkipSpace();
                Expect(':');
                members[name] = Value(depth + 1);
                SkipSpace();
                if (!AtEnd && text[at] == ',')
                {
                    at++;
                    continue;
                }

                Expect('}');
                return members;
            }
        }

        private List<object?> Array(int depth)
        {
            var items = new List<object?>();
            at++;
            SkipSpace();
            if (!AtEnd && text[at] == ']')
            {
                at++;
                return items;
            }

            while (true)
            {
                items.Add(Value(depth + 1));
                SkipSpace();
                if (!AtEnd && text[at] == ',')
                {
                    at++;
                    continue;
                }

                Expect(']');
                return items;
            }
        }

        private string String()
        {
            at++;
            var value = new StringBuilder();
            while (true)
            {
                if (AtEnd)
                {
                    throw Error("a string that does not end");
                }

                var c = text[at++];
                if (c == '"')
                {
                    return value.ToString();
                }

                if (c != '\\')
                {
                    value.Append(c);
                    continue;
                }

                if (AtEnd)
                {
                    throw Error("a string that does not end");
                }

                var escaped = text[at++];
                switch (escaped)
                {
                    case '"': value.Append('"'); break;
                    case '\\': value.Append('\\'); break;
                    case '/': value.Append('/'); break;
                    case 'b': value.Append('\b'); break;
                    case 'f': value.Append('\f'); break;
                    case 'n': value.Append('\n'); break;
                    case 'r': value.Append('\r'); break;
                    case 't': value.Append('\t'); break;
                    case 'u' when at + 4 <= text.Length && int.TryParse(text.Substring(at, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code):
                        value.Append((char)code);
                        at += 4;
                        break;
                    default:
                        throw Error("a bad escape in a string");
                }
            }
        }

        private object Number()
        {
            var start = at;
            if (!AtEnd && text[at] == '-')
            {
                at++;
            }

            while (!AtEnd && char.IsDigit(text[at]))
            {
                at++;
            }

            var digits = text.Substring(start, at - start);
            if (!AtEnd && text[at] is '.' or 'e' or 'E')
            {
                throw Error("a number that is not an integer");
            }

            if (ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var unsigned))
            {
                return unsigned;
            }

            if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var signed))
            {
                return signed;
            }

            at = start;
            throw Error("expected a JSON value");
        }

        private object? Word(string word, object? value)
        {
            if (string.CompareOrdinal(text, at, word, 0, word.Length) != 0)
            {
                throw Error("expected a JSON value");
            }

            at += word.Length;
            return value;
        }

        private void Expect(char c)
        {
            if (AtEnd || text[at] != c)
            {
                throw Error("expected '" + c + "'");
            }

            at++;
        }
    }
}

/// <summary>JSON that <see cref="JsonText"/> cannot read, or that is not a baseline.</summary>
public sealed class JsonTextException(string message) : System.Exception(message);
