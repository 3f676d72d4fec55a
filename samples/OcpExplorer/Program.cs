// Lists, reads and writes the observability and configuration sources of an SVSM through the OCP client
// generated from specs/ocp.md. By default the SVSM is the emulator in this process; with --memory PATH it is
// `svsm-emu serve --memory PATH`, reached through the calling area in a shared guest-memory file.
using System.Text;
using Svsm.Emulator;
using Svsm.Protocols;
using Svsm.Runtime;
using Svsm.Runtime.SharedMemory;

var session = OcpSession.Open(args);
var transport = new VersionCheckingTransport(session.Transport);

// Ask once which OCP versions the SVSM serves; calls newer than that are refused from now on.
var served = transport.Negotiate(OcpProtocol.Id, OcpProtocol.Version, OcpProtocol.Calls)
    ?? throw new InvalidOperationException("the SVSM does not serve OCP");
Console.WriteLine($"SVSM at {session.Description}: OCP versions {served.Min}-{served.Max} (this client: {OcpProtocol.Version})");

var ocp = new OcpClient(transport);
var page = session.Allocator.AllocatePages(1);
var sources = ListSources(ocp, session.Memory, page.Gpa);

var rows = new List<string[]> { new[] { "Index", "Name", "Flags", "Bytes", "First line" } };
foreach (var (index, entry) in sources)
{
    var data = ReadSource(ocp, session.Memory, page.Gpa, index);
    var firstLine = Encoding.UTF8.GetString(data).Split('\n')[0];
    rows.Add(new[] { index.ToString(), entry.NameText, entry.Flags.ToString(), data.Length.ToString(), firstLine });
}

PrintTable(rows);

// The one writeable source sets the emulator's log level; read it back to see the change.
var (levelIndex, _) = sources.First(s => (s.Entry.Flags & SourceEntryFlags.Writeable) != 0);
var level = Encoding.ASCII.GetBytes("debug\n");
session.Memory.Write(page.Gpa, level);
var written = ocp.Write(levelIndex, page.Gpa, (uint)level.Length, 0);
Console.WriteLine($"WRITE source {levelIndex}: {written.Result}, {written.BytesWritten} bytes; it now reads " +
    $"'{Encoding.ASCII.GetString(ReadSource(ocp, session.Memory, page.Gpa, levelIndex)).Trim()}'");
return written.Result.IsSuccess ? 0 : 1;

// LIST in pages of 32 entries until a short answer says the array ends.
static List<(uint Index, SourceEntry Entry)> ListSources(OcpClient ocp, IGuestMemory memory, ulong buffer)
{
    const uint Batch = 32;
    var result = new List<(uint, SourceEntry)>();
    for (uint first = 0; ; first += Batch)
    {
        var list = ocp.List(first, buffer, Batch);
        list.Result.ThrowIfFailed("SVSM_OCP_LIST");
        for (uint i = 0; i < list.EntriesReturned; i++)
        {
            result.Add((first + i, memory.Read<SourceEntry>(buffer + (i * SourceEntry.Size))));
        }

        if (list.EntriesReturned < Batch)
        {
            return result;
        }
    }
}

// READ a page at a time until a short count says the data ends.
static byte[] ReadSource(OcpClient ocp, IGuestMemory memory, ulong buffer, uint index)
{
    const uint Chunk = PrivateGuestMemory.PageSize;
    var data = new List<byte>();
    for (uint offset = 0; ; offset += Chunk)
    {
        var read = ocp.Read(index, buffer, Chunk, offset);
        read.Result.ThrowIfFailed("SVSM_OCP_READ");
        var bytes = new byte[read.BytesCopied];
        memory.Read(buffer, bytes);
        data.AddRange(bytes);
        if (read.BytesCopied < Chunk)
        {
            return data.ToArray();
        }
    }
}

static void PrintTable(List<string[]> rows)
{
    var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
    foreach (var (row, i) in rows.Select((r, i) => (r, i)))
    {
        Console.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        if (i == 0)
        {
            Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
    }
}

/// <summary>Where the SVSM is: the emulator in this process, or svsm-emu behind a shared guest-memory file.</summary>
internal sealed record OcpSession(ISvsmTransport Transport, IGuestMemory Memory, GuestAllocator Allocator, string Description)
{
    public static OcpSession Open(string[] args)
    {
        if (args.Length == 2 && args[0] == "--memory")
        {
            // svsm-emu serve --memory PATH owns the file; vCPU 0 calls through its calling area (page 1).
            var memory = MappedGuestMemory.Open(args[1]);
            var transport = new SharedMemoryTransport(memory, 0, TimeSpan.FromSeconds(10));
            return new OcpSession(transport, memory, memory.FreeRamAllocator(), "svsm-emu through " + args[1]);
        }

        if (args.Length != 0)
        {
            throw new ArgumentException("usage: OcpExplorer [--memory PATH]  (PATH: the file of a running `svsm-emu serve --memory PATH`)");
        }

        var machine = EmulatedMachine.Create();
        return new OcpSession(machine.Transport(), machine.Memory, machine.Allocator, "the in-process emulator");
    }
}
