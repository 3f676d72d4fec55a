using System.Collections.Generic;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Reading;

// What the model builder sees of a Markdown document: headings, prose, tables and front matter, in
// document order, as plain text with positions. Nothing of Markdig leaves the reader.
internal abstract record MarkdownBlock(SpecSpan Span);

internal sealed record HeadingBlockText(int Level, string Text, SpecSpan Span) : MarkdownBlock(Span);

internal sealed record ProseBlock(string Text, SpecSpan Span) : MarkdownBlock(Span);

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
