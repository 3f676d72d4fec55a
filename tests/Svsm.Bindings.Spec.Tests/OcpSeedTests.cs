using Svsm.Bindings.Spec.Model;
using Svsm.Testing;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>The seed OCP draft, parsed exactly as the raw e-mail is (specs/ocp.md is an unchanged copy).</summary>
public sealed class OcpSeedTests
{
    private static readonly SpecDocument Ocp = TestSupport.Parse(TestSupport.ReadRepositoryFile("specs", "ocp.md"));

    [Fact]
    public void ProtocolIsFiveVersionOne()
    {
        Assert.Equal(5u, Ocp.Protocol.Id);
        Assert.Equal(1u, Ocp.Protocol.Version);
        Assert.Equal("SVSM Observability and Configuration Protocol", Ocp.Protocol.Name);
        Assert.Equal("Ocp", Ocp.Protocol.Prefix);
    }

    [Fact]
    public void HasNoErrorsOrWarnings() => Ocp.AssertClean();

    [Fact]
    public void CallsAreListReadWrite()
    {
        Assert.Equal(new[] { (0u, "SVSM_OCP_LIST"), (1u, "SVSM_OCP_READ"), (2u, "SVSM_OCP_WRITE") }, Ocp.Calls.Select(c => (c.Id, c.Name)));
        Assert.All(Ocp.Calls, c => Assert.Equal(1u, c.SinceVersion));
        Assert.Equal(new[] { 42, 43, 44 }, Ocp.Calls.Select(c => c.Span.Line));
        Assert.Equal("Query a list of supported observability and configuration sources.", Ocp.Call("SVSM_OCP_LIST").Function);
    }

    [Fact]
    public void ListRegistersIncludeRcxBothWays()
    {
        var registers = Ocp.Call("SVSM_OCP_LIST").Registers;
        Assert.Equal(
            new[]
            {
                ("RAX", RegisterDirection.Out, 4, (int?)null, "result"),
                ("RCX", RegisterDirection.In, 4, null, "firstIndex"),
                ("RCX", RegisterDirection.Out, 4, null, "entriesReturned"),
                ("RDX", RegisterDirection.In, 8, 8, "bufferGpa"),
                ("R8", RegisterDirection.In, 4, null, "maxEntries"),
            },
            registers.Select(r => (r.Register, r.Direction, r.Size, r.Alignment, r.Name)));
        Assert.Equal(new[] { 58, 59, 60, 61, 62 }, registers.Select(r => r.Span.Line));
    }

    [Fact]
    public void ReadRegisters()
    {
        Assert.Equal(
            new[] { "RAX out result", "RCX in index", "RDX in bufferGpa", "R8 in bytesToRead", "R8 out bytesCopied", "R9 in offset" },
            Ocp.Call("SVSM_OCP_READ").Registers.Select(r => $"{r.Register} {r.Direction.ToString().ToLowerInvariant()} {r.Name}"));
    }

    [Fact]
    public void WriteRegistersNormaliseTheSpaceInsideR8Backticks()
    {
        var registers = Ocp.Call("SVSM_OCP_WRITE").Registers;
        Assert.Equal(
            new[] { "RAX out result", "RCX in index", "RDX in bufferGpa", "R8 in bytesToWrite", "R8 out bytesWritten", "R9 in offset" },
            registers.Select(r => $"{r.Register} {r.Direction.ToString().ToLowerInvariant()} {r.Name}"));
        Assert.Equal(124, registers.Single(r => r is { Register: "R8", Direction: RegisterDirection.In }).Span.Line);
    }

    [Fact]
    public void SourceEntryIs128Bytes()
    {
        var entry = Ocp.Struct("Source entry");
        Assert.Equal(128, entry.Size);
        Assert.True(entry.SizeDeclared);
        Assert.Equal(new[] { (0, 4, "flags", false), (4, 124, "name", false) }, entry.Fields.Select(f => (f.Offset, f.Size, f.Name, f.Reserved)));
    }

    [Fact]
    public void FlagsBitTableIsBoundToTheFlagsField()
    {
        var flags = Assert.Single(Ocp.BitFields);
        Assert.Equal(new BitFieldBinding(BindingKind.StructField, "Source entry", "flags"), flags.Binding);
        Assert.Equal("Source entry.flags", flags.BoundTo);
        Assert.Equal(32, flags.Width);
        Assert.Equal(new[] { (0, 0, "WRITEABLE", false), (1, 31, "Reserved", true) }, flags.Bits.Select(b => (b.Low, b.High, b.Name, b.Reserved)));
    }

    [Fact]
    public void ParsingIsDeterministicAndValueEqual()
    {
        var again = TestSupport.Parse(TestSupport.ReadRepositoryFile("specs", "ocp.md"));
        Assert.Equal(Ocp, again);
        Assert.Equal(Ocp.GetHashCode(), again.GetHashCode());
    }

    [Fact]
    public void SpecIsAnUnchangedCopyOfTheSeed()
    {
        var seed = Path.Combine(Repository.Root, "..", "shared", "seeds", "000_1caf6a445427813f.txt");
        Assert.SkipUnless(File.Exists(seed), "the seed folder is not beside this clone");
        Assert.Equal(File.ReadAllText(seed), TestSupport.ReadRepositoryFile("specs", "ocp.md"));
    }
}
