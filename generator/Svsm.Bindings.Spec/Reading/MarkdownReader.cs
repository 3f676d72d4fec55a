using System;
using System.Collections.Generic;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Helpers;
using Markdig.Parsers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Reading;

/// <summary>
/// Reads Markdown into <see cref="MarkdownBlock"/>s, with GitHub's pipe tables and YAML front matter as Markdig reads
/// them. Markdig parses the blocks; tables are found from a paragraph's lines (<see cref="PipeTableLayout"/>), code spans
/// are read here, and Markdig's inline parser reads only a paragraph, heading or cell that has another inline.
/// Markdig's own pipe-table extension parses the inlines of every paragraph to find its tables, and was most of the
/// reader's time; a document where only it can tell a pipe's meaning is read with it, as before.
/// </summary>
internal sealed class MarkdownReader
{
    private static readonly MarkdownPipeline WithPipeTables = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseYamlFrontMatter()
        .Build();

    private static readonly InlineParserList InlineParsers;

    private static readonly MarkdownPipeline BlocksOnly = BuildBlocksOnly(out InlineParsers);

    // Characters that can start an inline in Markdig's default parsers (entities, links and images, escapes,
    // emphasis, code spans, autolinks and HTML), and NUL, which CommonMark replaces: text without any is its literal.
    private static readonly char[] InlineStarts = { '&', '[', '\\', '*', '_', '`', '<', '\0' };

    private static readonly char[] InfoEnds = { ' ', '\t', '{', ',' };

    private static readonly char[] LineEnds = { '\r', '\n' };

    private readonly string text;
    private readonly LineMap lines;
    private readonly MarkdownDocument document;
    private InlineProcessor? processor;
    private bool unsure;

    // Where a line without a pipe made a table and its block prose, and the line the table starts on.
    private readonly List<(SpecSpan At, int TableLine)> tablesReadAsProse = new();

    private MarkdownReader(string text, LineMap lines, MarkdownDocument document)
    {
        this.text = text;
        this.lines = lines;
        this.document = document;
    }

