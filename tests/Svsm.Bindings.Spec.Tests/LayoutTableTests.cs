using Xunit;

namespace Svsm.Bindings.Spec.Tests;

public sealed class LayoutTableTests
{
    [Fact]
    public void HexAndDecimalOffsetsNameColumnAndReservedFields()
    {
        var document = TestSupport.Parse("""
            ## PVALIDATE request layout

            The request is 16 bytes in size.

            Name | Description | Size (Bytes) | Offset
            ---- | ----------- | -----------: | -----:
            num_entries | Number of entries | 2 | 0x00
            `cur_index` | Index of the current entry | 2 | `0x02`
            | | Reserved, must be zero | 4 | 4 |
            entry0 | First entry | 8 | 08h
            """);
        document.AssertClean();
        var request = document.Struct("PVALIDATE request");
        Assert.Equal(16, request.Size);
        Assert.Equal(
            new[] { (0, 2, "numEntries", false), (2, 2, "curIndex", false), (4, 4, "reserved", true), (8, 8, "entry0", false) },
            request.Fields.Select(f => (f.Offset, f.Size, f.Name, f.Reserved)));
    }

    [Theory]
    [InlineData("One entry is 24 bytes in size.")]
    [InlineData("Each descriptor is 0x18 bytes long.")]
    [InlineData("The structure has a size of 24 bytes.")]
    [InlineData("Its size is 24 bytes, naturally aligned.")]
    public void SizeSentences(string sentence)
    {
        var document = TestSupport.Parse($"""
            ### Descriptor layout

            | Offset | Size (Bytes) | Description |
            |---|---|---|
            | 0 | 8 | Base |
            | 8 | 8 | Limit |
            | 16 | 8 | Reserved |

            {sentence}
            """);
        var descriptor = document.Struct("Descriptor");
        Assert.True(descriptor.SizeDeclared);
        Assert.Equal(24, descriptor.Size);
        document.AssertClean();
    }

    [Fact]
    public void SizeFromFrontMatter()
    {
        var document = TestSupport.Parse("""
            ---
            sizes:
              Location entry: 16
            ---
            ### Location entry layout

            | Offset | Size (Bytes) | Description |
            |---|---|---|
            | 0 | 8 | GPA |
            | 8 | 4 | Length |
            | 12 | 4 | Reserved |
            """);
        Assert.Equal(16, document.Struct("Location entry").Size);
        Assert.True(document.Struct("Location entry").SizeDeclared);
    }

    [Fact]
    public void UnstatedSizeIsTheFieldsExtentWithAnInfo()
    {
        var document = TestSupport.Parse("""
            ### Pair

            | Offset | Size (Bytes) | Description |
            |---|---|---|
            | 0 | 4 | Left |
            | 4 | 4 | Right |
            """);
        Assert.Equal(8, document.Struct("Pair").Size);
        Assert.Equal(Model.SpecSeverity.Info, document.Single("SVSM0025").Severity);
    }

