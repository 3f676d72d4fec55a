using System;
using System.Collections.Generic;
using Markdig.Helpers;

namespace Svsm.Bindings.Spec.Reading;

/// <summary>What <see cref="PipeTableLayout.Find"/> made of a paragraph.</summary>
internal enum PipeTableOutcome
{
    /// <summary>Markdig's pipe tables would leave the paragraph a paragraph.</summary>
    NoTable,

    /// <summary>A table, laid out as Markdig's pipe tables lay it out.</summary>
    Table,

    /// <summary>A pipe stands where only Markdig's inline parse can tell whether it divides cells.</summary>
    Unsure,

    /// <summary>
    /// A header and a delimiter row, then a line without a pipe (<see cref="PipeTableLayout.ProseLine"/>): Markdig
    /// leaves the paragraph a paragraph, table and all.
    /// </summary>
    ProseUnderTable,
}

/// <summary>
/// The pipe table in a paragraph's lines, found from the raw lines as Markdig's pipe-table extension finds it, so that
/// the inlines of a paragraph are parsed only where its text needs them.
/// The rules, from Markdig's PipeTableParser:
/// <list type="bullet">
/// <item>Lines before the first line with a pipe stay a paragraph; that line is the header.</item>
/// <item>The next line is the delimiter row: cells of <c>:?-+:?</c> between pipes, the outer pipes optional.</item>
/// <item>Every line from the header on has a pipe, else there is no table at all.</item>
/// <item>A pipe inside a code span or escaped as <c>\|</c> divides nothing.</item>
/// <item>A leading pipe opens the row; a trailing pipe adds no cell; each other pipe ends a cell, empty or not.</item>
/// <item>Rows shorter than the longest are padded with empty cells.</item>
/// </list>
/// Markdig also keeps a pipe whole inside a link, an autolink, raw HTML or a code span over two lines, joins two lines
/// at a hard break, and reads a delimiter cell from the last inline before its pipe. Where a paragraph has one of those
/// near a pipe, the answer is <see cref="PipeTableOutcome.Unsure"/>.
/// </summary>
internal sealed class PipeTableLayout
{
    private PipeTableLayout(int headerLine, List<List<CellRange>> rows, List<int> rowLines)
    {
        HeaderLine = headerLine;
        Rows = rows;
        RowLines = rowLines;
    }

    /// <summary>The header's index among the paragraph's lines: the lines before it are a paragraph of their own.</summary>
    public int HeaderLine { get; }

    /// <summary>The header's cells, then each row's; the delimiter row is not among them.</summary>
    public List<List<CellRange>> Rows { get; }

    /// <summary>For each of <see cref="Rows"/>, its index among the paragraph's lines.</summary>
    public List<int> RowLines { get; }

    /// <summary>With <see cref="PipeTableOutcome.ProseUnderTable"/>, the index of the first line after the delimiter row that has no pipe.</summary>
    public int ProseLine { get; private init; } = -1;

    /// <summary>A cell's content with white space trimmed, as offsets into the file's text; empty where the cell is.</summary>
    /// <param name="End">One past the last character.</param>
    internal readonly record struct CellRange(int Start, int End);