    /// <summary>The blocks of <paramref name="text"/>; none, with SVSM0052, when Markdig refuses it as nested too deeply.</summary>
    public static List<MarkdownBlock> Read(string text, LineMap lines, Diagnostics.DiagnosticBag diagnostics)
    {
        try
        {
            var fast = new MarkdownReader(text, lines, Markdown.Parse(text, BlocksOnly));
            var blocks = fast.Walk();
            if (fast.unsure)
            {
                return ReadWithPipeTables(text, lines);
            }

            foreach (var (at, tableLine) in fast.tablesReadAsProse)
            {
                diagnostics.Add(Diagnostics.SpecDiagnostics.TableReadAsProse, at, at.Line, tableLine);
            }

            return blocks;
        }
        catch (ArgumentException exception) when (exception.Message.IndexOf("nested", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            diagnostics.Add(Diagnostics.SpecDiagnostics.MarkdownTooDeep, lines.Span(0, 0));
            return new List<MarkdownBlock>();
        }
    }

    /// <summary>The blocks as Markdig's pipe-table extension makes them, every inline parsed by Markdig.</summary>
    internal static List<MarkdownBlock> ReadWithPipeTables(string text, LineMap lines) =>
        new MarkdownReader(text, lines, Markdown.Parse(text, WithPipeTables)).Walk();

    private static MarkdownPipeline BuildBlocksOnly(out InlineParserList inlineParsers)
    {
        var builder = new MarkdownPipelineBuilder().UseYamlFrontMatter();

        // The pipe-table extension's block parser keeps a delimiter row led by '-' (`- | -`) in its paragraph,
        // where it would otherwise open a list item or underline a heading.
        builder.BlockParsers.Insert(0, new PipeTableBlockParser());

        // A closed paragraph or heading keeps its lines: its inlines are parsed here, when its text needs them.
        // A setext heading is closed by the paragraph parser.
        builder.BlockParsers.Find<ParagraphBlockParser>()!.Closed += static (_, block) => ((LeafBlock)block).ProcessInlines = false;
        builder.BlockParsers.Find<HeadingBlockParser>()!.Closed += static (_, block) => ((LeafBlock)block).ProcessInlines = false;
        var pipeline = builder.Build();
        inlineParsers = new InlineParserList(builder.InlineParsers);
        return pipeline;
    }

    private List<MarkdownBlock> Walk()
    {
        var blocks = new List<MarkdownBlock>();
        Walk(document, blocks, inList: false);
        return blocks;
    }

    // Prose and tables inside list items are read as everywhere else; a list is also kept whole, once, for the
    // recognisers of parameter lists.
    private void Walk(ContainerBlock container, List<MarkdownBlock> blocks, bool inList)
    {
        foreach (var block in container)
        {
            if (unsure)
            {
                return;
            }

            switch (block)
            {
                case ListBlock list:
                    if (!inList)
                    {
                        blocks.Add(new ListBlockText(ReadItems(list), SpanOf(list)));
                    }

                    Walk(list, blocks, inList: true);
                    break;
                case FencedCodeBlock code:
                    blocks.Add(ReadCode(code));
                    break;
                case Table table:
                    if (ReadTable(table) is { } tableBlock)
                    {
                        blocks.Add(tableBlock);
                    }

                    break;
                case ContainerBlock inner:
                    Walk(inner, blocks, inList);
                    break;
                case YamlFrontMatterBlock frontMatter:
                    blocks.Add(ReadFrontMatter(frontMatter));
                    break;
                case HeadingBlock heading:
                    blocks.Add(new HeadingBlockText(heading.Level, LeafText(heading), SpanOf(block)));
                    break;
                case ParagraphBlock paragraph:
                    ReadParagraph(paragraph, blocks, inList);
                    break;
            }
        }
    }

    /// <summary>A paragraph as prose, as a table, or as the prose before a table.</summary>
    private void ReadParagraph(ParagraphBlock paragraph, List<MarkdownBlock> blocks, bool inList)
    {
        var layout = TableOf(paragraph, out var proseUnderTable);
        if (proseUnderTable is { } broken)
        {
            tablesReadAsProse.Add((LinesSpan(paragraph, broken.ProseLine, broken.ProseLine + 1), LinesSpan(paragraph, broken.HeaderLine, broken.HeaderLine + 1).Line));
        }

        if (ProseOf(paragraph, layout) is { } prose)
        {
            blocks.Add(new ProseBlock(prose.Text, prose.Span, inList));
        }

        if (layout is not null)
        {
            blocks.Add(ReadTable(paragraph, layout));
        }
    }

    /// <summary>A paragraph's prose: all of it, or the lines before its table; null when it is all table.</summary>
    private (string Text, SpecSpan Span)? ProseOf(ParagraphBlock paragraph, PipeTableLayout? layout)
    {
        if (layout is null)
        {
            return (LeafText(paragraph), SpanOf(paragraph));
        }

        if (layout.HeaderLine > 0)
        {
            return (LinesText(paragraph, layout.HeaderLine), LinesSpan(paragraph, 0, layout.HeaderLine));
        }

        return null;
    }

    /// <summary>The table a paragraph whose inlines are not yet parsed holds, or null; marks the document unsure where only Markdig can tell.</summary>
    private PipeTableLayout? TableOf(ParagraphBlock paragraph) => TableOf(paragraph, out _);

    /// <param name="proseUnderTable">The layout of a table that a later line without a pipe made prose, else null.</param>
    private PipeTableLayout? TableOf(ParagraphBlock paragraph, out PipeTableLayout? proseUnderTable)
    {
        proseUnderTable = null;
        if (paragraph.Inline is not null)
        {
            return null;
        }

        switch (PipeTableLayout.Find(paragraph.Lines, text, LinksDefined, out var layout))
        {
            case PipeTableOutcome.Table:
                return layout;
            case PipeTableOutcome.Unsure:
                unsure = true;
                return null;
            case PipeTableOutcome.ProseUnderTable:
                proseUnderTable = layout;
                return null;
            default:
                return null;
        }
    }

    private TableBlock ReadTable(ParagraphBlock paragraph, PipeTableLayout layout)
    {
        TableRowText? header = null;
        var rows = new List<TableRowText>(layout.Rows.Count - 1);
        for (var r = 0; r < layout.Rows.Count; r++)
        {
            var ranges = layout.Rows[r];
            var cells = new List<TableCellText>(ranges.Count);
            foreach (var range in ranges)
            {
                cells.Add(new TableCellText(RangeText(range.Start, range.End), lines.Span(range.Start, range.End - range.Start)));
            }

            var lineIndex = layout.RowLines[r];
            var row = new TableRowText(cells, LinesSpan(paragraph, lineIndex, lineIndex + 1));
            if (header is null)
            {
                header = row;
            }
            else
            {
                rows.Add(row);
            }
        }

        return new TableBlock(header!, rows, LinesSpan(paragraph, layout.HeaderLine, paragraph.Lines.Count));
    }

    private List<ListItemText> ReadItems(ListBlock list)
    {
        var items = new List<ListItemText>();
        foreach (var child in list)
        {
            if (child is not ListItemBlock item)
            {
                continue;
            }

            // The item's text is its first paragraph's, as Markdig's tree has it: a paragraph that is all table is no
            // paragraph there, and one with prose before its table keeps only that prose.
            (string Text, SpecSpan Span)? prose = null;
            var children = new List<ListItemText>();
            foreach (var block in item)
            {
                if (prose is null && block is ParagraphBlock paragraph)
                {
                    prose = ProseOf(paragraph, TableOf(paragraph));
                }
                else if (block is ListBlock nested)
                {
                    children.AddRange(ReadItems(nested));
                }
            }

            items.Add(prose is { } first
                ? new ListItemText(first.Text, first.Span, children)
                : new ListItemText(string.Empty, SpanOf(item), children));
        }

        return items;
    }

    /// <summary>
    /// A fenced block's lines with where each starts in the file. Markdig slices lines out of the file's text,
    /// except where it expands a tab of an indented block; such a line is mapped by its first non-blank character.
    /// </summary>
    private CodeBlock ReadCode(FencedCodeBlock code)
    {
        var info = (code.Info ?? string.Empty).Trim();
        var space = info.IndexOfAny(InfoEnds);
        var language = (space < 0 ? info : info.Substring(0, space)).ToLowerInvariant();
        var count = code.Lines.Count;
        var lineStarts = new int[count + 1];
        var sourceStarts = new int[count];
        var length = count;
        for (var i = 0; i < count; i++)
        {
            length += LengthOf(code.Lines.Lines[i].Slice);
        }

        // The lines are copied once, into the text the recognisers read, rather than each cut out and joined again.
        var chars = new char[length];
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            var line = code.Lines.Lines[i];
            var slice = line.Slice;
            var sliceLength = LengthOf(slice);
            lineStarts[i] = at;
            slice.Text?.CopyTo(slice.Start, chars, at, sliceLength);
            at += sliceLength;
            chars[at++] = '\n';
            if (ReferenceEquals(slice.Text, text))
            {
                sourceStarts[i] = slice.Start;
                continue;
            }

            var inSource = Math.Max(0, Math.Min(line.Position, text.Length));
            while (inSource < text.Length && (text[inSource] == ' ' || text[inSource] == '\t'))
            {
                inSource++;
            }

            var inContent = 0;
            while (inContent < sliceLength && (chars[lineStarts[i] + inContent] == ' ' || chars[lineStarts[i] + inContent] == '\t'))
            {
                inContent++;
            }

            sourceStarts[i] = Math.Max(0, inSource - inContent);
        }

        lineStarts[count] = at;
        return new CodeBlock(language, new string(chars), lineStarts, sourceStarts, SpanOf(code));
    }