    [Theory]
    [InlineData("0x1EB", 491)]
    [InlineData("0x1EB ", 491)]
    [InlineData("1EBh", 491)]
    [InlineData("8B", 8)]
    [InlineData("8 B", 8)]
    [InlineData("8 bytes", 8)]
    public void ATrailingBIsAHexDigitUnlessItIsAUnit(string cell, int expected)
    {
        Assert.True(Svsm.Bindings.Spec.Recognising.CellValues.TryParseSize(cell, out var value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void ByteRangesGiveTheSize()
    {
        var document = TestSupport.Parse("""
            ### Report layout

            The report is 0x20 bytes in size.

            | Offset | Size (Bytes) | Description |
            |---|---|---|
            | 00h–03h | | Version |
            | 0x04-0x07 | 4 | Guest SVN |
            | 0x08 - 0x1F | | Reserved |
            """);
        document.AssertClean();
        Assert.Equal(new[] { (0, 4), (4, 4), (8, 24) }, document.Struct("Report").Fields.Select(f => (f.Offset, f.Size)));
    }

    [Fact]
    public void OverlapIsAnError()
    {
        var document = TestSupport.Parse("""
            ### S layout

            S is 8 bytes in size.

            | Offset | Size (Bytes) | Description |
            |---|---|---|
            | 0 | 4 | A |
            | 2 | 4 | B |
            | 6 | 2 | C |
            """);
        var error = document.Single("SVSM0012");
        Assert.Equal((8, 1), (error.Span.Line, error.Span.Column));
        Assert.Contains("'b'", error.Message);
        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public void FieldPastDeclaredSizeIsAnError()
    {
        var document = TestSupport.Parse("""
            ### S layout

            S is 8 bytes in size.

            | Offset | Size (Bytes) | Description |
            |---|---|---|
            | 0 | 4 | A |
            | 4 | 8 | B |
            """);
        Assert.Equal(8, document.Single("SVSM0013").Span.Line);
    }

    [Fact]
    public void ContradictingSizeStatementsAreAnError()
    {
        var document = TestSupport.Parse("""
            ---
            sizes:
              S: 8
            ---
            ### S layout

            S is 12 bytes in size.

            | Offset | Size (Bytes) | Description |
            |---|---|---|
            | 0 | 8 | A |
            """);
        var error = document.Single("SVSM0014");
        Assert.Equal(7, error.Span.Line);
        Assert.Contains("front matter", error.Message);
        // Which size is meant is not known: the struct is left out, and the error says so.
        Assert.Empty(document.Structs);
        Assert.EndsWith("Not generated: struct 'S'.", error.Message);
    }

    [Fact]
    public void GapsAreWarningsIncludingTheTail()
    {
        var document = TestSupport.Parse("""
            ### S layout

            S is 16 bytes in size.

            | Offset | Size (Bytes) | Description |
            |---|---|---|
            | 0 | 4 | A |
            | 8 | 4 | B |
            """);
        var gaps = document.Diagnostics.Where(d => d.Id == "SVSM0017").ToList();
        Assert.Equal(2, gaps.Count);
        var inner = Assert.Single(gaps, g => g.Message.Contains("0x04-0x07 (4 bytes)"));
        Assert.Equal(8, inner.Span.Line);
        var tail = Assert.Single(gaps, g => g.Message.Contains("0x0C-0x0F (4 bytes)"));
        Assert.Equal(5, tail.Span.Line);
        Assert.All(gaps, g => Assert.Equal(Model.SpecSeverity.Warning, g.Severity));
    }

    [Theory]
    [InlineData("| x | 4 | A |", "offset")]
    [InlineData("| 0 | big | A |", "field size")]
    [InlineData("| 0 | 0 | A |", "field size")]
    [InlineData("| 0x00-0x03 | 8 | A |", "field size")]
    public void MalformedCellsAreErrors(string row, string what)
    {
        var document = TestSupport.Parse($"""
            ### S

            | Offset | Size (Bytes) | Description |
            |---|---|---|
            {row}
            """);
        Assert.Contains(what, document.Single("SVSM0002").Message);
    }

    [Fact]
    public void StructNameDropsTrailingLayoutInAnyCase()
    {
        var document = TestSupport.Parse("""
            #### Services manifest header LAYOUT

            | Offset | Size (Bytes) | Description |
            |---|---|---|
            | 0 | 16 | GUID |
            """);
        Assert.Equal("Services manifest header", Assert.Single(document.Structs).Name);
    }

    [Fact]
    public void DuplicateFieldNameCellsAreErrors()
    {
        var document = TestSupport.Parse("""
            ### S

            | Offset | Size (Bytes) | Description | Name |
            |---|---|---|---|
            | 0 | 4 | A | len |
            | 4 | 4 | B | len |
            """);
        Assert.Equal(6, document.Single("SVSM0026").Span.Line);
    }

    [Fact]
    public void TwoLayoutsUnderOneHeadingKeepTheirOwnSizeSentences()
    {
        var document = TestSupport.Parse("""
            ## Requests

            ### First layout

            First is 4 bytes in size.

            | Offset | Size (Bytes) | Description |
            |---|---|---|
            | 0 | 4 | A |

            ### Second layout

            Second is 8 bytes in size.

            | Offset | Size (Bytes) | Description |
            |---|---|---|
            | 0 | 8 | B |
            """);
        document.AssertClean();
        Assert.Equal(new[] { ("First", 4), ("Second", 8) }, document.Structs.Select(s => (s.Name, s.Size)));
    }
}
