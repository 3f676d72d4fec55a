// A protocol of your own: counter.md is its spec; CounterService serves it; the generated CounterClient calls it.
//
//   dotnet run --project samples/CustomProtocol                   the emulator in this process serves it
//   dotnet run --project samples/CustomProtocol -- --memory PATH  svsm-emu serves it in another process:
//       svsm-emu serve --memory PATH --protocols samples/CustomProtocol/bin/Debug/net10.0/CustomProtocol.dll
using CustomProtocol;
using Svsm.Emulator;
using Svsm.Runtime;
using Svsm.Runtime.SharedMemory;

[assembly: SvsmProtocols(typeof(CounterProtocols))]

var memoryIndex = Array.IndexOf(args, "--memory");
ISvsmTransport transport;
IGuestMemory memory;
GuestAllocator allocator;
IDisposable? mapping = null;
if (memoryIndex >= 0 && memoryIndex + 1 < args.Length)
{
    var file = MappedGuestMemory.Open(args[memoryIndex + 1]);
    (transport, memory, allocator, mapping) = (new SharedMemoryTransport(file, 0, TimeSpan.FromSeconds(10)), file, file.FreeRamAllocator(), file);
    Console.WriteLine($"SVSM: svsm-emu through {args[memoryIndex + 1]}");
}
else
{
    var machine = EmulatedMachine.Create();

    // The one line that serves a protocol of your own: its generated dispatcher's registration, bound to your handler.
    machine.Emulator.Serve(CounterDispatcher.Registration(new CounterService(new Counter())));
    (transport, memory, allocator) = (machine.Transport(), machine.Memory, machine.Allocator);
    Console.WriteLine("SVSM: the emulator in this process");
}

using (mapping)
{
    var served = new CoreClient(transport).QueryProtocol(((ulong)CounterProtocol.Id << 32) | CounterProtocol.Version).Versions;
    Console.WriteLine($"QUERY_PROTOCOL {CounterProtocol.Id}: versions {(uint)served}-{served >> 32}");
    if (served == 0)
    {
        Console.Error.WriteLine("the SVSM does not serve the counter protocol (svsm-emu needs --protocols CustomProtocol.dll)");
        return 1;
    }

    var counter = new CounterClient(transport);
    Console.WriteLine($"READ: {counter.Read().Counter}");
    foreach (var amount in new ulong[] { 5, 37 })
    {
        var added = counter.Add(amount);
        Console.WriteLine($"ADD {amount}: {added.Result}, now {added.NewCounter}");
    }

    var overflow = counter.Add(ulong.MaxValue);
    Console.WriteLine($"ADD 2^64-1: {overflow.Result} (the counter only goes up, and never wraps)");

    var page = allocator.AllocatePages(1);
    var snapshot = counter.Snapshot(page.Gpa);
    var written = memory.Read<CounterSnapshot>(page.Gpa);
    Console.WriteLine($"SNAPSHOT: {snapshot.Result}: value {written.Value}, {written.Adds} adds, the last from vCPU {written.LastVcpu}");

    // The client refuses a misaligned page before the call; the SVSM's dispatcher would answer SVSM_ERR_INVALID_ADDRESS.
    var raw = new SvsmRegisters { Rax = SvsmRegisters.CallCode(CounterProtocol.Id, 2), Rcx = page.Gpa + 8 };
    transport.Call(ref raw);
    Console.WriteLine($"SNAPSHOT at a misaligned GPA: {new SvsmResult((uint)raw.Rax)}");
    return snapshot.Result.IsSuccess && written.Value == 42 ? 0 : 1;
}

/// <summary>The counter's state: one object, as every emulated service keeps its state.</summary>
public sealed class Counter
{
    private readonly object gate = new();

    public ulong Value { get; private set; }

    public uint Adds { get; private set; }

    public uint LastVcpu { get; private set; }

    /// <summary>Adds <paramref name="amount"/> unless the sum would pass 2^64 - 1; returns the value, or null when refused.</summary>
    public ulong? TryAdd(ulong amount, int vcpu)
    {
        lock (gate)
        {
            if (amount > ulong.MaxValue - Value)
            {
                return null;
            }

            Value += amount;
            Adds++;
            LastVcpu = (uint)vcpu;
            return Value;
        }
    }

    public CounterSnapshot Snapshot()
    {
        lock (gate)
        {
            return new CounterSnapshot { Value = Value, Adds = Adds, LastVcpu = LastVcpu };
        }
    }
}

/// <summary>Serves counter.md over a <see cref="Counter"/>. Alignment is the generated dispatcher's check, as the spec says.</summary>
public sealed class CounterService(Counter counter) : ICounterHandler
{
    public CounterReadResult Read(SvsmCallContext context) => new(SvsmResult.Success, counter.Value);

    public CounterAddResult Add(SvsmCallContext context, ulong amount) =>
        counter.TryAdd(amount, context.VcpuIndex) is { } value ? new(SvsmResult.Success, value) : new(SvsmResult.InvalidParameter, 0);

    public CounterSnapshotResult Snapshot(SvsmCallContext context, ulong pageGpa)
    {
        if (!context.Memory.IsMapped(pageGpa, CounterSnapshot.Size))
        {
            return new(SvsmResult.InvalidAddress);
        }

        context.Memory.Write(pageGpa, counter.Snapshot());
        return new(SvsmResult.Success);
    }
}

/// <summary>What <c>svsm-emu serve --protocols CustomProtocol.dll</c> serves: the counter, with a counter of its own.</summary>
public sealed class CounterProtocols : ISvsmProtocolSource
{
    public IEnumerable<SvsmProtocolRegistration> Registrations(SvsmEmulator emulator) =>
        new[] { CounterDispatcher.Registration(new CounterService(new Counter())) };
}
