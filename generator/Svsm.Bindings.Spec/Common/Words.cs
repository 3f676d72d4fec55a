using System.Collections.Generic;
using System.Text;

namespace Svsm.Bindings.Spec.Common;

/// <summary>How names and headers split into words and compare: shared by the reader's stages and the emitters.</summary>
internal static class Words
{
    /// <summary>Runs of ASCII letters and digits; with <paramref name="splitUnderscores"/> also split at <c>_</c> and case changes.</summary>
    public static List<string> Split(string text, bool splitUnderscores = false)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var isWordChar = c < 128 && (char.IsLetterOrDigit(c) || (!splitUnderscores && c == '_'));
            if (!isWordChar)
            {
                Flush();
                continue;
            }

            // In a Name cell, "FirstIndex" and "bufferGPA" split at case changes.
            if (splitUnderscores && current.Length > 0 && char.IsUpper(c) &&
                (char.IsLower(current[current.Length - 1]) || (i + 1 < text.Length && char.IsLower(text[i + 1]) && char.IsUpper(current[current.Length - 1]))))
            {
                Flush();
            }

            current.Append(c);
        }

        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
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
}
