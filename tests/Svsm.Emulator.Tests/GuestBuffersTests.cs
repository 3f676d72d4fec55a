using Svsm.Emulator;
using Svsm.Runtime;
using Xunit;

namespace Svsm.Emulator.Tests;

/// <summary>The one guest-buffer check: length bound, then wrapping, then guest memory, each with the call's own code.</summary>
public sealed class GuestBuffersTests
{
    private static readonly SvsmCallContext Context = Guest();

    private static SvsmCallContext Guest()
    {
        var memory = new PrivateGuestMemory();
        memory.Map(0x10000, 0x2000);
        return new SvsmCallContext(0, memory, 0);
    }

    [Theory]
    [InlineData(0x10000UL, 0x2000UL, null)]
    [InlineData(0x10000UL, 0x2001UL, "unmapped")]
    [InlineData(0x0UL, 1UL, "unmapped")]
    [InlineData(0xFFFF_FFFF_FFFF_F000UL, 0x2000UL, "wrapping")]
    [InlineData(0xFFFF_FFFF_FFFF_F000UL, 0UL, null)]
    [InlineData(0x10000UL, 0x10001UL, "long")]
    public void EachCheckAnswersWithTheCodeOfItsCall(ulong gpa, ulong length, string? fails)
    {
        var codes = new GuestBufferCodes(new SvsmResult(0x8000_0003), new SvsmResult(0x8000_0004), new SvsmResult(0x8000_0005));
        var expected = fails switch
        {
            "unmapped" => codes.Unmapped,
            "wrapping" => codes.Wrapping,
            "long" => codes.TooLong,
            _ => (SvsmResult?)null,
        };
        Assert.Equal(expected, Context.CheckBuffer(gpa, length, codes, maxLength: 0x10000));
    }

    [Fact]
    public void VtpmRsAnswersAFaultWithInvalidParameterWhereTheOthersSayInvalidAddress()
    {
        Assert.Equal(SvsmResult.InvalidParameter, Context.CheckBuffer(0x20000, 4, GuestBufferCodes.Parameter));
        Assert.Equal(SvsmResult.InvalidAddress, Context.CheckBuffer(0x20000, 4, GuestBufferCodes.Address));
        Assert.Equal(SvsmResult.InvalidParameter, Context.CheckBuffer(0x10000, 5, GuestBufferCodes.Address, maxLength: 4));
    }
}
