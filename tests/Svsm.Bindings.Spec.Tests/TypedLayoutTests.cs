using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>Struct tables by C type, laid out as gcc lays them out on x86-64 System V.</summary>
public sealed class TypedLayoutTests
{
    private static (int Offset, int Size)[] Layout(Model.SpecDocument document, string name) =>
        document.Struct(name).Fields.Select(f => (f.Offset, f.Size)).ToArray();

    [Fact]
    public void NaturalAlignmentPutsHolesAndTailPaddingAndReportsThemAsInfo()
    {
        // Seed 002's struct vmfwupdate is 40 bytes: 4 bytes of tail padding after the last u32.
        var document = TestSupport.Parse("""
            ### struct vmfwupdate

            Field | Type | Description
            --- | --- | ---
            capabilities | uint64_t | What the VMM offers
            fw_blob_base_addr | uint64_t | Blob address
            fw_blob_size | uint64_t | Blob size
            shared_base | uint64_t | Shared address
            flags | uint32_t | Flags
            """);
        document.AssertClean();
        Assert.Equal(40, document.Struct("vmfwupdate").Size);
        var padding = document.Single("SVSM0035");
        Assert.Contains("4 byte(s) of padding at 0x24, before the end", padding.Message);
    }

    [Fact]
    public void ArraysOnFieldOrTypeNestedStructsAndAFlexibleArrayLast()
    {
        var document = TestSupport.Parse("""
            ## `struct inner`

            | Type | Field |
            |------|-------|
            | `u8` | `tag` |
            | `__u32` | `value` |

            ## outer layout

            | Field | Type | Description |
            |---|---|---|
            | `a` | `u8[3]` | Three bytes |
            | `in` | `struct inner` | Aligned to 4 |
            | `b[2]` | `__u16` | Two halves |
            | `entries` | `u64[]` | Flexible, not counted |
            """);
        document.AssertClean();
        Assert.Equal(new[] { (0, 1), (4, 4) }, Layout(document, "inner"));
        Assert.Equal(new[] { (0, 3), (4, 8), (12, 4), (16, 0) }, Layout(document, "outer"));
        Assert.Equal(16, document.Struct("outer").Size);
        Assert.Equal(0, document.Struct("outer").Fields[3].Count);
    }

    [Fact]
    public void PackedStructsAndUnions()
    {
        var document = TestSupport.Parse("""
            ### sev_data_x

            This struct is `__packed`, as psp-sev.h declares it.

            | Field | Type |
            |---|---|
            | flag | u8 |
            | address | u64 |

            ### value union

            | Field | Type |
            |---|---|
            | whole | u64 |
            | bytes | u8[12] |
            """);
        document.AssertClean();
        Assert.Equal(new[] { (0, 1), (1, 8) }, Layout(document, "sev_data_x"));
        Assert.Equal(9, document.Struct("sev_data_x").Size);
        Assert.Equal(new[] { (0, 8), (0, 12) }, Layout(document, "value"));
        Assert.Equal(16, document.Struct("value").Size);
    }

    [Fact]
    public void AStatedSizeThatDisagreesIsAnErrorAndUnknownTypesAreReportedOnTheirCell()
    {
        var document = TestSupport.Parse("## s\n\nIt is 12 bytes in size.\n\n| Field | Type |\n|---|---|\n| a | u64 |\n| b | u32 |\n| c | struct nowhere |\n| d[] | u8 |\n| e | u8 |\n");
        Assert.Contains("stated to be 12 bytes, but its fields laid out as gcc does on x86-64 make 16", document.Single("SVSM0036").Message);
        var bad = document.Diagnostics.Where(d => d.Id == "SVSM0002").ToList();
        Assert.Equal((9, 7), (bad[0].Span.Line, bad[0].Span.Column));
        Assert.Contains("a flexible array ([]) must be the last field", bad[1].Message);
    }

    [Fact]
    public void BitFieldsShareAUnitOfTheirTypeWhileTheyFitAndBecomeABoundBitTable()
    {
        var document = TestSupport.Parse("""
            ### flags holder

            | Field | Type |
            |---|---|
            | a | u8 |
            | ready:1 | u8 |
            | mode:3 | u8 |
            | rsvd:4 | u8 |
            | big:30 | u32 |
            | more:3 | u32 |
            """);
        document.AssertClean();
        Assert.Equal(new[] { (0, 1), (1, 1), (4, 4), (8, 4) }, Layout(document, "flags holder"));
        Assert.Equal(12, document.Struct("flags holder").Size);
        var unit = document.BitFields.Single(b => b.Binding!.Member == "readyBits");
        Assert.Equal(new[] { (0, 0, "ready", false), (1, 3, "mode", false), (4, 7, "rsvd", true) }, unit.Bits.Select(b => (b.Low, b.High, b.Name, b.Reserved)));
        Assert.Equal(8, unit.Width);
        // big:30 and more:3 do not fit one u32: more starts a unit of its own; a unit's unclaimed bits are padding.
        Assert.Equal(3, document.BitFields.Count);
        Assert.Equal((30, 31, "padding", true), document.BitFields.Single(b => b.Binding!.Member == "bigBits").Bits.Select(b => (b.Low, b.High, b.Name, b.Reserved)).Last());
    }

    [Theory]
    // gcc 12 on x86-64: { u8 a; u32 b:8; } puts b in byte 1; { u32 a:8; u8 b; } puts b at offset 1;
    // { u32 a:8; u8 b:4; } puts b in byte 1. A unit of one type per run of bit-fields cannot say any of these.
    [InlineData("| a | u8 |\n| b:8 | u32 |", "b:8", 1)]
    [InlineData("| a:8 | u32 |\n| b | u8 |", "b", 1)]
    [InlineData("| a:8 | u32 |\n| b:4 | u8 |", "b:4", 1)]
    public void BitFieldsGccPacksIntoSharedBytesAreErrorsNotAnotherLayout(string rows, string field, int gccByte)
    {
        var document = TestSupport.Parse("### shared\n\n| Field | Type |\n|---|---|\n" + rows + "\n");
        var error = Assert.Single(document.Diagnostics, d => d.Id == "SVSM0043");
        Assert.Contains($"'{field}' at byte {gccByte} bit 0", error.Message, StringComparison.Ordinal);
        Assert.Equal(SpecSeverity.Error, error.Severity);
    }

    [Fact]
    public void HostileSizesAndExpressionsGetDiagnosticsNotExceptions()
    {
        var deep = new string('(', 5000) + "1" + new string(')', 5000);
        var document = TestSupport.Parse($"## huge\n\n| Field | Type |\n|---|---|\n| a | u64[2000000000] |\n| b:99999999999999999999 | u8 |\n\n## Limits\n\n| Name | Value |\n|---|---|\n| DEEP | {deep} |\n");
        var bad = document.Diagnostics.Where(d => d.Id == "SVSM0002").Select(d => d.Message).ToList();
        Assert.Contains(bad, m => m.Contains("below 1 GiB", StringComparison.Ordinal));
        Assert.Contains(bad, m => m.Contains("bit-field", StringComparison.Ordinal));
        Assert.Contains(bad, m => m.Contains("nests deeper than 64 levels", StringComparison.Ordinal));
    }
}
