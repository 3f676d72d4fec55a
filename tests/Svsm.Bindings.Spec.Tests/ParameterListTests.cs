using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>Parameter lists under a call's heading, as COCONUT-SVSM's protocol documents write them.</summary>
public sealed class ParameterListTests
{
    private static string Protocol(string calls) => """
        ## SVSM EXAMPLE PROTOCOL

        ### protocol number

        ```
        pub const SVSM_EXAMPLE_PROTOCOL: u32 = 9;
        pub const EXAMPLE_PROTOCOL_VERSION_MAX: u32 = 2;
        ```

        """ + calls;

    // The protocol with one call, SVSM_EXAMPLE_REQUEST, whose section goes on with body after its id.
    private static string Request(string body) => Protocol("""
        ### protocol request

        ```
        const SVSM_EXAMPLE_REQUEST: u32 = 1;
        ```

        """ + body);

    [Theory]
    [InlineData("*", "RCX", "RDX")]
    [InlineData("-", "**RCX**", "`RDX`")]
    [InlineData("+", "rcx", "%rdx")]
    public void BulletsOfEveryKindAndRegistersBoldOrPlain(string bullet, string first, string second)
    {
        var document = TestSupport.Parse(Request($"""
            Parameters:
            {bullet} {first}: buffer address (guest physical).  Must be page aligned.
            {bullet} {second}: buffer size (u32)

            Sends the buffer.
            """));
        Assert.Equal((9u, 2u, "Example"), (document.Protocol.Id!.Value, document.Protocol.Version!.Value, document.Protocol.Prefix));
        var call = document.Call("SVSM_EXAMPLE_REQUEST");
        Assert.Equal("Sends the buffer.", call.Function);
        Assert.Equal(new[] { ("RCX", 8, (int?)4096, "bufferAddress"), ("RDX", 4, null, "bufferSize") }, call.Registers.Select(r => (r.Register, r.Size, r.Alignment, r.Name)));
        Assert.Equal("SVSM0048", document.Single("SVSM0048").Id);
    }

    [Fact]
    public void DirectionsSizesAndAlignmentsInWords()
    {
        var document = TestSupport.Parse(Protocol("""
            ### read

            ```rust
            const SVSM_EXAMPLE_READ: u32 = 2;
            ```

            * RCX: IN/OUT register
              * (IN) index of the first entry (low 32 bits)
              * (OUT) number of entries returned (4 bytes)
            * RDX: GPA of the buffer, 8-byte aligned
            * R8: number of bytes copied (OUT), u16
            * R9: (OUT) flags, 2 MiB aligned
            * R10: an in/out value (IN/OUT), 64 bits
            """));
        var call = document.Call("SVSM_EXAMPLE_READ");
        Assert.Equal(
            new[]
            {
                ("RCX", RegisterDirection.In, 4, (int?)null),
                ("RCX", RegisterDirection.Out, 4, null),
                ("RDX", RegisterDirection.In, 8, 8),
                ("R8", RegisterDirection.Out, 2, null),
                ("R9", RegisterDirection.Out, 8, 2 * 1024 * 1024),
                ("R10", RegisterDirection.InOut, 8, null),
            },
            call.Registers.Select(r => (r.Register, r.Direction, r.Size, r.Alignment)));
        Assert.Equal(new[] { "index", "entriesReturned", "bufferGpa", "bytesCopied", "flags", "value" }, call.Registers.Select(r => r.Name));
        // RDX and R9 state no size: 8 bytes is assumed, and said.
        Assert.Equal(new[] { "RDX", "R9" }, document.Diagnostics.Where(d => d.Id == "SVSM0048").Select(d => d.Message.Split(' ')[0]));
    }

