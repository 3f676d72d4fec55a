using Xunit;

namespace Svsm.Bindings.Spec.Tests;

public sealed class ProtocolIdentityTests
{
    private const string CallTable = """

        | Call ID | First version supported | Name | Function |
        |---|---|---|---|
        | 0 | 1 | `SVSM_VTPM_QUERY` | Query. |

        """;

    [Theory]
    [InlineData("The vTPM protocol uses protocol ID value 2.", 2u)]
    [InlineData("This protocol has protocol ID 2 in the SVSM specification.", 2u)]
    [InlineData("The protocol ID is 0x2.", 2u)]
    [InlineData("It is assigned the protocol identifier: 2", 2u)]
    [InlineData("The vTPM interface is protocol 2 of the SVSM.", 2u)]
    [InlineData("Requests use protocol-id\nvalue 2 across\nlines.", 2u)]
    public void IdFromSentences(string sentence, uint id)
    {
        var document = TestSupport.Parse("# vTPM\n\n" + sentence + " The current version of the protocol is 1.\n" + CallTable);
        Assert.Equal(id, document.Protocol.Id);
        document.AssertNo("SVSM0020");
    }

    [Theory]
    [InlineData("The initial version of the OCP is 1.", 1u)]
    [InlineData("The current version of the vTPM protocol is 3.", 3u)]
    [InlineData("The following calls are supported by version 2 of the protocol.", 2u)]
    [InlineData("This document describes protocol version 4.", 4u)]
    [InlineData("The initial version of the protocol is 1. Version 2 of the protocol adds nothing.", 2u)]
    [InlineData("The latest version of this protocol is 2, which differs from version 5 of the draft.", 2u)]
    public void VersionFromSentences(string sentence, uint version)
    {
        var document = TestSupport.Parse("# vTPM\n\nIt uses protocol ID 2. " + sentence + "\n" + CallTable);
        Assert.Equal(version, document.Protocol.Version);
        document.AssertNo("SVSM0021");
    }

    [Fact]
    public void FrontMatterWinsOverProseAndCarriesNameePrefixAndNamespace()
    {
        var document = TestSupport.Parse("""
            ---
            protocol-id: 0x7
            version: 3
            name: "Test Protocol"
            prefix: Tst
            namespace: Contoso.Svsm.Tests
            author: ignored
            ---
            # Another title

            This uses protocol ID value 5 and the initial version of it is 1.

            | Call ID | First version supported | Name | Function |
            |---|---|---|---|
            | 0 | 3 | `SVSM_VTPM_QUERY` | Query. |
            """);
        Assert.Equal(7u, document.Protocol.Id);
        Assert.Equal(3u, document.Protocol.Version);
        Assert.Equal("Test Protocol", document.Protocol.Name);
        Assert.Equal("Tst", document.Protocol.Prefix);
        Assert.Equal("Contoso.Svsm.Tests", document.Protocol.Namespace);
        document.AssertNo("SVSM0005");
    }

    [Fact]
    public void BadFrontMatterValuesAreErrorsOnTheirLine()
    {
        var document = TestSupport.Parse("---\nprotocol-id: five\nnamespace: 1Bad.Name\n---\n# T\n" + CallTable);
        var diagnostics = document.Diagnostics.Where(d => d.Id == "SVSM0024").ToList();
        Assert.Equal(new[] { 2, 3 }, diagnostics.Select(d => d.Span.Line));
        Assert.All(diagnostics, d => Assert.Equal(1, d.Span.Column));
    }

    [Fact]
    public void CallsWithoutIdGetAWarningThatAsksForFrontMatter()
    {
        var document = TestSupport.Parse("# Some protocol\n\nNo numbers here.\n" + CallTable);
        Assert.Null(document.Protocol.Id);
        Assert.Contains("front matter", document.Single("SVSM0020").Message);
        document.Single("SVSM0021");
        Assert.Equal(Model.SpecSeverity.Warning, document.Single("SVSM0020").Severity);
    }

    [Fact]
    public void NoCallsMeansNoIdentityWarnings()
    {
        var document = TestSupport.Parse("# Just a layout\n\n| Offset | Size (Bytes) | Description |\n|---|---|---|\n| 0 | 4 | Flags |\n");
        document.AssertNo("SVSM0020");
        document.AssertNo("SVSM0021");
    }

    [Fact]
    public void DisagreeingIdSentencesAreReported()
    {
        var document = TestSupport.Parse("# P\n\nIt uses protocol ID value 2.\n\nLater: protocol ID 3.\n" + CallTable);
        Assert.Equal(2u, document.Protocol.Id);
        Assert.Equal(5, document.Single("SVSM0029").Span.Line);
    }

    [Fact]
    public void PrefixFallsBackToNullWhenCallsDoNotShareASegment()
    {
        var document = TestSupport.Parse("""
            protocol ID 1, protocol version 1

            | Call ID | First version supported | Name | Function |
            |---|---|---|---|
            | 0 | 1 | SVSM_ATTEST_SERVICES | a |
            | 1 | 1 | SVSM_CORE_X | b |
            """);
        Assert.Null(document.Protocol.Prefix);
    }

    [Fact]
    public void DraftMarkerIsDroppedFromTheName()
    {
        var document = TestSupport.Parse("# **[DRAFT]** SVSM Thing Protocol\n");
        Assert.Equal("SVSM Thing Protocol", document.Protocol.Name);
        Assert.False(document.HasDefinitions);
        // A heading alone defines nothing: the file is not silently empty.
        Assert.Equal("SVSM0044", Assert.Single(document.Diagnostics).Id);
    }
}
