using System;
using System.Collections.Generic;
using Svsm.Bindings.Spec.Common;

namespace Svsm.Bindings.Spec.Building;

/// <summary>
/// Gives fields and registers without a <c>Name</c> cell an identifier derived from their description.
/// The rule is stated in docs/spec-format.md ("Names"); keep the two in step.
/// </summary>
internal static class NameDeriver
{
    // Words that end the noun phrase a name is taken from.
    private static readonly HashSet<string> StopWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "of", "to", "from", "into", "in", "with", "for", "that", "which", "where", "when", "if", "and", "or",
        "at", "on", "by", "as", "is", "are", "was", "must", "will", "can", "may", "should", "used", "than",
        "containing", "holding", "describing", "pointing", "per",
    };

    private static readonly HashSet<string> Articles = new(StringComparer.OrdinalIgnoreCase) { "a", "an", "the" };

    // Qualifiers dropped from the front of a longer phrase: "Byte offset" is an offset, "Array index" an index.
    private static readonly HashSet<string> LeadingQualifiers = new(StringComparer.OrdinalIgnoreCase) { "array", "byte" };

    private static readonly HashSet<string> IrregularParticiples = new(StringComparer.OrdinalIgnoreCase)
    {
        "written", "read", "sent", "given", "taken", "done", "made", "known", "shown", "held", "left", "found", "built", "got", "gotten", "set", "put",
    };

    /// <summary>The identifier (camelCase) and the phrase it came from, for a description.</summary>
    public static (string Identifier, string Phrase) FromDescription(string description)
    {
        var phrase = PhraseOf(description);
        return phrase is null ? ("value", "value") : phrase.Count == 0 ? ("reserved", "Reserved") : (ToCamelCase(phrase), string.Join(" ", phrase));
    }

    /// <summary>The identifier <see cref="FromDescription"/> gives, without the phrase it came from.</summary>
    public static string IdentifierOf(string description)
    {
        var phrase = PhraseOf(description);
        return phrase is null ? "value" : phrase.Count == 0 ? "reserved" : ToCamelCase(phrase);
    }

    /// <summary>An identifier written in a <c>Name</c> cell (<c>num_entries</c>, <c>FirstIndex</c>, <c>buffer GPA</c>) in camelCase.</summary>
    public static string FromNameCell(string name) => ToCamelCase(Words.Split(name, splitUnderscores: true));

    // The phrase a name is made of; null for a description without words, empty for a reserved one.
    private static List<string>? PhraseOf(string description)
    {
        var words = Words.Split(description, FirstClauseLength(description));
        if (words.Count == 0)
        {
            return null;
        }

        if (string.Equals(words[0], "reserved", StringComparison.OrdinalIgnoreCase))
        {
            return new List<string>();
        }

        return AddressPhrase(words) ?? CountPhrase(words) ?? NounPhrase(words, 0);
    }

    // "GPA of a buffer to store array entries" -> buffer GPA; "Guest physical address of the request" -> request GPA.
    private static List<string>? AddressPhrase(List<string> words)
    {
        // The head is the words before the first "of" ("Pointer to" too), at most three of them.
        var of = -1;
        for (var i = 0; i < words.Count && i <= 3; i++)
        {
            if (Is(words[i], "of") || (i == 1 && Is(words[i], "to") && Is(words[0], "pointer")))
            {
                of = i;
                break;
            }
        }

        if (of <= 0)
        {
            return null;
        }

        string suffix;
        if ((of == 1 && Is(words[0], "gpa")) ||
            (of == 2 && Is(words[1], "address") && (Is(words[0], "physical") || Is(words[0], "gpa"))) ||
            (of == 3 && Is(words[0], "guest") && Is(words[1], "physical") && Is(words[2], "address")))
        {
            suffix = "gpa";
        }
        else if ((of == 1 && (Is(words[0], "address") || Is(words[0], "pointer"))) || (of == 2 && Is(words[0], "virtual") && Is(words[1], "address")))
        {
            suffix = "address";
        }
        else
        {
            return null;
        }

        var noun = NounPhrase(words, of + 1, dropQualifiers: false);
        if (noun.Count == 0 || noun[0] == "value")
        {
            return null;
        }

        noun.Add(suffix);
        return noun;
    }

    // Words are ASCII letters and digits (Words.Split), so ignoring case is ASCII's.
    private static bool Is(string word, string lower) => string.Equals(word, lower, StringComparison.OrdinalIgnoreCase);

    // "Number of bytes to read" -> bytes to read; "Number of array entries returned" -> entries returned;
    // "Number of array entries to return" -> max entries (the caller bounds what comes back).
    private static List<string>? CountPhrase(List<string> words)
    {
        if (words.Count < 3 || !Is(words[1], "of") || !(Is(words[0], "number") || Is(words[0], "count")))
        {
            return null;
        }

        var rest = new List<string>(words.Count - 2);
        for (var i = 2; i < words.Count; i++)
        {
            if (!Articles.Contains(words[i]))
            {
                rest.Add(words[i]);
            }
        }

        var end = 0;
        while (end < rest.Count && !StopWords.Contains(rest[end]) && !IsParticiple(rest[end], end))
        {
            end++;
        }

        if (end == 0)
        {
            return null;
        }

        var noun = rest[end - 1];
        if (end < rest.Count && Is(rest[end], "to") && end + 1 < rest.Count)
        {
            var verb = rest[end + 1];
            return Is(verb, "return")
                ? new List<string> { "max", noun }
                : new List<string> { noun, "to", verb };
        }

        if (end < rest.Count && IsParticiple(rest[end], end))
        {
            return new List<string> { noun, rest[end] };
        }

        return new List<string> { "num", noun };
    }

    private static bool IsParticiple(string word, int position) =>
        position > 0 && (IrregularParticiples.Contains(word) || (word.Length > 3 && word.EndsWith("ed", StringComparison.OrdinalIgnoreCase)));

    // The leading noun phrase of the words from start: articles skipped, up to the first stop word, at most four words.
    private static List<string> NounPhrase(List<string> words, int start, bool dropQualifiers = true)
    {
        var phrase = new List<string>();
        for (var i = start; i < words.Count; i++)
        {
            var word = words[i];
            if (phrase.Count == 0 && Articles.Contains(word) && i + 1 < words.Count)
            {
                continue;
            }

            // A stop word ends the phrase, and so does an article after its first word ("data the store takes").
            if (StopWords.Contains(word) || phrase.Count == 4 || (phrase.Count > 0 && Articles.Contains(word)))
            {
                break;
            }

            phrase.Add(word);
        }

        while (dropQualifiers && phrase.Count > 1 && LeadingQualifiers.Contains(phrase[0]))
        {
            phrase.RemoveAt(0);
        }

        if (phrase.Count > 1 && string.Equals(phrase[phrase.Count - 1], "value", StringComparison.OrdinalIgnoreCase))
        {
            phrase.RemoveAt(phrase.Count - 1);
        }

        return phrase.Count == 0 ? new List<string> { "value" } : phrase;
    }

    // The length of the description's first sentence or clause.
    private static int FirstClauseLength(string text)
    {
        // Up to the first '.' that ends a sentence, ';', ',', '(', ':' or a spaced dash.
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is ';' or ',' or '(' or ':' ||
                (c == '.' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1]))) ||
                (char.IsWhiteSpace(c) && i + 2 < text.Length && text[i + 1] is '-' or '\u2013' or '\u2014' && char.IsWhiteSpace(text[i + 2])))
            {
                return i;
            }
        }

        return text.Length;
    }

    private static string ToCamelCase(IReadOnlyList<string> words)
    {
        // Built in one buffer: the words are short, and most names are made of two or three.
        var length = 1;
        for (var i = 0; i < words.Count; i++)
        {
            length += words[i].Length;
        }

        var chars = new char[length];
        var at = 1;
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            for (var j = 0; j < word.Length; j++)
            {
                // The first word is all lower case; each later one starts with a capital.
                var lower = char.ToLowerInvariant(word[j]);
                chars[at] = j == 0 && at > 1 ? char.ToUpperInvariant(lower) : lower;
                at++;
            }
        }

        if (at == 1)
        {
            return "value";
        }

        // A name may not start with a digit: "_" goes in the slot kept before it.
        chars[0] = '_';
        return char.IsDigit(chars[1]) ? new string(chars, 0, at) : new string(chars, 1, at - 1);
    }
}
