using Svsm.Bindings.Spec.Comparing;
using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>
/// <see cref="SpecDiff"/> on seed 000 (specs/ocp.md, the OCP draft as posted) against versions of it made here, one
/// per rule; the same protocol in two styles; and small versioned layouts for reserved bytes.
/// </summary>
public sealed class SpecDiffTests
{
    private static readonly string Ocp = TestSupport.ReadRepositoryFile("specs", "ocp.md");

    private static string Edit(string from, string to, string? text = null)
    {
        text ??= Ocp;
        Assert.Contains(from, text);
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    private static IReadOnlyList<SpecChange> Diff(string oldText, string newText)
    {
        var oldSpec = TestSupport.Parse(oldText);
        var newSpec = TestSupport.Parse(newText);
        Assert.False(oldSpec.HasErrors, TestSupport.Describe(oldSpec));
        Assert.False(newSpec.HasErrors, TestSupport.Describe(newSpec));
        return SpecDiff.Compare(ProtocolSurface.From(oldSpec), ProtocolSurface.From(newSpec));
    }

    private static SpecChange One(string oldText, string newText, string id)
    {
        var changes = Diff(oldText, newText);
        var change = Assert.Single(changes);
        Assert.Equal(id, change.Diagnostic.Id);
        return change;
    }

    private static int LineOf(string text, string what) => text[..text.IndexOf(what, StringComparison.Ordinal)].Count(c => c == '\n') + 1;

    private const string ListRow = "| 0 | 1 | `SVSM_OCP_LIST` |";
    private const string WriteRow = "| 2 | 1 | `SVSM_OCP_WRITE` | Write data to a configuration source. |";
    private const string Initial = "the OCP is 1. Versioning";
    private const string ReservedFlags = "| 31:1   | Reserved – MBZ | All other bits are reserved and must be zero.  |";

    [Fact]
    public void TheSameSpecIsNoChange() => Assert.Empty(Diff(Ocp, Ocp));

    [Fact]
    public void OneProtocolAsTablesAndAsCodeIsNoChange()
    {
        var code = TestSupport.ReadRepositoryFile("tests", "Svsm.Bindings.Spec.Tests", "TestSpecs", "ocp-code.md");
        Assert.Empty(Diff(Ocp, code));
        Assert.Empty(Diff(code, Ocp));
    }

    [Fact]
    public void ACallOfANewVersionIsAdditive()
    {
        var next = Edit(WriteRow, WriteRow + "\n| 3 | 2 | `SVSM_OCP_RESET` | Reset a source. |", Edit(Initial, "the OCP is 2. Versioning"));
        var change = One(Ocp, next, "SVSM0066");
        Assert.False(change.IsBreaking);
        Assert.Equal(LineOf(next, "| 3 | 2 |"), change.Diagnostic.Span.Line);
        Assert.Contains("'SVSM_OCP_RESET' (call 3) is new in version 2", change.Diagnostic.Message);
    }

    [Fact]
    public void ANewCallInTheReleasedVersionIsBreaking()
    {
        var change = One(Ocp, Edit(WriteRow, WriteRow + "\n| 3 | 1 | `SVSM_OCP_RESET` | Reset a source. |"), "SVSM0061");
        Assert.True(change.IsBreaking);
    }

    [Fact]
    public void ANewStructAndANewResultCodeAreAdditive()
    {
        var next = Ocp + "\n\n## Statistics\n\n```c\nstruct ocp_stats {\n\t__u32 reads;\n\t__u32 writes;\n};\n\n// --- Errors ---\n#define SVSM_ERR_OCP_BUSY 0x80001000\n```\n";
        var changes = Diff(Ocp, next);
        Assert.Equal(2, changes.Count);
        Assert.All(changes, c => Assert.Equal("SVSM0066", c.Diagnostic.Id));
        Assert.Contains(changes, c => c.Diagnostic.Message.Contains("struct 'ocp_stats' (8 bytes) is new", StringComparison.Ordinal));
        Assert.Contains(changes, c => c.Diagnostic.Message.Contains("result code 'SVSM_ERR_OCP_BUSY' (0x80001000) is new", StringComparison.Ordinal));

        // The code renumbered, or its value taken by another name, breaks callers of the version that had it.
        var renumbered = One(next, next.Replace("SVSM_ERR_OCP_BUSY 0x80001000", "SVSM_ERR_OCP_BUSY 0x80001001", StringComparison.Ordinal), "SVSM0064");
        Assert.Contains("was 0x80001000 and is now 0x80001001", renumbered.Diagnostic.Message);
        Assert.NotNull(renumbered.Was);
        var renamed = One(next, next.Replace("SVSM_ERR_OCP_BUSY 0x80001000", "SVSM_ERR_OCP_GONE 0x80001000", StringComparison.Ordinal), "SVSM0064");
        Assert.Contains("'SVSM_ERR_OCP_BUSY' is now named 'SVSM_ERR_OCP_GONE' (0x80001000)", renamed.Diagnostic.Message);
        var replaced = Diff(next, next.Replace("#define SVSM_ERR_OCP_BUSY 0x80001000\n", "#define SVSM_ERR_OCP_OTHER 0x80001001\n", StringComparison.Ordinal));
        Assert.Equal(["SVSM0064", "SVSM0066"], replaced.Select(c => c.Diagnostic.Id).Order());
        Assert.Contains(replaced, c => c.Diagnostic.Message.Contains("'SVSM_ERR_OCP_BUSY' is gone (it was 0x80001000)", StringComparison.Ordinal));
    }

    [Fact]
    public void ABitGivenMeaningInANewProtocolVersionIsAdditiveAndWithinTheVersionBreaking()
    {
        var withBit = Edit(ReservedFlags, "| 1      | `VOLATILE`     | The source changes.                            |\n| 31:2   | Reserved – MBZ | All other bits are reserved and must be zero.  |");
        var breaking = One(Ocp, withBit, "SVSM0063");
        Assert.Contains("bit 1 (bit 'VOLATILE'), which protocol version 1 reserves", breaking.Diagnostic.Message);
        Assert.Equal(LineOf(withBit, "`VOLATILE`"), breaking.Diagnostic.Span.Line);

        var additive = One(Ocp, Edit(Initial, "the OCP is 2. Versioning", withBit), "SVSM0066");
        Assert.Contains("bit 'VOLATILE' (bit 1) is new in version 2", additive.Diagnostic.Message);
    }

    [Fact]
    public void ACallRemovedRenumberedRenamedOrItsIdReusedIsBreaking()
    {
        var removed = One(Ocp, Edit(WriteRow + "\n", ""), "SVSM0056");
        Assert.Equal(LineOf(Ocp, WriteRow), removed.Was!.Value.Line);

        var renumbered = One(Ocp, Edit("| 1 | 1 | `SVSM_OCP_READ`", "| 3 | 1 | `SVSM_OCP_READ`"), "SVSM0057");
        Assert.Contains("'SVSM_OCP_READ' was call 1 and is now call 3", renumbered.Diagnostic.Message);
        Assert.Equal(LineOf(Ocp, "| 1 | 1 | `SVSM_OCP_READ`"), renumbered.Diagnostic.Span.Line);
        Assert.Equal(renumbered.Diagnostic.Span.Line, renumbered.Was!.Value.Line);

        var renamed = One(Ocp, Ocp.Replace("SVSM_OCP_READ", "SVSM_OCP_FETCH", StringComparison.Ordinal), "SVSM0058");
        Assert.Contains("Call 1 was 'SVSM_OCP_READ' and is now 'SVSM_OCP_FETCH'", renamed.Diagnostic.Message);

        // Renamed and given other registers: the id now means another call.
        var reusedText = Ocp.Replace("SVSM_OCP_READ", "SVSM_OCP_FETCH", StringComparison.Ordinal)
            .Replace("| `R9`     | 4            |           | IN     | Byte offset into data to start read from ", "| `R9`     | 8            |           | IN     | Byte offset into data to start read from ", StringComparison.Ordinal);
        Assert.NotEqual(Ocp.Replace("SVSM_OCP_READ", "SVSM_OCP_FETCH", StringComparison.Ordinal), reusedText);
        One(Ocp, reusedText, "SVSM0059");
    }

    [Theory]
    [InlineData("| `R8`     | 4            |           | IN     | Number of array entries to return      |", "| `R8`     | 8            |           | IN     | Number of array entries to return      |", "R8 IN, 4 bytes is now R8 IN, 8 bytes")]
    [InlineData("| `R8`     | 4            |           | IN     | Number of array entries to return      |", "| `R8`     | 4            |           | OUT    | Number of array entries to return      |", "R8 IN, 4 bytes is now R8 OUT, 4 bytes")]
    [InlineData("| `RDX`    | 8            |         8 | IN     | GPA of a buffer to store array entries |", "| `RDX`    | 8            |        16 | IN     | GPA of a buffer to store array entries |", "RDX IN, 8 bytes, 8-aligned is now RDX IN, 8 bytes, 16-aligned")]
    public void ARegisterChangedWithinTheVersionIsBreaking(string from, string to, string says)
    {
        var next = Edit(from, to);
        var change = One(Ocp, next, "SVSM0060");
        Assert.Contains("'SVSM_OCP_LIST' changed within version 1", change.Diagnostic.Message);
        Assert.Contains(says, change.Diagnostic.Message);
        Assert.Equal(LineOf(next, to), change.Diagnostic.Span.Line);
    }

    [Fact]
    public void AFieldResizedOrMovedIsBreaking()
    {
        // The entry states its size (128 bytes), so only the field changes.
        var change = One(Ocp, Edit("| `0x04` | 124          |", "| `0x04` | 120          |"), "SVSM0062");
        Assert.Contains("'Source entry' field 'name' was bytes 0x4..0x7F (124 bytes) and is now bytes 0x4..0x7B (120 bytes)", change.Diagnostic.Message);

        var code = "# S\n\n```c\nstruct s {\n\t__u32 a;\n\t__u32 b;\n};\n```\n";
        var shrunk = Diff(code, code.Replace("\t__u32 b;\n", "", StringComparison.Ordinal));
        Assert.Equal(["SVSM0062", "SVSM0062"], shrunk.Select(c => c.Diagnostic.Id));
        Assert.Contains(shrunk, c => c.Diagnostic.Message == "'s' field 'b' is gone (it was bytes 0x4..0x7 (4 bytes))");
        Assert.Contains(shrunk, c => c.Diagnostic.Message == "'s' shrank from 8 to 4 bytes");
    }

    private const string Versioned = """
        ---
        name: Test record
        ---

        # Test record

        ## Record layout

        The record is 16 bytes in size.

        | Offset | Size | First version | Name | Description |
        |-------:|-----:|--------------:|------|-------------|
        | 0x00 | 4 | | `version` | Layout version |
        | 0x04 | 4 | 1 | `flags` | Flags |
        | 0x08 | 8 | | | Reserved |
        """;

    [Fact]
    public void AFieldOfANewerVersionInReservedBytesIsAdditiveAndOfAReleasedOneBreaking()
    {
        var additive = One(Versioned, Versioned.Replace("| 0x08 | 8 | | | Reserved |", "| 0x08 | 4 | 2 | `count` | Entries |\n| 0x0C | 4 | | | Reserved |", StringComparison.Ordinal), "SVSM0066");
        Assert.Contains("'Record' field 'count' is new in version 2, in bytes 0x8..0xB (4 bytes), which the old layout reserves", additive.Diagnostic.Message);

        var breaking = One(Versioned, Versioned.Replace("| 0x08 | 8 | | | Reserved |", "| 0x08 | 4 | 1 | `count` | Entries |\n| 0x0C | 4 | | | Reserved |", StringComparison.Ordinal), "SVSM0063");
        Assert.Contains("bytes 0x8..0xB (4 bytes) (field 'count'), which layout version 1 reserves", breaking.Diagnostic.Message);
        Assert.True(breaking.IsBreaking);
    }

    [Fact]
    public void SpecsOfDifferentProtocolsAreReportedAsSuch()
    {
        var change = One(Ocp, TestSupport.ReadRepositoryFile("specs", "core.md"), "SVSM0067");
        Assert.Contains("the old one is protocol 5", change.Diagnostic.Message);
        Assert.Contains("the new one protocol 0", change.Diagnostic.Message);
    }

    [Fact]
    public void ABaselineRoundTripsAndRefusesWhatItCannotRead()
    {
        var surface = ProtocolSurface.From(TestSupport.Parse(Ocp));
        var baseline = new ShippedBaseline("ocp.md", EquatableArray<ProtocolSurface>.Empty).With(surface);
        var json = baseline.ToJson("0.1.0");
        var read = ShippedBaseline.Parse(json);
        Assert.Equal(json, read.ToJson("0.1.0"));
        Assert.Empty(SpecDiff.Compare(read.Newest!, surface));
        Assert.Equal("specs/ocp.shipped.json", ShippedBaseline.PathFor("specs/ocp.md"));

        Assert.Contains("line 1", Assert.Throws<JsonTextException>(() => ShippedBaseline.Parse("{ not json")).Message);
        Assert.Contains("'versions' is missing", Assert.Throws<JsonTextException>(() => ShippedBaseline.Parse("{\"format\": 1}")).Message);
        var newer = Assert.Throws<JsonTextException>(() => ShippedBaseline.Parse(json.Replace("\"format\": 1", "\"format\": 2", StringComparison.Ordinal)));
        Assert.Contains("written by a newer svsm-bindgen", newer.Message);
    }
}