    public static PipeTableOutcome Find(StringLineGroup lines, string text, bool linksDefined, out PipeTableLayout? layout)
    {
        layout = null;
        var count = lines.Count;
        var any = false;
        for (var i = 0; i < count && !any; i++)
        {
            var slice = lines.Lines[i].Slice;
            any = slice.Text is not null && slice.Length > 0 && slice.Text.IndexOf('|', slice.Start, slice.Length) >= 0;
        }

        if (!any)
        {
            return PipeTableOutcome.NoTable;
        }

        var pipes = new List<int>[count];
        for (var i = 0; i < count; i++)
        {
            var slice = lines.Lines[i].Slice;
            if (!ReferenceEquals(slice.Text, text))
            {
                // Markdig copied the line (a tab it expanded): offsets into the file would be guesses.
                return PipeTableOutcome.Unsure;
            }

            // A table's rows have as many pipes as the row above, mostly.
            pipes[i] = new List<int>(i > 0 ? Math.Max(4, pipes[i - 1].Count) : 8);
            if (!ScanLine(text, slice.Start, slice.End + 1, pipes[i], lines, i, linksDefined))
            {
                return PipeTableOutcome.Unsure;
            }
        }

        var header = 0;
        while (header < count && pipes[header].Count == 0)
        {
            header++;
        }

        if (header >= count - 1)
        {
            return PipeTableOutcome.NoTable;
        }

        var delimiterLine = lines.Lines[header + 1].Slice;
        for (var i = header; i < count; i++)
        {
            if (pipes[i].Count == 0)
            {
                // A header and delimiter row, and then a line without a pipe: Markdig makes the whole paragraph prose,
                // where GitHub shows the table. Said, so that a table its author sees is not dropped silently.
                var delimited = i >= header + 2 && !HasOtherThanDelimiters(text, delimiterLine.Start, delimiterLine.End + 1) &&
                    DelimiterRow(text, delimiterLine.Start, delimiterLine.End + 1, pipes[header + 1], lastLine: false) == PipeTableOutcome.Table;
                if (delimited)
                {
                    layout = new PipeTableLayout(header, new List<List<CellRange>>(), new List<int>()) { ProseLine = i };
                    return PipeTableOutcome.ProseUnderTable;
                }

                return PipeTableOutcome.NoTable;
            }
        }

        if (HasOtherThanDelimiters(text, delimiterLine.Start, delimiterLine.End + 1))
        {
            // Markdig reads a delimiter cell from the last inline before its pipe, so `--*--:` can pass.
            return PipeTableOutcome.Unsure;
        }

        var delimiters = DelimiterRow(text, delimiterLine.Start, delimiterLine.End + 1, pipes[header + 1], lastLine: header + 2 == count);
        if (delimiters != PipeTableOutcome.Table)
        {
            return delimiters;
        }

        var rows = new List<List<CellRange>>(count - header - 1);
        var rowLines = new List<int>(count - header - 1);
        var widest = 0;
        for (var i = header; i < count; i++)
        {
            if (i == header + 1)
            {
                continue;
            }

            var slice = lines.Lines[i].Slice;
            var cells = SplitRow(text, slice.Start, slice.End + 1, pipes[i]);
            widest = cells.Count > widest ? cells.Count : widest;
            rows.Add(cells);
            rowLines.Add(i);
        }

        for (var r = 0; r < rows.Count; r++)
        {
            var slice = lines.Lines[rowLines[r]].Slice;
            var lineEnd = Trimmed(text, slice.Start, slice.End + 1).End;
            while (rows[r].Count < widest)
            {
                rows[r].Add(new CellRange(lineEnd, lineEnd));
            }
        }

        layout = new PipeTableLayout(header, rows, rowLines);
        return PipeTableOutcome.Table;
    }

    /// <summary>
    /// Records the line's dividing pipes. False where Markdig's inline parse could keep a pipe whole in a way this
    /// scan does not follow: a code span that goes on to another line, a link, an autolink or raw HTML around one.
    /// </summary>
    private static bool ScanLine(string text, int start, int end, List<int> pipes, StringLineGroup lines, int lineIndex, bool linksDefined)
    {
        var i = start;
        while (i < end)
        {
            var c = text[i];
            switch (c)
            {
                case '\\':
                    if (i + 1 == end && lineIndex + 1 < lines.Count)
                    {
                        // A hard line break: Markdig's escape takes the line's end, and the next line joins this row.
                        return false;
                    }

                    i += i + 1 < end && IsAsciiPunctuation(text[i + 1]) ? 2 : 1;
                    break;
                case '`':
                    var run = CodeSpans.Run(text, i, end);
                    var close = CodeSpans.ClosingRun(text, i + run, end, run);
                    if (close >= 0)
                    {
                        i = close + run;
                        break;
                    }

                    if (ClosesOnLaterLine(lines, lineIndex, run))
                    {
                        return false;
                    }

                    i += run;
                    break;
                case '|':
                    pipes.Add(i);
                    i++;
                    break;
                case '<':
                    // An autolink or raw HTML: a pipe before its '>' is inside it.
                    var angle = text.IndexOf('>', i + 1, end - i - 1);
                    if (i + 1 < end && MayOpenAngle(text[i + 1]) && text.IndexOf('|', i + 1, (angle < 0 ? end : angle) - i - 1) >= 0)
                    {
                        return false;
                    }

                    i++;
                    break;
                case '[':
                    // Brackets are a link only with a destination, a reference after them, or references defined.
                    var bracket = text.IndexOf(']', i + 1, end - i - 1);
                    if (bracket < 0
                        ? text.IndexOf('|', i + 1, end - i - 1) >= 0 || ClosesOnLaterLine(lines, lineIndex, ']')
                        : text.IndexOf('|', i + 1, bracket - i - 1) >= 0
                            && (linksDefined || (bracket + 1 < end && (text[bracket + 1] == '(' || text[bracket + 1] == '['))))
                    {
                        return false;
                    }

                    i++;
                    break;
                case ']':
                    if (i + 1 < end && text[i + 1] == '(')
                    {
                        var paren = text.IndexOf(')', i + 2, end - i - 2);
                        if (paren < 0 || text.IndexOf('|', i + 2, paren - i - 2) >= 0)
                        {
                            return false;
                        }
                    }

                    i++;
                    break;
                default:
                    i++;
                    break;
            }
        }

        return true;
    }

