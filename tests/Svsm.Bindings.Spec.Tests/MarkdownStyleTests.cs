using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>The same spec written in other legal Markdown styles reads the same.</summary>
public sealed class MarkdownStyleTests
{
    private const string Reference = """
        ---
        protocol-id: 5
        version: 1
        ---
        # P

        | Call ID | First version supported | Name | Function |
        |---|---|---|---|
        | 0 | 1 | `SVSM_P_GO` | Go. |

        ## SVSM_P_GO Call

        ### Registers

        | Register | Size (Bytes) | Alignment | In/Out | Description |
        |---|---|---|---|---|
        | RAX | 4 | | OUT | Result value |
        | RCX | 8 | 8 | IN | GPA of the buffer |
        """;

    private static string Shape(SpecDocument document) =>
        string.Join(";", document.Calls.Select(c => $"{c.Id}:{c.Name}:" + string.Join(",", c.Registers.Select(r => $"{r.Register}/{r.Direction}/{r.Size}/{r.Alignment}/{r.Name}"))));

    [Theory]
    [InlineData("crlf")]
    [InlineData("trailing-spaces")]
    [InlineData("no-outer-pipes")]
    [InlineData("alignment-markers")]
    [InlineData("tabs-and-padding")]
    public void StylesReadTheSame(string style)
    {
        var text = style switch
        {
            "crlf" => Reference.Replace("\n", "\r\n"),
            "trailing-spaces" => string.Join("\n", Reference.Split('\n').Select(l => l + "   ")),
            "no-outer-pipes" => string.Join("\n", Reference.Split('\n').Select(l => l.StartsWith('|') ? l.Trim('|', ' ') : l)),
            "alignment-markers" => Reference.Replace("|---|---|---|---|---|", "|:---|---:|:--:|:-:|:--|").Replace("|---|---|---|---|", "|--:|:--|:-:|---|"),
            "tabs-and-padding" => Reference.Replace("| RCX | 8 | 8 | IN |", "|   RCX\t|  8  |   8   |\tIN   |"),
            _ => throw new ArgumentOutOfRangeException(nameof(style)),
        };
        var expected = TestSupport.Parse(Reference);
        var actual = TestSupport.Parse(text);
        Assert.Equal(Shape(expected), Shape(actual));
        actual.AssertClean();
    }

    [Fact]
    public void CrlfKeepsLineNumbers()
    {
        var lf = TestSupport.Parse(Reference);
        var crlf = TestSupport.Parse(Reference.Replace("\n", "\r\n"));
        Assert.Equal(lf.Calls[0].Registers.Select(r => r.Span.Line), crlf.Calls[0].Registers.Select(r => r.Span.Line));
    }

    [Fact]
    public void EscapedPipesStayInsideTheirCell()
    {
        var document = TestSupport.Parse(Reference.Replace("| GPA of the buffer |", "| GPA of the buffer (`a \\| b`, or c \\| d) |"));
        var rcx = document.Call("SVSM_P_GO").Registers.Single(r => r.Register == "RCX");
        Assert.Equal("GPA of the buffer (a | b, or c | d)", rcx.Description);
        Assert.Equal(8, rcx.Alignment);
    }

    [Fact]
    public void TablesInsideBlockQuotesAreRead()
    {
        var quoted = string.Join("\n", Reference.Split('\n').Select((l, i) => i < 4 ? l : "> " + l));
        Assert.Equal(Shape(TestSupport.Parse(Reference)), Shape(TestSupport.Parse(quoted)));
    }

    [Fact]
    public void EmailHeaderAndFooterAroundTheMarkdownAreHarmless()
    {
        var mail = "From: someone @ 2026-01-01\n  To: list\n\nHi all,\n\n----\n\n" + Reference.Substring(Reference.IndexOf("# P", StringComparison.Ordinal)) +
            "\n\n^ permalink raw reply\t[flat|nested] 7+ messages in thread\n";
        var document = TestSupport.Parse(mail.Replace("# P\n", "# P\n\nIt uses protocol ID value 5; the current version of the protocol is 1.\n"));
        Assert.Equal(Shape(TestSupport.Parse(Reference)), Shape(document));
        Assert.Equal(5u, document.Protocol.Id);
    }

    [Fact]
    public void ReadmeWithoutSpecTablesHasNoDefinitionsAndSaysWhatItSaw()
    {
        var document = TestSupport.Parse("# Readme\n\nSome text.\n\n| Key | Value |\n|---|---|\n| a | b |\n\n```\n| Call ID | not a table |\n```\n");
        Assert.False(document.HasDefinitions);
        var warning = Assert.Single(document.Diagnostics);
        Assert.Equal(("SVSM0044", SpecSeverity.Warning), (warning.Id, warning.Severity));
        Assert.Contains("This file has 1 table and 1 code block, but no call, struct or constant was recognised", warning.Message);
    }

    [Fact]
    public void EmptyAndWhitespaceDocumentsAreEmpty()
    {
        foreach (var text in new[] { string.Empty, " ", "\n\n", "\r", "---\n---\n" })
        {
            var document = TestSupport.Parse(text);
            Assert.False(document.HasDefinitions);
            Assert.Empty(document.Diagnostics);
        }
    }

    [Fact]
    public void ColumnsCountCharactersFromOne()
    {
        var document = TestSupport.Parse(Reference.Replace("| RCX | 8 | 8 | IN |", "|\tRCX | 8 | 3 | IN |"));
        var error = document.Single("SVSM0009");
        Assert.Equal((18, 13), (error.Span.Line, error.Span.Column));
        Assert.Equal(1, error.Span.Length);
    }
}
