using Xunit;

namespace Svsm.Bindings.Spec.Tests;

public sealed class CallTableTests
{
    [Fact]
    public void ColumnsInAnyOrderWithoutOuterPipesAndHexIds()
    {
        var document = TestSupport.Parse("""
            ---
            protocol-id: 3
            version: 2
            ---
            # APIC

            Name | Function | Call ID | First version supported
            :--- | :------- | ------: | :---:
            SVSM_APIC_QUERY_FEATURES | Query features. | 0x0 | 1
            `SVSM_APIC_CONFIGURE` | Configure. | 0x01 | 2

            ## SVSM_APIC_QUERY_FEATURES Call

            ### Registers

            Register | Size (Bytes) | Alignment | In/Out | Description
            --- | --- | --- | --- | ---
            RAX | 8 | | OUT | Result value
            RCX | 8 | | OUT | Features

            ## SVSM_APIC_CONFIGURE Call

            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RAX | 8 | | OUT | Result value |
            """);
        document.AssertClean();
        Assert.Equal(new[] { (0u, "SVSM_APIC_QUERY_FEATURES", 1u, "Query features.", 9), (1u, "SVSM_APIC_CONFIGURE", 2u, "Configure.", 10) },
            document.Calls.Select(c => (c.Id, c.Name, c.SinceVersion, c.Function, c.Span.Line)));
        Assert.Equal("Apic", document.Protocol.Prefix);
    }

    [Fact]
    public void DuplicateIdsAndNamesAreErrorsAtTheirCells()
    {
        var document = TestSupport.Parse("""
            protocol ID 1, protocol version 1

            | Call ID | First version supported | Name | Function |
            |---|---|---|---|
            | 0 | 1 | SVSM_X_A | a |
            | 0 | 1 | SVSM_X_B | b |
            | 1 | 1 | SVSM_X_A | c |
            """);
        var id = document.Single("SVSM0003");
        Assert.Equal((6, 3), (id.Span.Line, id.Span.Column));
        Assert.Contains("SVSM_X_A", id.Message);
        var name = document.Single("SVSM0004");
        Assert.Equal((7, 11), (name.Span.Line, name.Span.Column));
        Assert.Single(document.Calls);
    }

    [Fact]
    public void CallNewerThanTheProtocolIsAnError()
    {
        var document = TestSupport.Parse("""
            It uses protocol ID 4. The current version of the protocol is 1.

            | Call ID | First version supported | Name | Function |
            |---|---|---|---|
            | 0 | 2 | SVSM_X_NEW | new |
            """);
        var error = document.Single("SVSM0005");
        Assert.Equal((5, 7), (error.Span.Line, error.Span.Column));
        Assert.Contains("version 2", error.Message);
    }

    [Fact]
    public void MissingColumnIsAnErrorNamingIt()
    {
        var document = TestSupport.Parse("""
            protocol ID 1, protocol version 1

            | Call ID | Name | Function |
            |---|---|---|
            | 0 | SVSM_X_A | a |
            """);
        var error = document.Single("SVSM0001");
        Assert.Contains("'First version supported'", error.Message);
        Assert.Equal((3, 1), (error.Span.Line, error.Span.Column));
        Assert.Empty(document.Calls);
    }

    [Fact]
    public void MalformedIdIsAnError()
    {
        var document = TestSupport.Parse("""
            protocol ID 1, protocol version 1

            | Call ID | First version supported | Name | Function |
            |---|---|---|---|
            | zero | 1 | SVSM_X_A | a |
            """);
        Assert.Contains("'zero' is not a valid call id", document.Single("SVSM0002").Message);
    }

    [Fact]
    public void CallWithoutSectionWarnsAndSectionWithoutTableErrs()
    {
        var document = TestSupport.Parse("""
            protocol ID 1, protocol version 1

            | Call ID | First version supported | Name | Function |
            |---|---|---|---|
            | 0 | 1 | SVSM_X_A | a |
            | 1 | 1 | SVSM_X_B | b |

            ## SVSM_X_B Call

            Prose but no table.

            ## SVSM_X_C Call
            """);
        Assert.Equal(5, document.Single("SVSM0022").Span.Line);
        var noTable = document.Single("SVSM0011");
        Assert.Equal((8, 1), (noTable.Span.Line, noTable.Span.Column));
        Assert.Equal(12, document.Single("SVSM0023").Span.Line);
    }

    [Theory]
    [InlineData("## SVSM_X_A Call")]
    [InlineData("### 4.2 SVSM_X_A Call")]
    [InlineData("## 7. `SVSM_X_A` call")]
    [InlineData("SVSM_X_A CALL\n---")]
    public void CallHeadingSpellings(string heading)
    {
        var document = TestSupport.Parse("protocol ID 1, protocol version 1\n\n| Call ID | First version supported | Name | Function |\n|---|---|---|---|\n| 0 | 1 | SVSM_X_A | a |\n\n" +
            heading + "\n\n| Register | Size (Bytes) | Alignment | In/Out | Description |\n|---|---|---|---|---|\n| RCX | 4 | | IN | Count |\n");
        document.AssertClean();
        Assert.Equal("RCX", Assert.Single(document.Call("SVSM_X_A").Registers).Register);
    }

    [Fact]
    public void CallSectionMatchesHeadingCaseInsensitivelyAndEndsAtTheNextPeerHeading()
    {
        var document = TestSupport.Parse("""
            protocol ID 1, protocol version 1

            | Call ID | First version supported | Name | Function |
            |---|---|---|---|
            | 0 | 1 | SVSM_X_A | a |

            ## `svsm_x_a` call

            #### Registers

            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | rcx | 4 | | in | Count |

            ## Appendix

            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | rdx | 4 | | in | Stray |
            """);
        Assert.Equal(new[] { "RCX" }, document.Call("SVSM_X_A").Registers.Select(r => r.Register));
        Assert.Equal(17, document.Single("SVSM0027").Span.Line);
    }
}
