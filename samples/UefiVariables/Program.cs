// Lists, sets and reads back UEFI variables through SVSM protocol 4 (UEFI MM), as OVMF's variable driver does
// through COCONUT-SVSM. By default the SVSM is the emulator in this process, its non-volatile variables kept in
// --store FILE (a temporary file if not given); with --memory PATH it is `svsm-emu serve --memory PATH`, whose
// variables persist in PATH.vars. Run it twice: the boot counter, a non-volatile variable, counts across restarts.
using System.Text;
using Svsm.Emulator;
using Svsm.Emulator.Services.UefiMm;
using Svsm.Runtime;
using Svsm.Runtime.SharedMemory;
using Svsm.Runtime.Uefi;

const UefiVariableAttributeBits NvBsRt = UefiVariableAttributeBits.NonVolatile | UefiVariableAttributeBits.BootserviceAccess | UefiVariableAttributeBits.RuntimeAccess;
var sampleVendor = new Guid("0a5c3e2f-51d8-4a7e-9c1b-5e0f6d2a8b31");

var session = UefiSession.Open(args);
var variables = new UefiVariableStore(session.Transport, session.Memory, session.Allocator);
Console.WriteLine($"SVSM at {session.Description}: UEFI MM, payloads up to {variables.PayloadSize} bytes");

// A counter that only a store that keeps non-volatile variables can count with.
var previous = variables.Get("SvsmSampleBoots", sampleVendor);
var boots = previous is null ? 1u : BitConverter.ToUInt32(previous.Data) + 1;
variables.Set("SvsmSampleBoots", sampleVendor, NvBsRt, BitConverter.GetBytes(boots));
variables.Set("SvsmSampleGreeting", sampleVendor, UefiVariableAttributeBits.BootserviceAccess, Encoding.UTF8.GetBytes($"hello from run {boots}"));
if (variables.Get("BootOrder", UefiGuids.GlobalVariable) is null)
{
    variables.Set("BootOrder", UefiGuids.GlobalVariable, NvBsRt, [0x01, 0x00]); // Boot0001 first
}

Console.WriteLine($"boots: {boots}" + (previous is null ? " (no counter yet: a new store)" : $" (read back {boots - 1}, kept across the restart)"));
var rows = new List<string[]> { new[] { "Name", "Vendor", "Attributes", "Bytes", "Data" } };
foreach (var name in variables.Enumerate())
{
    var variable = variables.Get(name.Name, name.Vendor)!;
    rows.Add(new[] { name.Name, name.Vendor == UefiGuids.GlobalVariable ? "EFI_GLOBAL_VARIABLE" : name.Vendor.ToString(), Attributes(variable.Attributes), variable.Data.Length.ToString(), Show(variable.Data) });
}

PrintTable(rows);
var info = variables.QueryInfo(NvBsRt);
Console.WriteLine($"non-volatile storage: {info.RemainingStorageSize} of {info.MaximumStorageSize} bytes free, largest variable {info.MaximumVariableSize} bytes");

// A read back of what was written, and a delete of a variable that is not there.
var greeting = Encoding.UTF8.GetString(variables.Get("SvsmSampleGreeting", sampleVendor)!.Data);
Console.WriteLine($"read back SvsmSampleGreeting: '{greeting}'; delete of a missing variable: {(variables.Delete("SvsmSampleMissing", sampleVendor) ? "deleted" : "EFI_NOT_FOUND")}");
return greeting == $"hello from run {boots}" ? 0 : 1;

static string Attributes(UefiVariableAttributeBits attributes) => string.Join("|", new[]
{
    (UefiVariableAttributeBits.NonVolatile, "NV"), (UefiVariableAttributeBits.BootserviceAccess, "BS"), (UefiVariableAttributeBits.RuntimeAccess, "RT"),
}.Where(a => attributes.HasFlag(a.Item1)).Select(a => a.Item2));

static string Show(byte[] data) => data.All(b => b is >= 0x20 and < 0x7F) && data.Length > 0 ? Encoding.ASCII.GetString(data) : Convert.ToHexString(data);

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

/// <summary>Where the SVSM is: the emulator in this process over a store file, or svsm-emu behind a shared guest-memory file.</summary>
internal sealed record UefiSession(ISvsmTransport Transport, IGuestMemory Memory, GuestAllocator Allocator, string Description)
{
    public static UefiSession Open(string[] args)
    {
        if (args.Length == 2 && args[0] == "--memory")
        {
            // svsm-emu serve --memory PATH owns the file; vCPU 0 calls through its calling area (page 1).
            var memory = MappedGuestMemory.Open(args[1]);
            var transport = new SharedMemoryTransport(memory, 0, TimeSpan.FromSeconds(10));
            return new UefiSession(transport, memory, memory.FreeRamAllocator(), "svsm-emu through " + args[1]);
        }

        var store = args.Length == 2 && args[0] == "--store" ? args[1]
            : args.Length == 0 ? Path.Combine(Path.GetTempPath(), "svsm-uefi-variables-sample.vars")
            : throw new ArgumentException("usage: UefiVariables [--store FILE | --memory PATH]  (PATH: the file of a running `svsm-emu serve --memory PATH`)");
        var machine = EmulatedMachine.Create();
        machine.Emulator.AddUefiMm(EmulatedVariableStore.Open(new UefiVariableStoreOptions { FilePath = store }));
        return new UefiSession(machine.Transport(), machine.Memory, machine.Allocator, "the in-process emulator, variables in " + store);
    }
}
