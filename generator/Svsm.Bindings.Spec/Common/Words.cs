using System.Collections.Generic;

namespace Svsm.Bindings.Spec.Common;

/// <summary>How names and headers split into words and compare: shared by the reader's stages and the emitters.</summary>
internal static class Words
{
    /// <summary>Runs of ASCII letters and digits; with <paramref name="splitUnderscores"/> also split at <c>_</c> and case changes.</summary>
    public static List<string> Split(string text, bool splitUnderscores = false) => Split(text, text.Length, splitUnderscores);

    /// <summary>The words of the first <paramref name="length"/> characters of <paramref name="text"/>, as <see cref="Split(string, bool)"/> gives them.</summary>
    public static List<string> Split(string text, int length, bool splitUnderscores = false)
    {
        // A word is a run of the text: kept as where it starts, and cut out when it ends.
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i < length; i++)
        {
            var c = text[i];

            // A possessive ("the counter's value") ends its word and adds none: not "counter s value".
            if ((c == '\'' || c == '\u2019') && i + 1 < length && (text[i + 1] == 's' || text[i + 1] == 'S') &&
                (i + 2 == length || !char.IsLetterOrDigit(text[i + 2])))
            {
                Flush(i);
                i++;
                continue;
            }

            var isWordChar = c < 128 && (char.IsLetterOrDigit(c) || (!splitUnderscores && c == '_'));
            if (!isWordChar)
            {
                Flush(i);
                continue;
            }

            // In a Name cell, "FirstIndex" and "bufferGPA" split at case changes.
            if (splitUnderscores && start >= 0 && char.IsUpper(c) &&
                (char.IsLower(text[i - 1]) || (i + 1 < length && char.IsLower(text[i + 1]) && char.IsUpper(text[i - 1]))))
            {
                Flush(i);
            }

            if (start < 0)
            {
                start = i;
            }
        }

        Flush(length);
        return words;

        void Flush(int end)
        {
            if (start >= 0)
            {
                words.Add(text.Substring(start, end - start));
                start = -1;
            }
        }
    }


    /// <summary>A comparison key: lower-case ASCII letters and digits only ("Size (Bytes)" is "sizebytes", "snp_report_req" is "snpreportreq").</summary>
    public static string Key(string text)
    {
        // Most texts compared are short; one that is its own key already (a lower-case word) is not copied.
        var already = true;
        foreach (var c in text)
        {
            if (!IsKeyCharacter(c) || (c >= 'A' && c <= 'Z'))
            {
                already = false;
                break;
            }
        }

        if (already)
        {
            return text;
        }

        var buffer = Buffer(text.Length);
        var length = 0;
        foreach (var c in text)
        {
            if (IsKeyCharacter(c))
            {
                buffer[length++] = c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
            }
        }

        return length == 0 ? string.Empty : new string(buffer, 0, length);
    }

    private static bool IsKeyCharacter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

    // A key or collapsed text is built in one buffer per thread and copied out once.
    [System.ThreadStatic]
    private static char[]? buffer;

    private static char[] Buffer(int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new char[System.Math.Max(256, length)];
        }

        return buffer;
    }

    /// <summary>Runs of white space as one space, trimmed ("unsigned   long" is "unsigned long").</summary>
    public static string CollapseSpaces(string text)
    {
        // A text with no white space but single spaces between words is returned as it is.
        var already = text.Length == 0 || (text[0] != ' ' && text[text.Length - 1] != ' ');
        for (var i = 0; already && i < text.Length; i++)
        {
            var c = text[i];
            already = c == ' ' ? text[i - 1] != ' ' : !char.IsWhiteSpace(c);
        }

        if (already)
        {
            return text;
        }

        var buffer = Buffer(text.Length);
        var length = 0;
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = length > 0;
                continue;
            }

            if (space)
            {
                buffer[length++] = ' ';
                space = false;
            }

            buffer[length++] = c;
        }

        return new string(buffer, 0, length);
    }

    /// <summary>Whether a text is a C identifier.</summary>
    public static bool IsIdentifier(string text)
    {
        if (text.Length == 0 || !(char.IsLetter(text[0]) && text[0] < 128 || text[0] == '_'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(c < 128 && (char.IsLetterOrDigit(c) || c == '_')))
            {
                return false;
            }
        }

        return true;
    }
}
