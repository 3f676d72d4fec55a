using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>Layout tables whose fields name the struct version that first has them, in the two ways authors write them.</summary>
public sealed class VersionedLayoutTests
{
    [Fact]
    public void FieldsOfLaterVersionsStandInTheReservedBytesOfOlderOnes()
    {
        // AMD's way: the table of the newest version, with the Reserved row of the older ones kept.
        var document = TestSupport.Parse("""
            ## Report layout

            The report is 16 bytes in size.

            | Offset | Size (Bytes) | Name | First version | Description |
            |-------:|-------------:|------|:-------------:|-------------|
            | 0x00 | 4 | `version` | | The report's format version |
            | 0x04 | 4 | `flags` | | Flags |
            | 0x08 | 1 | `family` | 3 | CPU family |
            | 0x09 | 1 | `model` | 3 | CPU model |
            | 0x08 | 4 | | | Reserved (version 2) |
            | 0x0C | 4 | `mitigations` | 5 | Mitigations in force |
            """);
        document.AssertClean();
        var report = document.Struct("Report");
        Assert.Equal("version", report.VersionField?.Name);
        Assert.Equal(5u, report.NewestVersion);
        Assert.Equal(
            new[] { ("version", 0u), ("flags", 0u), ("family", 3u), ("model", 3u), ("reserved", 0u), ("mitigations", 5u) },
            report.Fields.Select(f => (f.Name, f.FirstVersion)));
    }

    [Fact]
    public void SinceColumnInAnyOrderAndTheVersionFieldNamedInFrontMatter()
    {
        // Without Reserved rows: the bytes of a newer field are reserved in older versions.
        var document = TestSupport.Parse("""
            ---
            version-fields:
              Header: format
            ---
            ### Header layout

            Since | Offset | Description | Size (Bytes)
            ----- | ------ | ----------- | ------------
            – | 0 | Format | 2
            – | 2 | Length | 2
            2 | 4 | Checksum | 4
            """);
        document.AssertClean();
        var header = document.Struct("Header");
        Assert.Equal("format", header.VersionField?.Name);
        Assert.Equal(new[] { 0u, 0u, 2u }, header.Fields.Select(f => f.FirstVersion));
    }

    [Fact]
    public void TwoFieldsInTheSameBytesStillOverlap()
    {
        var document = TestSupport.Parse("""
            ## Report layout

            | Offset | Size (Bytes) | Name | First version | Description |
            |---|---|---|---|---|
            | 0 | 4 | `version` | | Version |
            | 4 | 4 | `a` | 2 | A |
            | 4 | 4 | `b` | 3 | B |
            """);
        var overlap = document.Single("SVSM0012");
        Assert.Equal(7, overlap.Span.Line);
    }

    [Fact]
    public void VersionedFieldsWithoutAVersionFieldAreAnError()
    {
        var document = TestSupport.Parse("""
            ## Report layout

            | Offset | Size (Bytes) | Name | First version | Description |
            |---|---|---|---|---|
            | 0 | 4 | `format` | | Format |
            | 4 | 4 | `extra` | 2 | Extra |
            """);
        var missing = document.Single("SVSM0055");
        Assert.Equal(3, missing.Span.Line);
        Assert.Contains("no field is named version", missing.Message);
        Assert.DoesNotContain(document.Structs, s => s.Name == "Report");
    }

    [Fact]
    public void FrontMatterNamingAFieldTheLayoutLacksPointsAtItsLine()
    {
        var document = TestSupport.Parse("""
            ---
            version-fields:
              Report: revision
            ---
            ## Report layout

            | Offset | Size (Bytes) | Name | Since | Description |
            |---|---|---|---|---|
            | 0 | 4 | `version` | | Version |
            | 4 | 4 | `extra` | 2 | Extra |
            """);
        var missing = document.Single("SVSM0055");
        Assert.Equal(3, missing.Span.Line);
        Assert.Contains("'revision'", missing.Message);
    }

    [Theory]
    [InlineData("three")]
    [InlineData("0")]
    [InlineData("v3")]
    public void AFirstVersionThatIsNotANumberIsNamedAtItsCell(string cell)
    {
        var document = TestSupport.Parse($"""
            ## Report layout

            | Offset | Size (Bytes) | Name | First version | Description |
            |---|---|---|---|---|
            | 0 | 4 | `version` | | Version |
            | 4 | 4 | `extra` | {cell} | Extra |
            """);
        var malformed = document.Single("SVSM0002");
        Assert.Equal(6, malformed.Span.Line);
        Assert.Equal(21, malformed.Span.Column);
    }
}
