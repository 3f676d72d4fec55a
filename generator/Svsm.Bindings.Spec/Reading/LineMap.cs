using System;
using System.Collections.Generic;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Reading;

/// <summary>Turns character offsets into 1-based lines and columns (\n, \r\n and \r all end a line).</summary>
internal sealed class LineMap
{
    private readonly int[] lineStarts;
    private readonly int lineCount;
    private readonly int length;

    // Spans are mostly asked for in reading order, so the line of the last lookup is where the next one starts.
    private int lastLine;

    public LineMap(string text)
    {
        length = text.Length;
        var starts = new int[Math.Max(16, text.Length / 32)];
        var count = 1;
        var position = 0;
        while (true)
        {
            var next = text.IndexOfAny(LineEnds, position);
            if (next < 0)
            {
                break;
            }

            position = next + (text[next] == '\r' && next + 1 < text.Length && text[next + 1] == '\n' ? 2 : 1);
            if (count == starts.Length)
            {
                Array.Resize(ref starts, starts.Length * 2);
            }

            starts[count++] = position;
        }

        lineStarts = starts;
        lineCount = count;
    }

    private static readonly char[] LineEnds = { '\r', '\n' };

    public SpecSpan Span(int start, int length)
    {
        start = Math.Max(0, Math.Min(start, this.length));
        length = Math.Max(0, Math.Min(length, this.length - start));
        var (line, column) = Position(start);
        var (endLine, endColumn) = Position(start + length);
        return new SpecSpan(start, length, line, column, endLine, endColumn);
    }

    /// <summary>The span of a whole 1-based line's start, used where only a line is known.</summary>
    public SpecSpan LineSpan(int line)
    {
        var index = Math.Max(0, Math.Min(line - 1, lineCount - 1));
        var start = lineStarts[index];
        var end = index + 1 < lineCount ? lineStarts[index + 1] : length;
        return Span(start, end - start);
    }

    private (int Line, int Column) Position(int offset)
    {
        var index = lastLine;
        if (offset < lineStarts[index] || (index + 1 < lineCount && offset >= lineStarts[index + 1]))
        {
            // Near the last line first (the next cell, the next member), then a binary search.
            if (index + 2 < lineCount && offset >= lineStarts[index + 1] && offset < lineStarts[index + 2])
            {
                index++;
            }
            else
            {
                index = Array.BinarySearch(lineStarts, 0, lineCount, offset);
                if (index < 0)
                {
                    index = ~index - 1;
                }
            }

            lastLine = index;
        }

        return (index + 1, offset - lineStarts[index] + 1);
    }
}
