using Markdig.Helpers;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;
using Svsm.Testing;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>
/// The reader finds tables from a paragraph's lines and parses inlines only where text has them; Markdig's pipe-table
/// extension, which parses every inline, is the oracle: both must give the same blocks, texts and positions.
/// </summary>
public sealed class MarkdownReaderTests
{
    public static TheoryData<string, string> Documents => new()
    {
        { "outer pipes", "| a | b |\n|---|---|\n| 1 | 2 |\n" },
        { "no outer pipes", "a | b\n--|--\n1 | 2\n" },
        { "a delimiter row led by a dash", "a | b\n- | -\n1 | 2\n\nc\n-|\n\nd | e\n--\n" },
        { "leading pipe only", "| a | b\n| --- | ---\n| 1 | 2\n" },
        { "trailing pipe only", "a | b |\n--- | --- |\n1 | 2 |\n" },
        { "alignment", "| a | b | c |\n|:--|--:|:-:|\n| 1 | 2 | 3 |\n" },
        { "spaced alignment", "| a | b |\n| : --- : | ---   : |\n| 1 | 2 |\n" },
        { "prose before the header", "Some words\nmore words\n| a | b |\n|---|---|\n| 1 | 2 |\n" },
        { "prose after a row", "| a | b |\n|---|---|\n| 1 | 2 |\nprose under it\n" },
        { "no delimiter row", "| a | b |\n| 1 | 2 |\n" },
        { "header only", "| a | b |\n|---|---|\n" },
        { "delimiter row last with a leading pipe", "| a |\n|-\n" },
        { "delimiter row last with two pipes", "| a | b\n|-|-\n" },
        { "empty delimiter cell", "| a | b |\n|---||\n| 1 | 2 |\n" },
        { "junk in the delimiter row", "| a | b |\n|--*--:|---|\n| 1 | 2 |\n" },
        { "short and long rows", "| a | b |\n|---|---|\n| 1 |\n| 1 | 2 | 3 |\n| | |\n|\n" },
        { "empty cells", "| a | b | c |\n|---|---|---|\n|  | 2 |   |\n| 1 || 3 |\n" },
        { "code spans with pipes", "| a | b |\n|---|---|\n| `x | y` | ``a ` | b`` |\n| ` | ` | `unclosed | z |\n" },
        { "escaped pipes", "| a | b |\n|---|---|\n| x \\| y | `p \\| q` |\n" },
        { "emphasis, links and entities", "| a | b |\n|---|---|\n| **RAX** and _rcx_ | [text](http://x) &amp; &#x41; |\n| *open | close* |\n" },
        { "a link around a pipe", "| a | b |\n|---|---|\n| [x | y](http://z) | 2 |\n" },
        { "brackets around a pipe", "| a | b |\n|---|---|\n| [flat|nested] | 2 |\n" },
        { "a reference around a pipe", "| a | b |\n|---|---|\n| [x|y] | 2 |\n\n[x|y]: http://z\n" },
        { "an autolink and HTML around pipes", "| a | b |\n|---|---|\n| <http://a|b> | <span title=\"a|b\">c</span> |\n" },
        { "shifts", "| Name | Value |\n|---|---|\n| `F` | (1 << 0) |\n| `G` | 1 < 2 |\n" },
        { "a hard break in a row", "| a | b |\n|---|---|\n| 1 | 2 \\\n| 3 | 4 |\n" },
        { "a code span over two rows", "| a | b |\n|---|---|\n| `1 | 2 |\n| 3` | 4 |\n" },
        { "crlf and cr", "| a | b |\r\n|---|---|\r\n| 1 | 2 |\r\n\r\nx | y\r--|--\r1 | 2\r" },
        { "tabs", "|\ta\t|\tb\t|\n|---|---|\n|\t1\t|  2\t|\n" },
        { "in a list item", "- | a | b |\n  |---|---|\n  | 1 | 2 |\n- item\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n" },
        { "in a block quote", "> | a | b |\n> |---|---|\n> | 1 | 2 |\n" },
        { "a tab in a list item", "-\t| a | b |\n\t|---|---|\n\t| 1 | 2 |\n" },
        { "prose and headings with inlines", "# A `b` *c*\n\nSetext `x`\n===\n\nWords with `code`, **bold**, a [link](http://x), <b>html</b>, &copy; and a\\\nhard break.\n" },
        { "plain prose", "Just words over\ntwo lines.\n\n## Heading\n" },
        { "code spans in prose", "Calls `SVSM_CORE_QUERY` and ``a ` b``,` spaced `, `x \\| y`.\n\nA span `over\ntwo lines` here.\n\nAn `unclosed run\non two lines.\n\nLast `unclosed\n\n# `Heading_name` and ```\n" },
        { "code spans in cells", "| `a_b` | ``c`d`` |\n|---|---|\n| `  e  ` | f`g`h |\n| ` ` | `x` *y* |\n" },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void ReadsAsMarkdigsPipeTablesDo(string name, string markdown)
    {
        Assert.False(string.IsNullOrEmpty(name));
        AssertSameAsMarkdig(markdown);
    }

    [Fact]
    public void RepositoryDocumentsReadAsMarkdigsPipeTablesDo()
    {
        var root = Repository.Root;
        var files = Directory.GetFiles(Path.Combine(root, "specs"), "*.md")
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md"))
            .Concat(Directory.GetFiles(Path.Combine(root, "tests", "Svsm.Bindings.Spec.Tests", "TestSpecs"), "*.md"))
            .Append(Path.Combine(root, "README.md"))
            .ToList();
        Assert.True(files.Count >= 15, "the repository's Markdown was not found");
        foreach (var file in files)
        {
            AssertSameAsMarkdig(File.ReadAllText(file), file);
        }
    }

    [Theory]
    [InlineData("| a | b |\n|---|---|\n| `x | y` | (1 << 0) |", "Table")]
    [InlineData("prose\n| a | b |\n|:-:|--:|", "Table")]
    [InlineData("| a | b |\n|---|---|\nprose", "ProseUnderTable")]
    [InlineData("a | b\n--|--\n1 | 2\nprose", "ProseUnderTable")]
    [InlineData("| a | b |\nprose", "NoTable")]
    [InlineData("| a | b |\n| 1 | 2 |\nprose", "NoTable")]
    [InlineData("| a | b |\n| 1 | 2 |", "NoTable")]
    [InlineData("a | b", "NoTable")]
    [InlineData("| a | b |\n|---|---|\n| [x | y](z) | 2 |", "Unsure")]
    [InlineData("| a | b |\n|---|---|\n| <a|b> | 2 |", "Unsure")]
    [InlineData("| a | b |\n|---|---|\n| `x | y\n| z` | 2 |", "Unsure")]
    [InlineData("| a | b |\n|--x--|---|", "Unsure")]
    public void TellsTablesFromLines(string paragraph, string outcome)
    {
        var group = new StringLineGroup(4);
        var start = 0;
        foreach (var line in paragraph.Split('\n'))
        {
            group.Add(new StringSlice(paragraph, start, start + line.Length - 1));
            start += line.Length + 1;
        }

        var expected = Enum.Parse<PipeTableOutcome>(outcome);
        Assert.Equal(expected, PipeTableLayout.Find(group, paragraph, linksDefined: false, out var layout));
        Assert.Equal(expected is PipeTableOutcome.Table or PipeTableOutcome.ProseUnderTable, layout is not null);
        if (expected == PipeTableOutcome.ProseUnderTable)
        {
            Assert.Equal(paragraph.Split('\n').Length - 1, layout!.ProseLine);
        }
    }

    // GitHub shows a table that a line without a pipe follows; Markdig makes its block prose. The reader says so, at
    // that line, in every place a table can stand.
    [Theory]
    [InlineData("| a | b |\n|---|---|\n| 1 | 2 |\nprose under it\n", 4, 1, 1)]
    [InlineData("Intro\n\na | b\n--|--\n1 | 2\nprose under it\n", 6, 1, 3)]
    [InlineData("- item\n\n  | a | b |\n  |---|---|\n  prose under it\n", 5, 3, 3)]
    [InlineData("> | a | b |\n> |---|---|\n> prose under it\n", 3, 3, 1)]
    public void WarnsWhereALineWithoutAPipeMakesATableProse(string markdown, int line, int column, int tableLine)
    {
        var diagnostics = new DiagnosticBag();
        var blocks = MarkdownReader.Read(markdown, new LineMap(markdown), diagnostics);
        Assert.DoesNotContain(blocks, b => b is TableBlock);
        var warning = Assert.Single(diagnostics.ToSortedArray());
        Assert.Equal("SVSM0070", warning.Id);
        Assert.Equal(SpecSeverity.Warning, warning.Severity);
        Assert.Equal((line, column), (warning.Span.Line, warning.Span.Column));
        Assert.Contains($"Line {line} has no '|', so the table that starts on line {tableLine} ", warning.Message);
    }

    [Theory]
    [InlineData("| a | b |\n|---|---|\n| 1 | 2 |\n\nprose under it\n")]
    [InlineData("| a | b |\n| 1 | 2 |\nprose under it\n")]
    [InlineData("| a | b |\n|--x--|---|\nprose under it\n")]
    [InlineData("a | b\nprose\n")]
    public void GivesNoWarningWhereNoTableWasMeant(string markdown)
    {
        var diagnostics = new DiagnosticBag();
        MarkdownReader.Read(markdown, new LineMap(markdown), diagnostics);
        Assert.Empty(diagnostics.ToSortedArray());
    }

    // A cell that is already what collapsing would make of it is cut out of the text as it is.
    [Theory]
    [InlineData("word")]
    [InlineData("two words")]
    [InlineData("x")]
    [InlineData(" lead")]
    [InlineData("trail ")]
    [InlineData("two  spaces")]
    [InlineData("a\tb")]
    [InlineData("a\nb")]
    [InlineData("a\u00a0b")]
    [InlineData("a \u00a0b")]
    [InlineData("(1 << 0) | 0x2")]
    public void KnowsTextThatIsAlreadyCollapsed(string cell)
    {
        var buffer = new TextBuffer();
        buffer.Append(cell);
        Assert.Equal(buffer.ToCollapsedString() == cell, TextBuffer.IsCollapsed("[" + cell + "]", 1, cell.Length + 1));
    }

    [Fact]
    public void CellsAreTheirContentTrimmedAndRowsArePadded()
    {
        const string markdown = "intro\n| a | b |\n|---|---|\n|  1  |\n";
        var blocks = MarkdownReader.Read(markdown, new LineMap(markdown), new DiagnosticBag());
        Assert.Equal("intro", Assert.IsType<ProseBlock>(blocks[0]).Text);
        var table = Assert.IsType<TableBlock>(blocks[1]);
        Assert.Equal(new[] { "a", "b" }, table.Header.Cells.Select(c => c.Text));
        var row = Assert.Single(table.Rows);
        Assert.Equal(new[] { "1", string.Empty }, row.Cells.Select(c => c.Text));
        Assert.Equal((4, 4), (row.Cells[0].Span.Line, row.Cells[0].Span.Column));
        Assert.Equal((4, 1), (row.Span.Line, row.Span.Column));
    }

    private static void AssertSameAsMarkdig(string markdown, string? file = null)
    {
        var lines = new LineMap(markdown);
        var expected = Describe(MarkdownReader.ReadWithPipeTables(markdown, lines));
        var actual = Describe(MarkdownReader.Read(markdown, lines, new DiagnosticBag()));
        for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            Assert.True(expected[i] == actual[i], $"{file} block line {i}:\n expected {expected[i]}\n actual   {actual[i]}");
        }

        Assert.Equal(expected.Count, actual.Count);
    }

