using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

public sealed class BitTableTests
{
    private const string EntryLayout = """
        ### Page entry layout

        An entry is 8 bytes in size.

        | Offset | Size (Bytes) | Name | Description |
        |---|---|---|---|
        | 0 | 2 | Attributes | Page attributes |
        | 2 | 2 | Count | Number of pages |
        | 4 | 4 | Reserved | Reserved |

        """ + "\n";

    [Theory]
    [InlineData("The Attributes of each entry are a bit field:")]
    [InlineData("These bits make up the attributes.")]
    [InlineData("Bits of `Attributes`:")]
    public void BindsToTheFieldTheSentenceBeforeNames(string sentence)
    {
        var document = TestSupport.Parse(EntryLayout + sentence + """


            | Bit(s) | Name | Description |
            |---|---|---|
            | 1:0 | PAGE_SIZE | Page size |
            | 2 | ACTION | Validate or rescind |
            | 15:3 | Reserved, MBZ | Reserved |
            """);
        document.AssertClean();
        var bits = Assert.Single(document.BitFields);
        Assert.Equal(new BitFieldBinding(BindingKind.StructField, "Page entry", "attributes"), bits.Binding);
        Assert.Equal(16, bits.Width);
        Assert.Equal("Page entry attributes", bits.Name);
        Assert.Equal(new[] { (0, 1, "PAGE_SIZE", false), (2, 2, "ACTION", false), (3, 15, "Reserved", true) }, bits.Bits.Select(b => (b.Low, b.High, b.Name, b.Reserved)));
    }

    [Fact]
    public void BindsThroughTheHeadingWhenNoSentenceNamesAField()
    {
        var document = TestSupport.Parse(EntryLayout + """
            #### Count bits

            | Bit(s) | Name | Description |
            |---|---|---|
            | 15:0 | VALUE | The count |
            """);
        Assert.Equal("Page entry.count", Assert.Single(document.BitFields).BoundTo);
    }

    [Fact]
    public void BindsToARegisterOfTheEnclosingCall()
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters("""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 8 | | IN | Vector configuration |

            The RCX register holds:

            Bit(s) | Name | Description
            --- | --- | ---
            7:0 | VECTOR | The vector
            8 | ENABLE | Enable
            9 | ALL | All vectors
            63:10 | Reserved – must be zero | Reserved
            """, "## SVSM_T_RUN Call"));
        document.AssertClean();
        var bits = Assert.Single(document.BitFields);
        Assert.Equal(new BitFieldBinding(BindingKind.Register, "SVSM_T_RUN", "RCX"), bits.Binding);
        Assert.Equal(64, bits.Width);
        Assert.True(bits.Bits.Last().Reserved);
    }

    [Theory]
    [InlineData("Reserved – MBZ")]
    [InlineData("Reserved - MBZ")]
    [InlineData("Reserved — MBZ")]
    [InlineData("Reserved, MBZ")]
    [InlineData("reserved")]
    [InlineData("RSVD")]
    [InlineData("`Reserved`")]
    public void ReservedSpellings(string name)
    {
        var document = TestSupport.Parse($"""
            ### Standalone flags

            | Bit(s) | Name | Description |
            |---|---|---|
            | 0 | ON | On |
            | 7:1 | {name} | Other bits |
            """);
        var bits = Assert.Single(document.BitFields);
        Assert.True(bits.Bits[1].Reserved);
        Assert.Equal("Reserved", bits.Bits[1].Name);
    }

    [Theory]
    [InlineData("5", 8)]
    [InlineData("15:8", 16)]
    [InlineData("31:16", 32)]
    [InlineData("63:32", 64)]
    public void StandaloneTablesTakeTheSmallestWidthThatHoldsTheHighestBit(string highest, int width)
    {
        var document = TestSupport.Parse($"""
            ### Feature bits

            Nothing here names a field.

            | Bit(s) | Name | Description |
            |---|---|---|
            | 0 | A | a |
            | {highest} | B | b |
            """);
        var bits = Assert.Single(document.BitFields);
        Assert.Null(bits.Binding);
        Assert.Equal(width, bits.Width);
        Assert.Equal("Feature bits", bits.Name);
        document.Single("SVSM0028");
    }

    [Fact]
    public void OverlappingBitsAreAnError()
    {
        var document = TestSupport.Parse(EntryLayout + """
            The attributes are:

            | Bit(s) | Name | Description |
            |---|---|---|
            | 3:0 | A | a |
            | 2 | B | b |
            | 15:4 | Reserved | r |
            """);
        var error = document.Single("SVSM0015");
        Assert.Equal((16, 1), (error.Span.Line, error.Span.Column));
    }

    [Fact]
    public void BitsPastTheBoundFieldAreAnError()
    {
        var document = TestSupport.Parse(EntryLayout + """
            The attributes are:

            | Bit(s) | Name | Description |
            |---|---|---|
            | 0 | A | a |
            | 31:1 | Reserved | r |
            """);
        var error = document.Single("SVSM0016");
        Assert.Contains("16 bits wide", error.Message);
        Assert.Contains("Page entry.attributes", error.Message);
    }

    [Fact]
    public void UndefinedBitsAreAWarningListingThem()
    {
        var document = TestSupport.Parse(EntryLayout + """
            The attributes are:

            | Bit(s) | Name | Description |
            |---|---|---|
            | 0 | A | a |
            | 4 | B | b |
            | 15:8 | Reserved | r |
            """);
        var warning = document.Single("SVSM0018");
        Assert.Contains("3:1, 7:5", warning.Message);
        Assert.Equal(SpecSeverity.Warning, warning.Severity);
    }

    [Theory]
    [InlineData("`31:1`", 1, 31)]
    [InlineData("1:31", 1, 31)]
    [InlineData("31-1", 1, 31)]
    [InlineData("[31..1]", 1, 31)]
    [InlineData("Bits 7 : 2", 2, 7)]
    public void BitRangeSpellings(string cell, int low, int high)
    {
        var document = TestSupport.Parse($"""
            ### X

            | Bit(s) | Name | Description |
            |---|---|---|
            | {cell} | F | f |
            """);
        var bit = Assert.Single(Assert.Single(document.BitFields).Bits);
        Assert.Equal((low, high), (bit.Low, bit.High));
    }

    [Fact]
    public void MalformedBitCellIsAnError()
    {
        var document = TestSupport.Parse("### X\n\n| Bit(s) | Name | Description |\n|---|---|---|\n| high | F | f |\n");
        Assert.Contains("bit position", document.Single("SVSM0002").Message);
    }
}
