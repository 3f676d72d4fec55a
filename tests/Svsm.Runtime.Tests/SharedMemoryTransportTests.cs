using System.Diagnostics;
using System.Text;
using Svsm.Emulator;
using Svsm.Emulator.Services.Ocp;
using Svsm.Emulator.SharedMemory;
using Svsm.Runtime;
using Svsm.Runtime.SharedMemory;
using Svsm.Testing;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>
/// The calling-area transport: guest RAM, calling areas and register blocks in a shared file; the SVSM on another
/// thread over its own mapping of the file, or in another process (<c>svsm-emu serve</c>).
/// </summary>
public sealed class SharedMemoryTransportTests : IDisposable
{
    private const ulong RamSize = 1024 * 1024;
    private const uint TestProtocol = 100;
    private const uint BlockingProtocol = 101;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    private readonly string path = Path.Combine(Path.GetTempPath(), "svsm-shm-" + Guid.NewGuid().ToString("N") + ".mem");

    public void Dispose()
    {
        File.Delete(path);
    }

    [Fact]
    public void QueryProtocolAndOcpListRoundTripThroughTheSharedFile()
    {
        using var guest = MappedGuestMemory.Create(path, RamSize, vcpus: 2);
        using var host = new ServerHost(path);
        var transport = new SharedMemoryTransport(guest, 1, Generous);

        var answer = new CoreClient(transport).QueryProtocol(((ulong)5 << 32) | 1);
        Assert.True(answer.Result.IsSuccess, answer.Result.ToString());
        Assert.Equal(1UL | (1UL << 32), answer.Versions);

        var buffer = FreeBuffer(guest, 2);
        var names = OcpList(transport, buffer, 16);
        Assert.Equal(host.Ocp.Count, names.Count);
        Assert.Equal(Enumerable.Range(0, host.Ocp.Count).Select(i => host.Ocp[i].Name), names);
        Assert.Contains(EmulatorOcpSources.VersionSource, names);

        Assert.Equal(0, guest.Read<byte>(SvsmEmulator.BootCallingAreaGpa(1)));
        Assert.Equal(1, host.Emulator.CallCount(0, 6));
        Assert.Equal(1, host.Emulator.CallCount(5, 0));
        Assert.Equal(2, host.Server.CallsServed);
    }

    [Fact]
    public void ACallAllocatesNothing()
    {
        using var guest = MappedGuestMemory.Create(path, RamSize, vcpus: 1);
        using var host = new ServerHost(path);
        var transport = new SharedMemoryTransport(guest, 0, Generous);
        var registers = default(SvsmRegisters);
        for (var i = 0; i < 100; i++)
        {
            QueryOcp(transport, ref registers);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            QueryOcp(transport, ref registers);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1UL | (1UL << 32), registers.Rcx);
    }

