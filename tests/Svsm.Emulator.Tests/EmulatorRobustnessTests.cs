using System.Collections.Concurrent;
using Svsm.Emulator;
using Svsm.Protocols;
using Svsm.Runtime;
using Xunit;

namespace Svsm.Emulator.Tests;

/// <summary>
/// Handlers check every guest-supplied GPA, length and index before touching memory and write nothing outside the
/// caller's buffer; several vCPUs call at once without a call lost or answered twice; tracing sees every call.
/// </summary>
public sealed class EmulatorRobustnessTests
{
    private const byte Canary = 0xCC;
    private const ulong Page = PrivateGuestMemory.PageSize;

    private readonly EmulatedMachine machine = EmulatedMachine.Create();

    private SvsmRegisters Raw(uint protocol, uint call, ulong rcx, ulong rdx = 0, ulong r8 = 0, ulong r9 = 0)
    {
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(protocol, call), Rcx = rcx, Rdx = rdx, R8 = r8, R9 = r9 };
        machine.Transport().Call(ref registers);
        return registers;
    }

    /// <summary>Three pages of canaries with the middle one unmapped: the pages either side must stay intact.</summary>
    private (ulong Before, ulong Hole, ulong After) Guarded()
    {
        var region = machine.Allocator.AllocatePages(3).Gpa;
        machine.Memory.Write(region, Enumerable.Repeat(Canary, 3 * (int)Page).ToArray());
        machine.Memory.Unmap(region + Page, Page);
        return (region, region + Page, region + (2 * Page));
    }

    private void AssertCanaries(ulong gpa, ulong length)
    {
        var bytes = new byte[length];
        machine.Memory.Read(gpa, bytes);
        Assert.All(bytes, b => Assert.Equal(Canary, b));
    }

    [Fact]
    public void AListThatWouldStraddleAnUnmappedPageWritesNothing()
    {
        var (before, _, after) = Guarded();
        var registers = Raw(OcpProtocol.Id, 0, 0, before + Page - 128, 4);
        Assert.Equal(SvsmResult.InvalidAddressCode, registers.Rax);
        AssertCanaries(before, Page);
        AssertCanaries(after, Page);
    }

    [Fact]
    public void LengthsNear4GiBWriteOnlyWhatExists()
    {
        var (before, _, after) = Guarded();
        var list = Raw(OcpProtocol.Id, 0, 0, after, uint.MaxValue);
        Assert.Equal(0UL, list.Rax);
        Assert.Equal(4UL, list.Rcx);
        var tail = new byte[Page - (4 * 128)];
        machine.Memory.Read(after + (4 * 128), tail);
        Assert.All(tail, b => Assert.Equal(Canary, b));

        var read = Raw(OcpProtocol.Id, 1, 0, before, uint.MaxValue, 0);
        Assert.Equal(0UL, read.Rax);
        var copied = read.R8;
        Assert.InRange(copied, 1UL, Page - 1);
        var rest = new byte[Page - copied];
        machine.Memory.Read(before + copied, rest);
        Assert.All(rest, b => Assert.Equal(Canary, b));

        // A write of nearly 4 GiB is refused before any guest memory is read or allocated.
        Assert.Equal(SvsmResult.InvalidParameterCode, Raw(OcpProtocol.Id, 2, 3, before, uint.MaxValue, 0).Rax);
    }

    [Theory]
    [InlineData(0xFFFF_FFFF_FFFF_F000UL)]
    [InlineData(0xFFFF_FFFF_FFFF_FFF8UL)]
    [InlineData(0x0000_7FFF_FFFF_F000UL)]
    public void AddressesAtTheTopOfTheAddressSpaceGetInvalidAddress(ulong gpa)
    {
        Assert.Equal(SvsmResult.InvalidAddressCode, Raw(OcpProtocol.Id, 0, 0, gpa, 2).Rax);
        Assert.Equal(SvsmResult.InvalidAddressCode, Raw(OcpProtocol.Id, 1, 0, gpa, 16, 0).Rax);
        Assert.Equal(SvsmResult.InvalidAddressCode, Raw(OcpProtocol.Id, 2, 3, gpa, 5, 0).Rax);
        Assert.Equal(SvsmResult.InvalidAddressCode, Raw(CoreProtocol.Id, 1, gpa).Rax);
        if (gpa % Page == 0)
        {
            Assert.Equal(SvsmResult.InvalidAddressCode, Raw(CoreProtocol.Id, 0, gpa).Rax);
        }
    }

    [Fact]
    public void MisalignedBufferGpasGetInvalidParameterFromTheDispatcherAndWriteNothing()
    {
        // The draft names no code for its Alignment column, so the dispatcher answers SVSM_ERR_INVALID_PARAMETER,
        // even for an index that does not exist: the alignment is checked before the handler sees the call.
        var (before, _, _) = Guarded();
        Assert.Equal(SvsmResult.InvalidParameterCode, Raw(OcpProtocol.Id, 0, 0, before + 4, 2).Rax);
        Assert.Equal(SvsmResult.InvalidParameterCode, Raw(OcpProtocol.Id, 1, 0, before + 1, 16, 0).Rax);
        Assert.Equal(SvsmResult.InvalidParameterCode, Raw(OcpProtocol.Id, 2, 999, before + 2, 16, 0).Rax);
        AssertCanaries(before, Page);
    }

    [Fact]
    public async Task ACallRacingTheDeletionOfItsOwnVcpuGetsAnSvsmErrorAndNeverThrows()
    {
        // vCPU 0 creates and deletes vCPU 5 in a loop while vCPU 5 moves its calling area in a loop: every call vCPU 5
        // gets in succeeds or, when its vCPU was deleted under it, is SVSM_ERR_INVALID_REQUEST.
        var racing = EmulatedMachine.Create(new EmulatorOptions { MaxVcpus = 8 });
        var core0 = new CoreClient(racing.Transport(0));
        var vmsa = racing.Allocator.AllocatePages(1).Gpa;
        var callingAreas = new[] { racing.Allocator.AllocatePages(1).Gpa, racing.Allocator.AllocatePages(1).Gpa, racing.Allocator.AllocatePages(1).Gpa };
        var unexpected = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        void CreateAndDelete()
        {
            while (!stop.IsCancellationRequested)
            {
                var created = core0.CreateVcpu(vmsa, callingAreas[0], 5).Result;
                var deleted = core0.DeleteVcpu(vmsa).Result;
                if (!created.IsSuccess || !deleted.IsSuccess)
                {
                    unexpected.Add("create " + created + ", delete " + deleted);
                }
            }
        }

        void MoveCallingArea()
        {
            var registers = default(SvsmRegisters);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(CoreProtocol.Id, 0), Rcx = callingAreas[1 + (i % 2)] };
                try
                {
                    racing.Emulator.Dispatch(5, ref registers);
                }
                catch (ArgumentOutOfRangeException)
                {
                    // vCPU 5 did not run when the call came in: the caller's mistake, reported as such.
                    continue;
                }
                catch (Exception exception)
                {
                    unexpected.Add(exception.GetType().Name + ": " + exception.Message);
                    return;
                }

                if (registers.Rax is not (SvsmResult.SuccessCode or SvsmResult.InvalidRequestCode))
                {
                    unexpected.Add("REMAP_CA answered " + new SvsmResult((uint)registers.Rax));
                }
            }
        }

        var token = TestContext.Current.CancellationToken;
        await Task.WhenAll(Task.Run(CreateAndDelete, token), Task.Run(MoveCallingArea, token));
        Assert.Empty(unexpected);

        // A call made as a vCPU that does not run is the caller's mistake, refused before anything is served.
        var late = new SvsmRegisters { Rax = SvsmRegisters.CallCode(CoreProtocol.Id, 0), Rcx = callingAreas[1] };
        Assert.Throws<ArgumentOutOfRangeException>(() => racing.Emulator.Dispatch(5, ref late));
    }

    [Fact]
    public void APvalidateRequestRunningIntoAnUnmappedPageChangesNothing()
    {
        var (before, hole, _) = Guarded();
        var request = before + Page - 16;
        machine.Memory.Write(request, new PvalidateRequest { NumEntries = 1 });
        machine.Memory.Write(request + 8, (ulong)default(PvalidateEntryBits).WithPfn(hole / Page) | (ulong)PvalidateEntryBits.Action);
        Assert.Equal(SvsmResult.InvalidAddressCode, Raw(CoreProtocol.Id, 1, request).Rax);
        Assert.Equal(0, machine.Memory.Read<PvalidateRequest>(request).CurIndex);
    }

    [Fact]
    public void SeveralVcpusCallingAtOnceLoseNoCallAndAnswerNoneTwice()
    {
        const int Vcpus = 4;
        const int CallsPerThread = 5_000;
        var stress = EmulatedMachine.Create(new EmulatorOptions { BootVcpus = Vcpus, MaxVcpus = Vcpus });
        var traced = new ConcurrentDictionary<(int Vcpu, ulong Tag), int>();
        stress.Emulator.SetTraceSink(trace => traced.AddOrUpdate((trace.Vcpu, trace.RegistersIn.Rcx), 1, (_, n) => n + 1));
        var buffers = Enumerable.Range(0, Vcpus).Select(_ => stress.Allocator.AllocatePages(1).Gpa).ToArray();
        var wrong = 0;
        Parallel.For(0, Vcpus, new ParallelOptions { MaxDegreeOfParallelism = Vcpus }, vcpu =>
        {
            var core = new CoreClient(stress.Transport(vcpu));
            var ocp = new OcpClient(stress.Transport(vcpu));
            for (var i = 0; i < CallsPerThread; i++)
            {
                // Each query carries a tag in its version bits (from 2: never served, so the answer is 0), so the trace shows which call it was.
                var tag = ((ulong)CoreProtocol.Id << 32) | (uint)(2 + (i * Vcpus) + vcpu);
                if (core.QueryProtocol(tag) is not { Result.IsSuccess: true, Versions: 0 } || ocp.List(0, buffers[vcpu], 1).EntriesReturned != 1)
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        });

        Assert.Equal(0, wrong);
        Assert.Equal(Vcpus * CallsPerThread, stress.Emulator.CallCount(CoreProtocol.Id, 6));
        Assert.Equal(Vcpus * CallsPerThread, stress.Emulator.CallCount(OcpProtocol.Id, 0));
        var queries = traced.Where(t => t.Key.Tag != 0).ToList();
        Assert.Equal(Vcpus * CallsPerThread, queries.Count);
        Assert.All(queries, q => Assert.Equal(1, q.Value));
    }

    [Fact]
    public void TracingRecordsRegistersResultAndDurationAndStopsWhenTurnedOff()
    {
        var traces = new List<SvsmCallTrace>();
        machine.Emulator.SetTraceSink(traces.Add);
        var core = new CoreClient(machine.Transport());
        core.QueryProtocol(((ulong)OcpProtocol.Id << 32) | 1);
        core.Pvalidate(0x7FFF_0000_0000);
        machine.Emulator.SetTraceSink(null);
        core.QueryProtocol(1);

        Assert.Equal(2, traces.Count);
        Assert.Equal("SVSM_CORE_QUERY_PROTOCOL", traces[0].CallName);
        Assert.Equal(1UL | (1UL << 32), traces[0].RegistersOut.Rcx);
        Assert.True(traces[0].Result.IsSuccess);
        Assert.True(traces[0].Duration >= TimeSpan.Zero);
        Assert.Equal(SvsmResult.InvalidAddress, traces[1].Result);
        Assert.Contains("SVSM_CORE_PVALIDATE", traces[1].ToString());
        Assert.Contains("SVSM_ERR_INVALID_ADDRESS (0x80000003)", traces[1].ToString());
    }
}
