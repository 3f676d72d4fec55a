using System;

namespace Svsm.Bindings.Spec.Reading;

/// <summary>
/// The characters of one paragraph or cell as they are gathered from its inlines, turned into a string with runs of
/// white space as one space. A char array, not a StringBuilder: the collapse reads every character back, and a
/// StringBuilder's indexer walks its chunks to find each one.
/// </summary>
internal sealed class TextBuffer
{
    private char[] chars = new char[256];
    private int length;

    public void Clear() => length = 0;

    public void Append(char c)
    {
        if (length == chars.Length)
        {
            Array.Resize(ref chars, chars.Length * 2);
        }

        chars[length++] = c;
    }

    public void Append(string text) => Append(text, 0, text.Length);

    public void Append(string text, int start, int count)
    {
        if (length + count > chars.Length)
        {
            Array.Resize(ref chars, Math.Max(chars.Length * 2, length + count));
        }

        text.CopyTo(start, chars, length, count);
        length += count;
    }

    /// <summary>
    /// Whether <paramref name="text"/> from <paramref name="start"/> to before <paramref name="end"/> is what
    /// <see cref="ToCollapsedString"/> would make of it: no white space at either end, and none but single spaces.
    /// </summary>
    public static bool IsCollapsed(string text, int start, int end)
    {
        if (end <= start || char.IsWhiteSpace(text[start]) || char.IsWhiteSpace(text[end - 1]))
        {
            return false;
        }

        for (var i = start + 1; i < end - 1; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c) && (c != ' ' || text[i - 1] == ' '))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The text, trimmed, with each run of white space as one space.</summary>
    public string ToCollapsedString()
    {
        var start = 0;
        var end = length;
        while (start < end && char.IsWhiteSpace(chars[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(chars[end - 1]))
        {
            end--;
        }

        // Collapse in place: the result is never longer than what it is made from.
        var written = start;
        for (var i = start; i < end; i++)
        {
            var c = chars[i];
            if (char.IsWhiteSpace(c))
            {
                if (chars[written - 1] == ' ')
                {
                    continue;
                }

                c = ' ';
            }

            chars[written++] = c;
        }

        return new string(chars, start, written - start);
    }
}
