using System.Collections.Generic;
using System.Text;

namespace Svsm.Bindings.Spec.Common;

/// <summary>How names and headers split into words and compare: shared by the reader's stages and the emitters.</summary>
internal static class Words
{
    /// <summary>Runs of ASCII letters and digits; with <paramref name="splitUnderscores"/> also split at <c>_</c> and case changes.</summary>
    public static List<string> Split(string text, bool splitUnderscores = false)
    {
        // A word is a run of the text: kept as where it starts, and cut out when it ends.
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];

            // A possessive ("the counter's value") ends its word and adds none: not "counter s value".
            if ((c == '\'' || c == '\u2019') && i + 1 < text.Length && (text[i + 1] == 's' || text[i + 1] == 'S') &&
                (i + 2 == text.Length || !char.IsLetterOrDigit(text[i + 2])))
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
                (char.IsLower(text[i - 1]) || (i + 1 < text.Length && char.IsLower(text[i + 1]) && char.IsUpper(text[i - 1]))))
            {
                Flush(i);
            }

            if (start < 0)
            {
                start = i;
            }
        }

        Flush(text.Length);
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
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c < 128 && char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }

    /// <summary>Runs of white space as one space, trimmed ("unsigned   long" is "unsigned long").</summary>
    public static string CollapseSpaces(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
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