    // The size is read wherever its words stand: after other digits, at the start, or as a type name alone.
    [Theory]
    [InlineData("3rd argument, a u16 count", 2, false)]
    [InlineData("2 pages, as an i32", 4, false)]
    [InlineData("32-bit index", 4, false)]
    [InlineData("length (1 byte)", 1, false)]
    [InlineData("page count, at most 512", 8, true)]
    [InlineData("flags (see below)", 8, true)]
    public void SizeWordsAmongOtherText(string description, int size, bool assumed)
    {
        var document = TestSupport.Parse(Request($"* RCX: {description}\n"));
        Assert.Equal(size, document.Call("SVSM_EXAMPLE_REQUEST").Registers.Single().Size);
        Assert.Equal(assumed, document.Diagnostics.Any(d => d.Id == "SVSM0048"));
    }

    [Fact]
    public void ACallIdBlockUnderTheCallsHeadingAndMixedStylesInOneSpec()
    {
        var document = TestSupport.Parse("""
            ---
            protocol-id: 12
            version: 1
            ---
            # Mixed

            ## SVSM_MIX_PING

            Call ID:

            ```
            3
            ```

            * RCX: value to echo

            ## SVSM_MIX_TABLE Call

            | Call ID | First version supported | Name | Function |
            |---|---|---|---|
            | 4 | 1 | SVSM_MIX_TABLE | Uses a table. |

            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 8 | 8 | IN | GPA of a `Header` |

            ```rust
            #[repr(C)]
            pub struct Header { pub magic: u32, pub len: u32 }
            ```
            """);
        Assert.Equal(new[] { ("SVSM_MIX_PING", 3u), ("SVSM_MIX_TABLE", 4u) }, document.Calls.Select(c => (c.Name, c.Id)));
        Assert.Equal("value", document.Call("SVSM_MIX_PING").Registers.Single().Name);
        Assert.Equal(8, document.Call("SVSM_MIX_TABLE").Registers.Single().Alignment);
        Assert.Equal(8, document.Struct("Header").Size);
    }

    [Fact]
    public void BadItemsAndListsOutsideCallsAreReported()
    {
        var text = Protocol("""
            ### overview

            * RCX: used by every call

            ### request

            ```
            const SVSM_EXAMPLE_GO: u32 = 1;
            ```

            * EAX: the result
            * RDX: 3-byte aligned thing
            * Note: not a register

            ### nothing

            ```
            const SVSM_EXAMPLE_IDLE: u32 = 2;
            ```
            """);
        var document = TestSupport.Parse(text);
        Assert.Equal(Array.IndexOf(text.Split('\n'), "* RCX: used by every call") + 1, document.Single("SVSM0027").Span.Line);
        var narrow = document.Single("SVSM0006");
        Assert.Contains("write RAX for EAX", narrow.Message);
        Assert.EndsWith("Not generated: call 'SVSM_EXAMPLE_GO'.", narrow.Message);
        Assert.Equal(1, document.Diagnostics.Count(d => d.Id == "SVSM0009"));
        Assert.Contains("'SVSM_EXAMPLE_IDLE' has no parameter list", document.Single("SVSM0051").Message);
        Assert.Equal("SVSM_EXAMPLE_IDLE", Assert.Single(document.Calls).Name);
    }

    [Fact]
    public void AnItemNamesWhatAMisalignedBufferGetsAndWhichOutputsComeBackOnError()
    {
        var document = TestSupport.Parse(Protocol("""
            ### protocol request

            ```
            const SVSM_EXAMPLE_REQUEST: u32 = 1;
            ```
            Parameters:
             - RCX: buffer address (u64).  Must be page aligned, else `SVSM_ERR_INVALID_ADDRESS`.
             - RDX: list address (u64), 8-byte aligned (not checked)
             - R8: scratch address (u64), page aligned
             - R9: size needed (u32) (OUT, also on error)
             - R10: bytes written (u32) (OUT)
            """));
        var registers = document.Call("SVSM_EXAMPLE_REQUEST").Registers;
        Assert.Equal(
            new[]
            {
                ("RCX", (string?)"SVSM_ERR_INVALID_ADDRESS", false),
                ("RDX", null, false),
                ("R8", "SVSM_ERR_INVALID_PARAMETER", false),
                ("R9", null, true),
                ("R10", null, false),
            },
            registers.Select(r => (r.Register, r.Misaligned?.Name, r.ReturnedOnError)));
    }
}