    // The characters a slice holds, as its ToString gives them: none when it is empty or has no text.
    private static int LengthOf(StringSlice slice) => slice.Text is null ? 0 : Math.Max(0, slice.Length);

    private TableBlock? ReadTable(Table table)
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
                    cells.Add(ReadCell(cell));
                }
            }

            var rowText = new TableRowText(cells, WithLeadingPipe(SpanOf(row)));
            if (header is null)
            {
                header = rowText;
            }
            else
            {
                rows.Add(rowText);
            }
        }

        return header is null ? null : new TableBlock(header, rows, SpanOf(table));
    }

    private TableCellText ReadCell(TableCell cell)
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

        return new TableCellText(buffer.ToCollapsedString(), SpanOf(cell));
    }

    private FrontMatterBlock ReadFrontMatter(YamlFrontMatterBlock block)
    {
        var result = new List<FrontMatterLine>();
        var span = block.Span;
        var start = Math.Max(0, span.Start);
        var end = Math.Min(text.Length, span.End + 1);
        var position = start;
        while (position < end)
        {
            var lineEnd = text.IndexOfAny(LineEnds, position);
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

        return new FrontMatterBlock(result, SpanOf(block));
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

    /// <summary>A heading's or paragraph's plain text, its inlines parsed only when its text has one.</summary>
    private string LeafText(LeafBlock leaf)
    {
        if (leaf.Inline is null)
        {
            if (PlainText(leaf.Lines, leaf.Lines.Count) is { } plain)
            {
                return plain;
            }

            Processor.ProcessInlineLeaf(leaf);
        }

        return InlineText(leaf.Inline);
    }

    /// <summary>The plain text of a leaf's first <paramref name="count"/> lines, read as a paragraph of their own.</summary>
    private string LinesText(LeafBlock leaf, int count)
    {
        if (PlainText(leaf.Lines, count) is { } plain)
        {
            return plain;
        }

        var group = new StringLineGroup(count);
        for (var i = 0; i < count; i++)
        {
            group.Add(ref leaf.Lines.Lines[i]);
        }

        return ParsedText(group);
    }

    /// <summary>The plain text of a table cell, <paramref name="start"/> to before <paramref name="end"/> in the file.</summary>
    private string RangeText(int start, int end)
    {
        if (end <= start)
        {
            return string.Empty;
        }

        // Most cells are plain words already trimmed: cut out, not copied through the buffer.
        if (text.IndexOfAny(InlineStarts, start, end - start) < 0 && TextBuffer.IsCollapsed(text, start, end))
        {
            return text.Substring(start, end - start);
        }

        var buffer = Scratch();
        if (AppendPlain(text, start, end, buffer, lastLine: true))
        {
            return buffer.ToCollapsedString();
        }

        var group = new StringLineGroup(1);
        group.Add(new StringSlice(text, start, end - 1));
        return ParsedText(group);
    }

    private string ParsedText(StringLineGroup group)
    {
        var paragraph = new ParagraphBlock { Lines = group };
        Processor.ProcessInlineLeaf(paragraph);
        return InlineText(paragraph.Inline);
    }

    private bool LinksDefined => document.GetData(typeof(LinkReferenceDefinitionGroup)) is LinkReferenceDefinitionGroup { Links.Count: > 0 };

    private InlineProcessor Processor => processor ??= new InlineProcessor(document, InlineParsers, preciseSourcelocation: false, context: null);

    /// <summary>The plain text of lines whose only inlines are code spans, as Markdig reads them; null when they have others.</summary>
    private static string? PlainText(StringLineGroup group, int count)
    {
        var buffer = Scratch();
        for (var i = 0; i < count; i++)
        {
            var slice = group.Lines[i].Slice;
            if (slice.Length > 0 && !AppendPlain(slice.Text, slice.Start, slice.End + 1, buffer, lastLine: i == count - 1))
            {
                return null;
            }

            // Markdig reads a line end, soft or hard, as a line break: a space here.
            buffer.Append(' ');
        }

        return buffer.ToCollapsedString();
    }

    /// <summary>
    /// Appends text whose only inlines are code spans, each as its content trimmed (Markdig's code inline, as
    /// <see cref="AppendInline"/> writes it). False when the text has another inline, or a backtick run that no run of
    /// its length closes on this line and a later line might.
    /// </summary>
    private static bool AppendPlain(string source, int start, int end, TextBuffer buffer, bool lastLine)
    {
        var from = start;
        var i = source.IndexOfAny(InlineStarts, start, end - start);
        while (i >= 0)
        {
            if (source[i] != '`')
            {
                return false;
            }

            var run = CodeSpans.Run(source, i, end);
            var close = CodeSpans.ClosingRun(source, i + run, end, run);
            if (close < 0 && !lastLine)
            {
                return false;
            }

            if (close >= 0)
            {
                buffer.Append(source, from, i - from);
                AppendCode(source, i + run, close, buffer);
                from = close + run;
            }

            var next = close >= 0 ? close + run : i + run;
            i = next < end ? source.IndexOfAny(InlineStarts, next, end - next) : -1;
        }

        buffer.Append(source, from, end - from);
        return true;
    }

    private static void AppendCode(string source, int start, int end, TextBuffer buffer)
    {
        while (start < end && char.IsWhiteSpace(source[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(source[end - 1]))
        {
            end--;
        }

        var escaped = source.IndexOf("\\|", start, end - start, StringComparison.Ordinal);
        if (escaped < 0)
        {
            buffer.Append(source, start, end - start);
            return;
        }

        buffer.Append(source.Substring(start, end - start).Replace("\\|", "|"));
    }

    /// <summary>The span of a paragraph's lines <paramref name="from"/> to before <paramref name="to"/>, narrowed to their content.</summary>
    private SpecSpan LinesSpan(LeafBlock leaf, int from, int to)
    {
        var first = leaf.Lines.Lines[from].Slice;
        var last = leaf.Lines.Lines[to - 1].Slice;
        if (!ReferenceEquals(first.Text, text) || !ReferenceEquals(last.Text, text))
        {
            return SpanOf(leaf);
        }

        return ContentSpan(first.Start, last.End);
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
            case DelimiterInline delimiter:
                // A bracket or emphasis mark that closed nothing is text, as Markdig renders it.
                builder.Append(delimiter.ToLiteral());
                foreach (var child in delimiter)
                {
                    AppendInline(child, builder);
                }

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
    private SpecSpan WithLeadingPipe(SpecSpan span)
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
    private SpecSpan SpanOf(Block block)
    {
        var start = block.Span.Start;
        var end = block.Span.End;
        if (start < 0 || start >= text.Length)
        {
            return lines.LineSpan(block.Line + 1);
        }

        return ContentSpan(start, Math.Min(Math.Max(end, start), text.Length - 1));
    }

    /// <summary>The span from <paramref name="start"/> to <paramref name="end"/> (its last character), narrowed to the content between white space.</summary>
    private SpecSpan ContentSpan(int start, int end)
    {
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