    private static bool ClosesOnLaterLine(StringLineGroup lines, int lineIndex, int length)
    {
        for (var j = lineIndex + 1; j < lines.Count; j++)
        {
            var slice = lines.Lines[j].Slice;
            if (slice.Text is not null && CodeSpans.ClosingRun(slice.Text, slice.Start, slice.End + 1, length) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool ClosesOnLaterLine(StringLineGroup lines, int lineIndex, char closer)
    {
        for (var j = lineIndex + 1; j < lines.Count; j++)
        {
            var slice = lines.Lines[j].Slice;
            if (slice.Text is not null && slice.Length > 0 && slice.Text.IndexOf(closer, slice.Start, slice.Length) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The delimiter row: <c>:?-+:?</c> cells between pipes, a leading and a trailing pipe allowed.</summary>
    private static PipeTableOutcome DelimiterRow(string text, int start, int end, List<int> pipes, bool lastLine)
    {
        var from = start;
        var first = 0;
        if (IsBlank(text, start, pipes[0]))
        {
            from = pipes[0] + 1;
            first = 1;
        }

        if (lastLine && first == pipes.Count)
        {
            // Markdig reads the cell after a row's last pipe only at a line break or at that pipe; a last line
            // whose one pipe leads has neither.
            return PipeTableOutcome.NoTable;
        }

        var columns = 0;
        for (var p = first; p < pipes.Count; p++)
        {
            if (!IsDelimiterCell(text, from, pipes[p]))
            {
                // Two pipes with nothing between: Markdig's reading of such a row depends on the inlines around it.
                return IsBlank(text, from, pipes[p]) && columns > 0 ? PipeTableOutcome.Unsure : PipeTableOutcome.NoTable;
            }

            columns++;
            from = pipes[p] + 1;
        }

        if (IsBlank(text, from, end))
        {
            return columns > 0 ? PipeTableOutcome.Table : PipeTableOutcome.NoTable;
        }

        return IsDelimiterCell(text, from, end) ? PipeTableOutcome.Table : PipeTableOutcome.NoTable;
    }

    /// <summary>A line with a dash and something other than dashes, colons, pipes and blanks.</summary>
    private static bool HasOtherThanDelimiters(string text, int start, int end)
    {
        var dash = false;
        var other = false;
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            dash |= c == '-';
            other |= c != '-' && c != ':' && c != '|' && !IsBlank(c);
        }

        return dash && other;
    }

    private static bool IsDelimiterCell(string text, int start, int end)
    {
        var i = SkipBlank(text, start, end);
        if (i < end && text[i] == ':')
        {
            i = SkipBlank(text, i + 1, end);
        }

        var dashes = i;
        while (i < end && text[i] == '-')
        {
            i++;
        }

        if (i == dashes)
        {
            return false;
        }

        i = SkipBlank(text, i, end);
        if (i < end && text[i] == ':')
        {
            i = SkipBlank(text, i + 1, end);
        }

        return i == end;
    }

    private static List<CellRange> SplitRow(string text, int start, int end, List<int> pipes)
    {
        var cells = new List<CellRange>(pipes.Count + 1);
        var from = start;
        var first = 0;
        if (IsBlank(text, start, pipes[0]))
        {
            from = pipes[0] + 1;
            first = 1;
        }

        for (var p = first; p < pipes.Count; p++)
        {
            cells.Add(Trimmed(text, from, pipes[p]));
            from = pipes[p] + 1;
        }

        if (!IsBlank(text, from, end))
        {
            cells.Add(Trimmed(text, from, end));
        }

        return cells;
    }

    private static CellRange Trimmed(string text, int start, int end)
    {
        start = SkipBlank(text, start, end);
        while (end > start && IsBlank(text[end - 1]))
        {
            end--;
        }

        return new CellRange(start, end);
    }

    private static bool IsBlank(string text, int start, int end) => SkipBlank(text, start, end) == end;

    private static int SkipBlank(string text, int start, int end)
    {
        while (start < end && IsBlank(text[start]))
        {
            start++;
        }

        return start;
    }

    // Markdig's StringSlice.Trim and IsWhitespace: space, tab, and the line breaks and feeds.
    private static bool IsBlank(char c) => c == ' ' || (c >= '\t' && c <= '\r');

    // What may follow the '<' of an HTML tag, comment, declaration or processing instruction, or of an autolink
    // (a scheme's first letter, or any character of an e-mail address's local part).
    private static bool MayOpenAngle(char c) =>
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || ".!#$%&'*+/=?^_`{|}~-".IndexOf(c) >= 0;

    private static bool IsAsciiPunctuation(char c) =>
        (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}
