using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Reading;

/// <summary>Reads Markdown with Markdig's pipe tables and YAML front matter into <see cref="MarkdownBlock"/>s.</summary>
internal static class MarkdownReader
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseYamlFrontMatter()
        .Build();

    /// <summary>The blocks of <paramref name="text"/>; none, with SVSM0052, when Markdig refuses it as nested too deeply.</summary>
    public static List<MarkdownBlock> Read(string text, LineMap lines, Diagnostics.DiagnosticBag diagnostics)
    {
        MarkdownDocument document;
        try
        {
            document = Markdown.Parse(text, Pipeline);
        }
        catch (ArgumentException exception) when (exception.Message.IndexOf("nested", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            diagnostics.Add(Diagnostics.SpecDiagnostics.MarkdownTooDeep, lines.Span(0, 0));
            return new List<MarkdownBlock>();
        }

        var blocks = new List<MarkdownBlock>();
        Walk(document, text, lines, blocks, inList: false);
        return blocks;
    }

    // Prose and tables inside list items are read as everywhere else; a list is also kept whole, once, for the
    // recognisers of parameter lists.
    private static void Walk(ContainerBlock container, string text, LineMap lines, List<MarkdownBlock> blocks, bool inList)
    {
        foreach (var block in container)
        {
            switch (block)
            {
                case ListBlock list:
                    if (!inList)
                    {
                        blocks.Add(new ListBlockText(ReadItems(list, text, lines), SpanOf(list, text, lines)));
                    }

                    Walk(list, text, lines, blocks, inList: true);
                    break;
                case FencedCodeBlock code:
                    blocks.Add(ReadCode(code, text, lines));
                    break;
                case Table table:
                    if (ReadTable(table, text, lines) is { } tableBlock)
                    {
                        blocks.Add(tableBlock);
                    }

                    break;
                case ContainerBlock inner:
                    Walk(inner, text, lines, blocks, inList);
                    break;
                case YamlFrontMatterBlock frontMatter:
                    blocks.Add(ReadFrontMatter(frontMatter, text, lines));
                    break;
                case HeadingBlock heading:
                    blocks.Add(new HeadingBlockText(heading.Level, InlineText(heading.Inline), SpanOf(block, text, lines)));
                    break;
                case ParagraphBlock paragraph:
                    blocks.Add(new ProseBlock(InlineText(paragraph.Inline), SpanOf(block, text, lines), inList));
                    break;
            }
        }
    }

    private static List<ListItemText> ReadItems(ListBlock list, string text, LineMap lines)
    {
        var items = new List<ListItemText>();
        foreach (var child in list)
        {
            if (child is not ListItemBlock item)
            {
                continue;
            }

            var paragraph = item.FirstOrDefault(b => b is ParagraphBlock) as ParagraphBlock;
            var children = new List<ListItemText>();
            foreach (var nested in item.OfType<ListBlock>())
            {
                children.AddRange(ReadItems(nested, text, lines));
            }

            items.Add(new ListItemText(
                paragraph is null ? string.Empty : InlineText(paragraph.Inline),
                SpanOf(paragraph ?? (Block)item, text, lines),
                children));
        }

        return items;
    }

    /// <summary>
    /// A fenced block's lines with where each starts in the file. Markdig slices lines out of the file's text,
    /// except where it expands a tab of an indented block; such a line is mapped by its first non-blank character.
    /// </summary>
    private static CodeBlock ReadCode(FencedCodeBlock code, string text, LineMap lines)
    {
        var info = (code.Info ?? string.Empty).Trim();
        var space = info.IndexOfAny(new[] { ' ', '\t', '{', ',' });
        var language = (space < 0 ? info : info.Substring(0, space)).ToLowerInvariant();
        var result = new List<CodeLine>(code.Lines.Count);
        for (var i = 0; i < code.Lines.Count; i++)
        {
            var line = code.Lines.Lines[i];
            var content = line.Slice.ToString();
            int start;
            if (ReferenceEquals(line.Slice.Text, text))
            {
                start = line.Slice.Start;
            }
            else
            {
                var inSource = Math.Max(0, Math.Min(line.Position, text.Length));
                while (inSource < text.Length && (text[inSource] == ' ' || text[inSource] == '\t'))
                {
                    inSource++;
                }

                var inContent = 0;
                while (inContent < content.Length && (content[inContent] == ' ' || content[inContent] == '\t'))
                {
                    inContent++;
                }

                start = Math.Max(0, inSource - inContent);
            }

            result.Add(new CodeLine(content, start));
        }

        return new CodeBlock(language, result, SpanOf(code, text, lines));
    }

    private static TableBlock? ReadTable(Table table, string text, LineMap lines)
    {
        TableRowText? header = null;
        var rows = new List<TableRowText>();
        foreach (var child in table)
        {
            if (child is not TableRow row)
            {
                continue;
            }

            var cells = new List<TableCellText>();
            foreach (var cellBlock in row)
            {
                if (cellBlock is TableCell cell)
                {
                    cells.Add(ReadCell(cell, text, lines));
                }
            }

            var rowText = new TableRowText(cells, WithLeadingPipe(SpanOf(row, text, lines), text, lines));
            if (header is null)
            {
                header = rowText;
            }
            else
            {
                rows.Add(rowText);
            }
        }

        return header is null ? null : new TableBlock(header, rows, SpanOf(table, text, lines));
    }

    private static TableCellText ReadCell(TableCell cell, string text, LineMap lines)
    {
        var buffer = Scratch();
        foreach (var child in cell)
        {
            if (child is LeafBlock { Inline: { } inline })
            {
                buffer.Append(' ');
                AppendInline(inline, buffer);
            }
        }

        return new TableCellText(buffer.ToCollapsedString(), SpanOf(cell, text, lines));
    }

    private static FrontMatterBlock ReadFrontMatter(YamlFrontMatterBlock block, string text, LineMap lines)
    {
        var result = new List<FrontMatterLine>();
        var span = block.Span;
        var start = Math.Max(0, span.Start);
        var end = Math.Min(text.Length, span.End + 1);
        var position = start;
        while (position < end)
        {
            var lineEnd = text.IndexOfAny(new[] { '\r', '\n' }, position);
            if (lineEnd < 0 || lineEnd > end)
            {
                lineEnd = end;
            }

            var line = text.Substring(position, lineEnd - position);
            var colon = line.IndexOf(':');
            var trimmed = line.Trim();
            if (colon > 0 && !trimmed.StartsWith("#", StringComparison.Ordinal) && trimmed != "---")
            {
                var indent = line.Length - line.TrimStart().Length;
                var key = line.Substring(0, colon).Trim();
                var value = Unquote(line.Substring(colon + 1).Trim());
                result.Add(new FrontMatterLine(key, value, indent, lines.Span(position + indent, line.Length - indent)));
            }

            position = lineEnd + 1;
            if (lineEnd + 1 < text.Length && text[lineEnd] == '\r' && text[lineEnd + 1] == '\n')
            {
                position++;
            }
        }

        return new FrontMatterBlock(result, SpanOf(block, text, lines));
    }

    private static string Unquote(string value)
    {
        var hash = value.IndexOf(" #", StringComparison.Ordinal);
        if (hash >= 0 && !value.StartsWith("\"", StringComparison.Ordinal) && !value.StartsWith("'", StringComparison.Ordinal))
        {
            value = value.Substring(0, hash).TrimEnd();
        }

        if (value.Length >= 2 && ((value[0] == '"' && value[value.Length - 1] == '"') || (value[0] == '\'' && value[value.Length - 1] == '\'')))
        {
            value = value.Substring(1, value.Length - 2);
        }

        return value;
    }

    /// <summary>The plain text of inlines: code spans lose their backticks, emphasis its markers, links keep their text.</summary>
    // Each paragraph and cell is gathered here and collapsed once: one builder per thread, not one per block.
    [ThreadStatic]
    private static TextBuffer? scratch;

    private static TextBuffer Scratch()
    {
        var buffer = scratch ??= new TextBuffer();
        buffer.Clear();
        return buffer;
    }

    private static string InlineText(ContainerInline? inline)
    {
        if (inline is null)
        {
            return string.Empty;
        }

        var buffer = Scratch();
        AppendInline(inline, buffer);
        return buffer.ToCollapsedString();
    }

    private static void AppendInline(Inline inline, TextBuffer builder)
    {
        switch (inline)
        {
            case LiteralInline literal:
                var slice = literal.Content;
                if (slice.Length > 0 && slice.Text is not null)
                {
                    builder.Append(slice.Text, slice.Start, slice.Length);
                }

                break;
            case CodeInline code:
                // GFM lets a code span inside a table cell escape the pipe as \|; the span keeps the backslash.
                builder.Append(code.Content.Replace("\\|", "|").Trim());
                break;
            case LineBreakInline:
                builder.Append(' ');
                break;
            case HtmlEntityInline entity:
                builder.Append(entity.Transcoded.ToString());
                break;
            case AutolinkInline autolink:
                builder.Append(autolink.Url);
                break;
            case ContainerInline container:
                foreach (var child in container)
                {
                    AppendInline(child, builder);
                }

                break;
        }
    }

    /// <summary>Widens a row's span back over the leading pipe, so a row's column is where its line's content starts.</summary>
    private static SpecSpan WithLeadingPipe(SpecSpan span, string text, LineMap lines)
    {
        var start = span.Start;
        while (start > 0 && (text[start - 1] == '|' || text[start - 1] == ' ' || text[start - 1] == '\t'))
        {
            start--;
        }

        while (start < span.Start && (text[start] == ' ' || text[start] == '\t'))
        {
            start++;
        }

        return lines.Span(start, span.Start + span.Length - start);
    }

    /// <summary>A block's span, narrowed to its first and last non-blank characters so columns point at content.</summary>
    private static SpecSpan SpanOf(Block block, string text, LineMap lines)
    {
        var start = block.Span.Start;
        var end = block.Span.End;
        if (start < 0 || start >= text.Length)
        {
            return lines.LineSpan(block.Line + 1);
        }

        end = Math.Min(Math.Max(end, start), text.Length - 1);
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end]))
        {
            end--;
        }

        return lines.Span(start, end - start + 1);
    }
}
