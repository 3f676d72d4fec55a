using System.Collections.Generic;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Reading;

// What the recognisers see of a Markdown document: headings, prose, tables, fenced code blocks, lists and
// front matter, in document order, as plain text with positions. Nothing of Markdig leaves the reader.
internal abstract record MarkdownBlock(SpecSpan Span);

internal sealed record HeadingBlockText(int Level, string Text, SpecSpan Span) : MarkdownBlock(Span);

/// <param name="InList">A paragraph of a list item: prose for the protocol's sentences, but not a call's description.</param>
internal sealed record ProseBlock(string Text, SpecSpan Span, bool InList = false) : MarkdownBlock(Span);

internal sealed record TableBlock(TableRowText Header, IReadOnlyList<TableRowText> Rows, SpecSpan Span) : MarkdownBlock(Span);

internal sealed record TableRowText(IReadOnlyList<TableCellText> Cells, SpecSpan Span)
{
    /// <summary>The cell at <paramref name="index"/>, or an empty cell at the row's end when the row is short.</summary>
    public TableCellText Cell(int index) =>
        index >= 0 && index < Cells.Count
            ? Cells[index]
            : new TableCellText(string.Empty, new SpecSpan(Span.Start + Span.Length, 0, Span.EndLine, Span.EndColumn, Span.EndLine, Span.EndColumn));
}

internal sealed record TableCellText(string Text, SpecSpan Span);

internal sealed record FrontMatterLine(string Key, string Value, int Indent, SpecSpan Span);

internal sealed record FrontMatterBlock(IReadOnlyList<FrontMatterLine> Lines, SpecSpan Span) : MarkdownBlock(Span);

/// <summary>
/// A fenced code block: the first word of its info string (<c>rust</c>, <c>c</c>, empty when unlabeled) and its
/// lines, each mapped back to the file so that a declaration's diagnostics point at its own line and column.
/// The lines are kept as one text, each ended by <c>\n</c>, which the code recognisers tokenize as it is.
/// </summary>
/// <param name="Text">The lines, each followed by <c>\n</c>.</param>
/// <param name="LineStarts">Where each line starts in <paramref name="Text"/>, and after them the text's length.</param>
/// <param name="SourceStarts">Where each line's first character stands in the file.</param>
internal sealed record CodeBlock(string Language, string Text, int[] LineStarts, int[] SourceStarts, SpecSpan Span) : MarkdownBlock(Span)
{
    public int LineCount => SourceStarts.Length;

    /// <summary>The length of line <paramref name="line"/>, without its <c>\n</c>.</summary>
    public int LineLength(int line) => LineStarts[line + 1] - LineStarts[line] - 1;

    public string LineText(int line) => Text.Substring(LineStarts[line], LineLength(line));
}

/// <summary>One item of a bullet or numbered list: the text of its first paragraph, and its sub-items.</summary>
internal sealed record ListItemText(string Text, SpecSpan Span, IReadOnlyList<ListItemText> Children);

/// <summary>A list outside any other list (nested lists are their items' children).</summary>
internal sealed record ListBlockText(IReadOnlyList<ListItemText> Items, SpecSpan Span) : MarkdownBlock(Span);