    [Fact]
    public void SeveralVcpusOnSeveralThreadsGetEveryCallAnsweredExactlyOnce()
    {
        const int vcpus = 4;
        const int calls = 2000;
        var hits = new int[vcpus, calls];
        using var guest = MappedGuestMemory.Create(path, RamSize, vcpus);
        using var host = new ServerHost(path, emulator => emulator.Serve(Protocol(TestProtocol, (in SvsmCallContext context, ref SvsmRegisters registers) =>
        {
            Interlocked.Increment(ref hits[context.VcpuIndex, (int)registers.Rcx]);
            registers.Rdx = (registers.Rcx * 3) + 1;
            registers.R8 = (ulong)context.VcpuIndex;
            registers.Rax = 0;
        })));

        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, vcpus).Select(vcpu => new Thread(() =>
        {
            try
            {
                var transport = new SharedMemoryTransport(guest, vcpu, Generous);
                for (var i = 0; i < calls; i++)
                {
                    var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(TestProtocol, 0), Rcx = (ulong)i, Rdx = 0xDEAD, R8 = 0xBEEF };
                    transport.Call(ref registers);
                    if (registers.Rax != 0 || registers.Rcx != (ulong)i || registers.Rdx != ((ulong)i * 3) + 1 || registers.R8 != (ulong)vcpu)
                    {
                        throw new InvalidOperationException($"vCPU {vcpu} call {i}: wrong answer RAX={registers.Rax:X} RCX={registers.Rcx} RDX={registers.Rdx} R8={registers.R8}");
                    }
                }
            }
            catch (Exception exception)
            {
                failures.Enqueue(exception);
            }
        })).ToList();
        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => Assert.True(thread.Join(TimeSpan.FromMinutes(3)), "a vCPU thread hung"));

        Assert.Empty(failures);
        for (var vcpu = 0; vcpu < vcpus; vcpu++)
        {
            for (var i = 0; i < calls; i++)
            {
                Assert.True(hits[vcpu, i] == 1, $"vCPU {vcpu} call {i} ran {hits[vcpu, i]} times");
            }
        }

        Assert.Equal(vcpus * calls, host.Emulator.CallCount(TestProtocol, 0));
        Assert.Equal(vcpus * calls, host.Server.CallsServed);
    }

    [Fact]
    public void AStoppedServerGivesATimeoutNamingTheCallAndANewServerServesTheNextCallOnly()
    {
        using var guest = MappedGuestMemory.Create(path, RamSize, vcpus: 2);
        var timeout = TimeSpan.FromMilliseconds(400);
        var transport = new SharedMemoryTransport(guest, 1, timeout);
        var registers = default(SvsmRegisters);
        uint firstGeneration;
        using (var first = new ServerHost(path))
        {
            QueryOcp(transport, ref registers);
            firstGeneration = first.Server.Generation;
            first.Stop();
        }

        Assert.Equal(0, guest.ServerProcessId);
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<SvsmCallTimeoutException>(() => QueryOcp(transport, ref registers));
        clock.Stop();
        Assert.IsAssignableFrom<TimeoutException>(error);
        Assert.InRange(clock.Elapsed, timeout - TimeSpan.FromMilliseconds(20), timeout + TimeSpan.FromSeconds(3));
        Assert.Contains("vCPU 1:", error.Message);
        Assert.Contains("call 6 of protocol 0", error.Message);
        Assert.Contains("withdrawn: it did not run", error.Message);
        Assert.False(error.MayHaveRun);
        Assert.Equal((1, 0u, 6u), (error.Vcpu, error.Protocol, error.Call));
        Assert.Equal(0, guest.Read<byte>(SvsmEmulator.BootCallingAreaGpa(1)));

        using var second = new ServerHost(path);
        Assert.Equal(firstGeneration + 1, second.Server.Generation);
        registers = default;
        QueryOcp(transport, ref registers);
        Assert.Equal(1UL | (1UL << 32), registers.Rcx);
        Assert.Equal(1, second.Emulator.CallCount(0, 6));
        Assert.Equal(1, second.Server.CallsServed);
    }

    [Fact]
    public void ACallTakenByAServerThatStopsMidCallRunsOnceAndItsLateAnswerIsDropped()
    {
        using var guest = MappedGuestMemory.Create(path, RamSize, vcpus: 1);
        using var gate = new ManualResetEventSlim();
        var firstRuns = 0;
        var secondRuns = 0;
        var first = new ServerHost(path, emulator => emulator.Serve(Protocol(BlockingProtocol, (in SvsmCallContext context, ref SvsmRegisters registers) =>
        {
            Interlocked.Increment(ref firstRuns);
            gate.Wait();
            registers.Rax = 0;
            registers.Rcx = 0xBAD;
        })));
        try
        {
            var transport = new SharedMemoryTransport(guest, 0, TimeSpan.FromMilliseconds(400));
            var blocking = new SvsmRegisters { Rax = SvsmRegisters.CallCode(BlockingProtocol, 0) };
            var taken = Assert.Throws<SvsmCallTimeoutException>(() => transport.Call(ref blocking));
            Assert.True(taken.MayHaveRun);
            Assert.Contains("vCPU 0:", taken.Message);
            Assert.Contains("call 0 of protocol 101", taken.Message);
            Assert.Contains("taken by the SVSM but not answered", taken.Message);

            // While the server is stuck in that call, the vCPU cannot make another: refused, not made.
            var registers = default(SvsmRegisters);
            var busy = Assert.Throws<SvsmCallTimeoutException>(() => QueryOcp(transport, ref registers));
            Assert.False(busy.MayHaveRun);
            Assert.Contains("still busy", busy.Message);

            // A new server withdraws the call its predecessor took, never runs it again, and serves the next call.
            first.Cancel();
            using var second = new ServerHost(path, emulator => emulator.Serve(Protocol(BlockingProtocol, (in SvsmCallContext context, ref SvsmRegisters registers) =>
            {
                Interlocked.Increment(ref secondRuns);
                registers.Rax = 0;
            })));
            registers = default;
            QueryOcp(transport, ref registers);
            Assert.Equal(1UL | (1UL << 32), registers.Rcx);

            // The old server finishes its call late: its answer is dropped, and it stops.
            gate.Set();
            first.Stop();
            Assert.True(first.Server.Superseded || first.Server.CallsServed == 0);
            Assert.Equal(0, first.Server.CallsServed);
            registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(BlockingProtocol, 0), Rcx = 7 };
            transport.Call(ref registers);
            Assert.Equal((0UL, 7UL), (registers.Rax, registers.Rcx));
            Assert.Equal(1, firstRuns);
            Assert.Equal(1, secondRuns);
            Assert.Equal(2, second.Server.CallsServed);
        }
        finally
        {
            gate.Set();
            first.Dispose();
        }
    }

    [Fact]
    public void ACallWhoseCallingAreaIsNotTheVcpusIsReportedAsNotTaken()
    {
        using var guest = MappedGuestMemory.Create(path, RamSize, vcpus: 1);
        using var host = new ServerHost(path);
        var elsewhere = FreeBuffer(guest, 1);
        var transport = new SharedMemoryTransport(guest, 0, Generous, elsewhere);
        var registers = default(SvsmRegisters);
        var error = Assert.Throws<InvalidOperationException>(() => QueryOcp(transport, ref registers));
        Assert.Contains("call_pending", error.Message);
        Assert.Contains("vCPU 0", error.Message);
        Assert.Equal(0, guest.Read<byte>(elsewhere));
        Assert.Equal(0, host.Emulator.CallCount(0, 6));
    }

    [Fact]
    public void TheTransportFollowsRemapCa()
    {
        using var guest = MappedGuestMemory.Create(path, RamSize, vcpus: 1);
        using var host = new ServerHost(path);
        var transport = new SharedMemoryTransport(guest, 0, Generous);
        var page = FreeBuffer(guest, 1);
        var remap = new SvsmRegisters { Rax = SvsmRegisters.CallCode(0, 0), Rcx = page };
        transport.Call(ref remap);
        Assert.Equal(0UL, remap.Rax);
        Assert.Equal(page, transport.CallingAreaGpa);
        Assert.Equal(page, host.Emulator.CallingAreaOf(0));
        var registers = default(SvsmRegisters);
        QueryOcp(transport, ref registers);
        Assert.Equal(1UL | (1UL << 32), registers.Rcx);
    }

    [Fact]
    public void MappedMemoryChecksEveryRangeWholeBeforeMovingAByte()
    {
        using var memory = MappedGuestMemory.Create(path, 2 * 4096, vcpus: 1);
        memory.Write(0, Enumerable.Repeat((byte)0xCC, 2 * 4096).ToArray());
        Assert.Equal(GuestMemoryError.Unmapped, Assert.Throws<GuestMemoryException>(() => memory.Write(8000, new byte[200])).Error);
        Assert.Equal(GuestMemoryError.Unmapped, Assert.Throws<GuestMemoryException>(() => memory.Read(0x2000, new byte[1])).Error);
        Assert.Equal(GuestMemoryError.OutOfRange, Assert.Throws<GuestMemoryException>(() => memory.Write(ulong.MaxValue, new byte[2])).Error);
        Assert.Contains("0x2000", Assert.Throws<GuestMemoryException>(() => memory.Write(0x1FFF, new byte[2])).Message);
        var all = new byte[2 * 4096];
        memory.Read(0, all);
        Assert.All(all, b => Assert.Equal(0xCC, b));
        Assert.True(memory.IsMapped(0, 2 * 4096));
        Assert.True(memory.IsMapped(0x5000, 0));
        Assert.False(memory.IsMapped(0x1FFF, 2));
        Assert.False(memory.IsMapped(ulong.MaxValue, 2));
        memory.Write(0x1FF8, 0x1122334455667788UL, alignment: 8);

        using var again = MappedGuestMemory.Open(path);
        Assert.Equal((2UL * 4096, 1), (again.RamSize, again.VcpuCount));
        Assert.Equal(0x1122334455667788UL, again.Read<ulong>(0x1FF8));

        var other = path + ".junk";
        File.WriteAllBytes(other, new byte[8192]);
        try
        {
            Assert.Contains("not a guest memory file", Assert.Throws<InvalidDataException>(() => MappedGuestMemory.Open(other)).Message);
        }
        finally
        {
            File.Delete(other);
        }
    }

    [Fact]
    public async Task CallsReachSvsmEmuServeInAnotherProcessAndARestartedServerPicksUpCleanly()
    {
        var dll = Repository.FindBuilt("tools/Svsm.Emulator.Cli", "svsm-emu.dll", out var looked);
        if (dll is null)
        {
            Assert.Skip("svsm-emu.dll is not built (looked in " + looked + "); build it with: dotnet build tools/Svsm.Emulator.Cli -c Debug");
        }

        var cancel = TestContext.Current.CancellationToken;
        Process? server = null;
        try
        {
            server = await StartServe(dll, cancel);
            using var guest = MappedGuestMemory.Open(path);
            Assert.Equal((RamSize, 2), (guest.RamSize, guest.VcpuCount));
            Assert.Equal(server.Id, guest.ServerProcessId);
            var transport = new SharedMemoryTransport(guest, 1, Generous);
            var registers = default(SvsmRegisters);
            for (var i = 0; i < 200; i++)
            {
                QueryOcp(transport, ref registers);
                Assert.Equal(1UL | (1UL << 32), registers.Rcx);
            }

            var buffer = FreeBuffer(guest, 2);
            Assert.Contains(EmulatorOcpSources.CallCountsSource, OcpList(transport, buffer, 16));

            // Killed outright: the next call times out, withdrawn; a restarted server serves only what comes after.
            server.Kill();
            await server.WaitForExitAsync(cancel);
            var quick = new SharedMemoryTransport(guest, 1, TimeSpan.FromMilliseconds(400));
            var error = Assert.Throws<SvsmCallTimeoutException>(() => QueryOcp(quick, ref registers));
            Assert.False(error.MayHaveRun);
            Assert.Contains("vCPU 1:", error.Message);

            server = await StartServe(dll, cancel);
            Assert.Equal(server.Id, guest.ServerProcessId);
            QueryOcp(transport, ref registers);
            Assert.Equal(1UL | (1UL << 32), registers.Rcx);
            var counts = OcpRead(transport, buffer, EmulatorOcpSources.CallCountsSource, OcpList(transport, buffer, 16));
            Assert.Contains("SVSM_CORE_QUERY_PROTOCOL 1\n", counts);

            // SIGTERM: a clean exit that gives up the file.
            using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(cancel);
            }

            await server.WaitForExitAsync(cancel).WaitAsync(Generous, cancel);
            Assert.Equal(0, server.ExitCode);
            Assert.Equal(0, guest.ServerProcessId);
        }
        finally
        {
            if (server is { HasExited: false })
            {
                server.Kill(entireProcessTree: true);
            }

            server?.Dispose();
        }
    }

    private static void QueryOcp(SharedMemoryTransport transport, ref SvsmRegisters registers)
    {
        registers.Rax = SvsmRegisters.CallCode(0, 6);
        registers.Rcx = ((ulong)5 << 32) | 1;
        transport.Call(ref registers);
        if (registers.Rax != 0)
        {
            throw new InvalidOperationException("QUERY_PROTOCOL answered 0x" + registers.Rax.ToString("X"));
        }
    }

    private static List<string> OcpList(ISvsmTransport transport, ulong buffer, uint maxEntries)
    {
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(5, 0), Rcx = 0, Rdx = buffer, R8 = maxEntries };
        transport.Call(ref registers);
        Assert.Equal(0UL, registers.Rax);
        Assert.InRange(registers.Rcx, 1UL, maxEntries - 1);
        var memory = ((SharedMemoryTransport)transport).Memory;
        var names = new List<string>();
        for (var i = 0UL; i < registers.Rcx; i++)
        {
            var entry = new byte[128];
            memory.Read(buffer + (i * 128), entry);
            var name = entry.AsSpan(4);
            names.Add(Encoding.UTF8.GetString(name[..name.IndexOf((byte)0)]));
        }

        return names;
    }

    private static string OcpRead(SharedMemoryTransport transport, ulong buffer, string source, List<string> names)
    {
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(5, 1), Rcx = (ulong)names.IndexOf(source), Rdx = buffer, R8 = 4096, R9 = 0 };
        transport.Call(ref registers);
        Assert.Equal(0UL, registers.Rax);
        var data = new byte[registers.R8];
        transport.Memory.Read(buffer, data);
        return Encoding.UTF8.GetString(data);
    }

    // Pages above the boot calling areas of every vCPU the file has.
    private static ulong FreeBuffer(MappedGuestMemory memory, int pages) =>
        new GuestAllocator(memory, SvsmEmulator.BootCallingAreaGpa(memory.VcpuCount), memory.RamSize - SvsmEmulator.BootCallingAreaGpa(memory.VcpuCount)).AllocatePages(pages).Gpa;

    private static SvsmProtocolRegistration Protocol(uint id, SvsmProtocolDispatch dispatch) =>
        new(id, "test-" + id, 1, 1, dispatch, Array.Empty<SvsmCallDescriptor>());

    private async Task<Process> StartServe(string dll, CancellationToken cancel) =>
        (await RepositoryPrograms.StartServe(dll, "serving 2 vCPUs on " + path, cancel, "serve", "--memory", path, "--vcpus", "2", "--memory-size", RamSize.ToString(System.Globalization.CultureInfo.InvariantCulture))).Server;

    /// <summary>An SVSM on a background thread of this process, over its own mapping of the file.</summary>
    private sealed class ServerHost : IDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Thread thread;
        private Exception? failure;
        private bool stopped;

        public ServerHost(string path, Action<SvsmEmulator>? configure = null)
        {
            Memory = MappedGuestMemory.Open(path);
            Emulator = new SvsmEmulator(Memory, new EmulatorOptions { MemorySize = Memory.RamSize, MaxVcpus = Memory.VcpuCount, BootVcpus = Memory.VcpuCount });
            Ocp = Emulator.AddOcp().State;
            configure?.Invoke(Emulator);
            Server = new SharedMemoryServer(Emulator, Memory);
            thread = new Thread(() =>
            {
                try
                {
                    Server.Run(stop.Token);
                }
                catch (Exception exception)
                {
                    failure = exception;
                }
            })
            { IsBackground = true, Name = "svsm server" };
            thread.Start();
        }

        public MappedGuestMemory Memory { get; }

        public SvsmEmulator Emulator { get; }

        public OcpSourceList Ocp { get; }

        public SharedMemoryServer Server { get; }

        /// <summary>Asks the server to stop, without waiting (it may be stuck in a call).</summary>
        public void Cancel() => stop.Cancel();

        public void Stop()
        {
            if (stopped)
            {
                return;
            }

            stopped = true;
            stop.Cancel();
            Assert.True(thread.Join(TimeSpan.FromSeconds(20)), "the server did not stop");
            Server.Dispose();
            Assert.Null(failure);
        }

        public void Dispose()
        {
            Stop();
            Memory.Dispose();
            stop.Dispose();
        }
    }
}
