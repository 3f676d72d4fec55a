using Svsm.Bindings.Tests.Generated;
using Svsm.Runtime;
using Xunit;

namespace Svsm.Bindings.Tests;

/// <summary>What the generated structs, bit fields and constants do.</summary>
public sealed class GeneratedTypeTests
{
    [Fact]
    public void ProtocolConstantsAndDescriptorsComeFromTheSpec()
    {
        Assert.Equal(5u, OcpProtocol.Id);
        Assert.Equal(1u, OcpProtocol.Version);
        Assert.Equal(new[] { 0u, 1u, 2u }, OcpProtocol.Calls.Select(c => c.Call));
        Assert.Equal(new[] { OcpCall.List, OcpCall.Read, OcpCall.Write }, Enum.GetValues<OcpCall>());
        var list = OcpProtocol.Find((uint)OcpCall.List)!;
        Assert.Equal("SVSM_OCP_LIST", list.Name);
        var rdx = list.Registers.Single(r => r.Register == X86Register.Rdx);
        Assert.Equal((SvsmDirection.In, 8, 8, "bufferGpa"), (rdx.Direction, rdx.Size, rdx.Alignment, rdx.Name));
        Assert.Null(OcpProtocol.Find(3));
        Assert.Equal(0x42u, FeatureProtocol.Id);
        Assert.Equal(7u, (uint)FeatureCall.Configure);
    }

    [Fact]
    public void NameTextReadsAndWritesUtf8UpToTheFirstZero()
    {
        var entry = new SourceEntry();
        entry.NameText = "trace-log";
        Assert.Equal("trace-log", entry.NameText);
        Span<byte> raw = entry.Name;
        Assert.Equal((byte)'t', raw[0]);
        Assert.Equal(0, raw[9]);
        entry.NameText = "ä";
        Assert.Equal("ä", entry.NameText);
        Assert.Equal(0, ((Span<byte>)entry.Name)[2]);
        Assert.Throws<ArgumentException>(() => entry.NameText = new string('x', 125));
        entry.NameText = new string('x', 124);
        Assert.Equal(124, entry.NameText.Length);
    }

    [Fact]
    public void ValidateReportsReservedBitsAndBytes()
    {
        var entry = new SourceEntry { Flags = SourceEntryFlags.Writeable };
        Assert.Empty(entry.Validate());
        entry.Flags = (SourceEntryFlags)0x8000_0001u;
        Assert.Contains("reserved bits of Flags (offset 0x00) are not zero", Assert.Single(entry.Validate()));
        Assert.Equal(0xFFFF_FFFEu, SourceEntryFlagsExtensions.ReservedMask);

        var page = new PageEntry();
        Assert.Empty(page.Validate());
        page.Reserved2[1] = 1;
        page.Reserved = 5;
        Assert.Equal(2, page.Validate().Count);
    }

    [Fact]
    public void MultiBitFieldsReadAndWriteTheirBitsOnly()
    {
        var attributes = PageEntryAttributes.Action.WithPageSize(1).WithOwner(0xA5);
        Assert.Equal(1, attributes.GetPageSize());
        Assert.Equal(0xA5, attributes.GetOwner());
        Assert.True(attributes.HasFlag(PageEntryAttributes.Action));
        Assert.Equal((ushort)(0x1 | 0x4 | (0xA5 << 4)), (ushort)attributes);
        Assert.Throws<ArgumentOutOfRangeException>(() => attributes.WithPageSize(4));
        var page = new PageEntry { Attributes = (PageEntryAttributes)0xF000 };
        Assert.Single(page.Validate());
    }

    [Fact]
    public void RegisterBoundBitTableTypesTheRegister()
    {
        var configuration = ConfigureRcx.Enable.WithVector(0x30);
        FeatureConfigureResult? seen = null;
        var client = new FeatureClient(new Transport(r =>
        {
            Assert.Equal(0x130UL, r.Rcx);
            r.Rax = 0;
            r.Rdx = 0x230;
            return r;
        }));
        seen = client.Configure(configuration);
        Assert.Equal(0x230UL, seen.Value.PreviousVectorConfiguration);
        Assert.Equal(0xFFFF_FFFF_FFFF_FC00UL, ConfigureRcxExtensions.ReservedMask);
    }

    private sealed class Transport(Func<SvsmRegisters, SvsmRegisters> serve) : ISvsmTransport
    {
        public void Call(ref SvsmRegisters registers) => registers = serve(registers);
    }
}
