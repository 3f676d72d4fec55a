using System.Text;
using Svsm.Emulator;
using Svsm.Emulator.Services.Ocp;
using Svsm.Protocols;
using Svsm.Runtime;
using Xunit;

namespace Svsm.Emulator.Tests;

/// <summary>OCP as the seed draft describes it, through the client generated from specs/ocp.md.</summary>
public sealed class OcpEmulationTests
{
    private const byte Canary = 0xCC;

    private readonly EmulatedMachine machine = EmulatedMachine.Create();

    private OcpClient Ocp => new(machine.Transport());

    private ulong Buffer(int pages = 1)
    {
        var buffer = machine.Allocator.AllocatePages(pages);
        machine.Memory.Write(buffer.Gpa, Enumerable.Repeat(Canary, (int)buffer.Length).ToArray());
        return buffer.Gpa;
    }

    private SourceEntry[] Entries(ulong gpa, uint count) =>
        Enumerable.Range(0, (int)count).Select(i => machine.Memory.Read<SourceEntry>(gpa + ((ulong)i * SourceEntry.Size))).ToArray();

    private string ReadAll(uint index)
    {
        var gpa = Buffer(4);
        var read = Ocp.Read(index, gpa, 4 * 4096, 0);
        Assert.Equal(SvsmResult.Success, read.Result);
        var bytes = new byte[read.BytesCopied];
        machine.Memory.Read(gpa, bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    private uint IndexOf(string name)
    {
        for (var i = 0; i < machine.Ocp.Count; i++)
        {
            if (machine.Ocp[i].Name == name)
            {
                return (uint)i;
            }
        }

        throw new InvalidOperationException(name);
    }

    [Fact]
    public void ListWritesUpToMaxEntriesAndFewerMeansTheEnd()
    {
        var gpa = Buffer();
        var all = Ocp.List(0, gpa, 32);
        Assert.Equal(new OcpListResult(SvsmResult.Success, 4), all);
        var entries = Entries(gpa, 4);
        Assert.Equal(new[] { "svsm/version", "svsm/call-counts", "svsm/log", "svsm/log-level" }, entries.Select(e => e.NameText));
        Assert.Equal(SourceEntryFlags.Writeable, entries[3].Flags);
        Assert.All(entries.Take(3), e => Assert.Equal(SourceEntryFlags.None, e.Flags));
        Assert.All(entries, e => Assert.Empty(e.Validate()));
        var after = new byte[SourceEntry.Size];
        machine.Memory.Read(gpa + (4 * SourceEntry.Size), after);
        Assert.All(after, b => Assert.Equal(Canary, b));

        var tail = Buffer();
        Assert.Equal(new OcpListResult(SvsmResult.Success, 2), Ocp.List(2, tail, 2));
        Assert.Equal("svsm/log", Entries(tail, 1)[0].NameText);
        Assert.Equal(new OcpListResult(SvsmResult.Success, 0), Ocp.List(4, tail, 2));
        Assert.Equal(SvsmResult.InvalidParameter, Ocp.List(5, tail, 2).Result);
    }

    [Fact]
    public void IndexesAreStableAndTheArrayOnlyGrows()
    {
        var before = Entries(ListInto(out _), 4).Select(e => e.NameText).ToArray();
        var added = machine.Ocp.Add(new TextOcpSource("test/hello", () => "hello"));
        Assert.Equal(4, added);
        var after = Entries(ListInto(out var count), count).Select(e => e.NameText).ToArray();
        Assert.Equal(before, after.Take(4));
        Assert.Equal("test/hello", after[4]);
        Assert.Equal("hello", ReadAll(4));
    }

    private ulong ListInto(out uint count)
    {
        var gpa = Buffer();
        count = Ocp.List(0, gpa, 32).EntriesReturned;
        return gpa;
    }

    [Fact]
    public void ReadCopiesFromAnOffsetWithShortCountsAtTheEnd()
    {
        machine.Ocp.Add(new TextOcpSource("test/digits", () => "0123456789"));
        var gpa = Buffer();
        Assert.Equal(new OcpReadResult(SvsmResult.Success, 4), Ocp.Read(4, gpa, 4, 3));
        var bytes = new byte[8];
        machine.Memory.Read(gpa, bytes);
        Assert.Equal("3456", Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.All(bytes.Skip(4), b => Assert.Equal(Canary, b));
        Assert.Equal(new OcpReadResult(SvsmResult.Success, 2), Ocp.Read(4, gpa, 100, 8));
        Assert.Equal(new OcpReadResult(SvsmResult.Success, 0), Ocp.Read(4, gpa, 100, 10));
        Assert.Equal(new OcpReadResult(SvsmResult.Success, 0), Ocp.Read(4, gpa, 100, uint.MaxValue));
        Assert.Equal(SvsmResult.InvalidParameter, Ocp.Read(5, gpa, 1, 0).Result);
    }

    [Fact]
    public void WriteNeedsAWriteableSourceThatUnderstandsTheData()
    {
        var gpa = Buffer();
        var levelIndex = IndexOf(EmulatorOcpSources.LogLevelSource);
        Assert.Equal("info\n", ReadAll(levelIndex));
        machine.Memory.Write(gpa, Encoding.ASCII.GetBytes("bogus"));
        Assert.Equal(SvsmResult.InvalidParameter, Ocp.Write(levelIndex, gpa, 5, 0).Result);
        Assert.Equal(SvsmResult.InvalidParameter, Ocp.Write(IndexOf(EmulatorOcpSources.VersionSource), gpa, 5, 0).Result);
        Assert.Equal(SvsmResult.InvalidParameter, Ocp.Write(99, gpa, 5, 0).Result);
        machine.Memory.Write(gpa, Encoding.ASCII.GetBytes("debug\n"));
        Assert.Equal(SvsmResult.InvalidParameter, Ocp.Write(levelIndex, gpa, 6, 1).Result);
        Assert.Equal(new OcpWriteResult(SvsmResult.Success, 6), Ocp.Write(levelIndex, gpa, 6, 0));
        Assert.Equal("debug\n", ReadAll(levelIndex));
    }

    [Fact]
    public void TheLogLevelSourceReallyChangesWhatTheEmulatorLogs()
    {
        var core = new CoreClient(machine.Transport());
        core.QueryProtocol(1);
        Assert.DoesNotContain("SVSM_CORE_QUERY_PROTOCOL", ReadAll(IndexOf(EmulatorOcpSources.LogSource)));
        SetLevel("debug");
        core.QueryProtocol(1);
        Assert.Contains("SVSM_CORE_QUERY_PROTOCOL -> SVSM_SUCCESS", ReadAll(IndexOf(EmulatorOcpSources.LogSource)));
        SetLevel("warning");
        var lines = machine.Emulator.Log.Lines.Count;
        core.QueryProtocol(1);
        Assert.Equal(lines, machine.Emulator.Log.Lines.Count);
    }

    private void SetLevel(string level)
    {
        var gpa = Buffer();
        machine.Memory.Write(gpa, Encoding.ASCII.GetBytes(level));
        Assert.Equal(SvsmResult.Success, Ocp.Write(IndexOf(EmulatorOcpSources.LogLevelSource), gpa, (uint)level.Length, 0).Result);
    }

    [Fact]
    public void VersionAndCallCounterSourcesReflectTheEmulator()
    {
        Assert.Contains("protocol 5 SVSM Observability and Configuration Protocol versions 1-1", ReadAll(IndexOf(EmulatorOcpSources.VersionSource)));
        var core = new CoreClient(machine.Transport());
        for (var i = 0; i < 7; i++)
        {
            core.ConfigureVtom(1);
        }

        // The version read above and this read itself are the two READ calls so far.
        var counts = ReadAll(IndexOf(EmulatorOcpSources.CallCountsSource));
        Assert.Contains("SVSM_CORE_CONFIGURE_VTOM 7\n", counts);
        Assert.Contains("SVSM_OCP_READ 2\n", counts);
        Assert.Contains("SVSM_OCP_WRITE 0\n", counts);
        Assert.Equal(7, machine.Emulator.CallCount(CoreProtocol.Id, 7));
    }
}
