using System;
using System.Collections.Generic;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Reading;

/// <summary>Turns character offsets into 1-based lines and columns (\n, \r\n and \r all end a line).</summary>
internal sealed class LineMap
{
    private readonly List<int> lineStarts = new() { 0 };
    private readonly int length;

    public LineMap(string text)
    {
        length = text.Length;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                i++;
                lineStarts.Add(i + 1);
            }
            else if (c == '\n' || c == '\r')
            {
                lineStarts.Add(i + 1);
            }
        }
    }

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
        var index = Math.Max(0, Math.Min(line - 1, lineStarts.Count - 1));
        var start = lineStarts[index];
        var end = index + 1 < lineStarts.Count ? lineStarts[index + 1] : length;
        return Span(start, end - start);
    }

    private (int Line, int Column) Position(int offset)
    {
        var index = lineStarts.BinarySearch(offset);
        if (index < 0)
        {
            index = ~index - 1;
        }

        return (index + 1, offset - lineStarts[index] + 1);
    }
}