    /// <summary>Each block, row, cell and list item as its text and where it starts.</summary>
    private static List<string> Describe(List<MarkdownBlock> blocks)
    {
        var lines = new List<string>();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case HeadingBlockText heading:
                    lines.Add($"heading {At(heading.Span)} {heading.Level} {heading.Text}");
                    break;
                case ProseBlock prose:
                    lines.Add($"prose {At(prose.Span)} {prose.InList} {prose.Text}");
                    break;
                case TableBlock table:
                    lines.Add($"table {At(table.Span)}");
                    foreach (var row in table.Rows.Prepend(table.Header))
                    {
                        // Markdig gives a row of empty cells no position; only a row with content is compared by place.
                        var placed = row.Cells.Any(c => c.Text.Length > 0);
                        lines.Add($"row {(placed ? At(row.Span) : string.Empty)} {row.Cells.Count}");
                        lines.AddRange(row.Cells.Select(c => $"cell {(c.Text.Length > 0 ? At(c.Span) : string.Empty)} {c.Text}"));
                    }

                    break;
                case CodeBlock code:
                    lines.Add($"code {At(code.Span)} {code.Language} " + string.Join("|", Enumerable.Range(0, code.LineCount).Select(i => $"{code.SourceStarts[i]}:{code.LineText(i)}")));
                    break;
                case ListBlockText list:
                    lines.Add($"list {At(list.Span)}");
                    AddItems(list.Items, 0);
                    break;
                case FrontMatterBlock frontMatter:
                    lines.Add($"front matter {At(frontMatter.Span)} " + string.Join("|", frontMatter.Lines.Select(l => l.Key + "=" + l.Value)));
                    break;
            }
        }

        return lines;

        void AddItems(IReadOnlyList<ListItemText> items, int depth)
        {
            foreach (var item in items)
            {
                lines.Add($"item {depth} {At(item.Span)} {item.Text}");
                AddItems(item.Children, depth + 1);
            }
        }
    }

    private static string At(SpecSpan span) => $"({span.Line},{span.Column})";
}
