using Svsm.Emulator;
using Svsm.Runtime;
using Xunit;

namespace Svsm.Emulator.Tests;

/// <summary>The emulator's core protocol answers as COCONUT-SVSM's core.rs does, check for check.</summary>
public sealed class CoreProtocolTests
{
    private const ulong Page = PrivateGuestMemory.PageSize;

    private readonly EmulatedMachine machine = EmulatedMachine.Create(new EmulatorOptions { MaxVcpus = 4, BootVcpus = 2 });

    private CoreClient Core(int vcpu = 0) => new(machine.Transport(vcpu));

    private SvsmRegisters Raw(uint protocol, uint call, ulong rcx = 0)
    {
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(protocol, call), Rcx = rcx };
        machine.Transport().Call(ref registers);
        return registers;
    }

    [Fact]
    public void UnknownProtocolAndUnknownCallGetTheirGenericCodes()
    {
        Assert.Equal(SvsmResult.UnsupportedProtocolCode, Raw(9, 0).Rax);
        Assert.Equal(SvsmResult.UnsupportedCallCode, Raw(CoreProtocol.Id, 99).Rax);
    }

    [Fact]
    public void QueryProtocolAnswersMinAndMaxOnlyForAVersionServed()
    {
        Assert.Equal(1UL | (1UL << 32), Core().QueryProtocol((0UL << 32) | 1).Versions);
        Assert.Equal(1UL | (1UL << 32), Core().QueryProtocol((5UL << 32) | 1).Versions);
        var unserved = Core().QueryProtocol((5UL << 32) | 2);
        Assert.True(unserved.Result.IsSuccess);
        Assert.Equal(0UL, unserved.Versions);
        Assert.Equal(0UL, Core().QueryProtocol((1UL << 32) | 1).Versions);
    }

    [Fact]
    public void RemapCaChecksAlignmentThenAddressThenOwnershipAndZeroesTheNewArea()
    {
        var target = machine.Allocator.AllocatePages(1).Gpa;
        machine.Memory.Write(target, Enumerable.Repeat((byte)0xAB, 16).ToArray());
        Assert.Throws<ArgumentException>(() => Core().RemapCa(target + 8));
        Assert.Equal(SvsmResult.InvalidParameterCode, Raw(CoreProtocol.Id, 0, target + 8).Rax);
        Assert.Equal(SvsmResult.InvalidAddress, Core().RemapCa(0x7FFF_0000_0000).Result);
        Assert.Equal(SvsmResult.InvalidAddress, Core().RemapCa(SvsmEmulator.BootCallingAreaGpa(1)).Result);
        Assert.Equal(SvsmResult.Success, Core().RemapCa(target).Result);
        Assert.Equal(target, machine.Emulator.CallingAreaOf(0));
        var bytes = new byte[16];
        machine.Memory.Read(target, bytes);
        Assert.All(bytes.Take(8), b => Assert.Equal(0, b));
        Assert.All(bytes.Skip(8), b => Assert.Equal(0xAB, b));
    }

    private ulong Request(params ulong[] entries) => Request(0, entries);

    private ulong Request(ushort curIndex, params ulong[] entries)
    {
        var gpa = new CallingAreaPage(machine.Memory, machine.Emulator.CallingAreaOf(0)!.Value).BufferGpa;
        machine.Memory.Write(gpa, new PvalidateRequest { NumEntries = (ushort)entries.Length, CurIndex = curIndex });
        for (var i = 0; i < entries.Length; i++)
        {
            machine.Memory.Write(gpa + 8 + ((ulong)i * 8), entries[i]);
        }

        return gpa;
    }

    private ushort CurIndex(ulong request) => machine.Memory.Read<PvalidateRequest>(request).CurIndex;

    private static ulong Entry(ulong gpa, bool validate, bool large = false, bool ignoreCf = false) =>
        (ulong)default(PvalidateEntryBits).WithPfn(gpa / Page).WithPageSize(large ? 1UL : 0UL)
        | (validate ? (ulong)PvalidateEntryBits.Action : 0) | (ignoreCf ? (ulong)PvalidateEntryBits.IgnoreCf : 0);

    [Fact]
    public void PvalidateValidatesZeroesAndAdvancesCurIndex()
    {
        var pages = machine.Allocator.AllocatePages(2).Gpa;
        machine.Memory.Write(pages, Enumerable.Repeat((byte)0x5A, 2 * (int)Page).ToArray());
        var request = Request(Entry(pages, true), Entry(pages + Page, true));
        Assert.Equal(SvsmResult.Success, Core().Pvalidate(request).Result);
        Assert.Equal(2, CurIndex(request));
        var contents = new byte[2 * Page];
        machine.Memory.Read(pages, contents);
        Assert.All(contents, b => Assert.Equal(0, b));
        Assert.True(machine.Emulator.IsPageValidated(pages + Page));
    }

    [Fact]
    public void AnEntryThatChangesNothingFailsUnlessItIgnoresCf()
    {
        var page = machine.Allocator.AllocatePages(1).Gpa;
        Assert.Equal(SvsmResult.Success, Core().Pvalidate(Request(Entry(page, true))).Result);
        var again = Core().Pvalidate(Request(Entry(page, true))).Result;
        Assert.Equal(CoreResultCodes.PvalidateFailUnchangedCode, again.Value);
        Assert.Equal("SVSM_PVALIDATE_FAIL_UNCHANGED (0x80001010)", again.ToString());
        Assert.Equal(SvsmResult.Success, Core().Pvalidate(Request(Entry(page, true, ignoreCf: true))).Result);
    }

    [Fact]
    public void ALargeEntryOverMixedSmallPagesFailsWithSizeMismatchAndCurIndexNamesIt()
    {
        var region = LargePageRegion();
        var request = Request(Entry(region + Page, true), Entry(region, true, large: true), Entry(region + (3 * Page), true));
        var result = Core().Pvalidate(request).Result;
        Assert.Equal(CoreResultCodes.PvalidateFailSizemismatch, result);
        Assert.Equal("SVSM_PVALIDATE_FAIL_SIZEMISMATCH (0x80001006)", result.ToString());
        Assert.Equal(1, CurIndex(request));

        // The guest resumes after the failing entry, as Linux's svsm_pval_pages does.
        machine.Memory.Write(request + PvalidateRequest.CurIndexOffset, (ushort)2);
        Assert.Equal(SvsmResult.Success, Core().Pvalidate(request).Result);
        Assert.Equal(3, CurIndex(request));
    }

    private ulong LargePageRegion()
    {
        // A 2 MiB-aligned region inside guest RAM, above what the allocator handed out so far.
        var start = (machine.Allocator.AllocatePages(1).Gpa + (2 << 20)) & ~((2UL << 20) - 1);
        Assert.True(machine.Memory.IsMapped(start, 2 << 20));
        return start;
    }

    [Fact]
    public void MalformedRequestsAndEntriesAreRejectedBeforeAnyPageChanges()
    {
        var page = machine.Allocator.AllocatePages(1).Gpa;
        Assert.Equal(SvsmResult.InvalidParameter, Core().Pvalidate(Request()).Result);
        Assert.Equal(SvsmResult.InvalidParameter, Core().Pvalidate(Request(1, Entry(page, true))).Result);
        Assert.Equal(SvsmResult.InvalidParameter, Core().Pvalidate(Request(Entry(page, true) | 0x10)).Result);
        Assert.Equal(SvsmResult.InvalidParameter, Core().Pvalidate(Request(Entry(page, true) | 2)).Result);
        Assert.Equal(SvsmResult.InvalidParameter, Core().Pvalidate(Request(Entry(page, true, large: true))).Result);
        Assert.Equal(SvsmResult.InvalidAddress, Core().Pvalidate(Request(Entry(0x7FFF_0000_0000, true))).Result);
        Assert.False(machine.Emulator.IsPageValidated(page));

        // Misaligned request GPA: the client refuses it, the SVSM answers INVALID_PARAMETER.
        Assert.Throws<ArgumentException>(() => Core().Pvalidate(page + 4));
        Assert.Equal(SvsmResult.InvalidParameterCode, Raw(CoreProtocol.Id, 1, page + 4).Rax);

        // At page offset 4088 a request has room for no entry: one is already too many.
        var late = page + Page - 8;
        machine.Memory.Write(late, new PvalidateRequest { NumEntries = 1 });
        Assert.Equal(SvsmResult.InvalidParameter, Core().Pvalidate(late).Result);
    }

    [Fact]
    public void CreateVcpuStartsAVcpuWithItsOwnCallingAreaAndDeleteStopsIt()
    {
        var vmsa = machine.Allocator.AllocatePages(1).Gpa;
        var callingArea = machine.Allocator.AllocatePages(1).Gpa;
        Assert.Equal(SvsmResult.InvalidAddress, Core().CreateVcpu(vmsa, vmsa, 3).Result);
        Assert.Equal(SvsmResult.InvalidParameter, Core().CreateVcpu(vmsa, callingArea, 4).Result);
        Assert.Equal(SvsmResult.InvalidAddress, Core().CreateVcpu(vmsa, SvsmEmulator.BootCallingAreaGpa(1), 3).Result);
        Assert.Equal(SvsmResult.Success, Core().CreateVcpu(vmsa, callingArea, 3).Result);
        Assert.Equal(callingArea, machine.Emulator.CallingAreaOf(3));
        Assert.Equal(1UL | (1UL << 32), Core(3).QueryProtocol(1).Versions);
        Assert.Equal(SvsmResult.InvalidAddress, Core().CreateVcpu(vmsa, machine.Allocator.AllocatePages(1).Gpa, 2).Result);

        Assert.Equal(SvsmResult.InvalidParameter, Core().DeleteVcpu(callingArea).Result);
        Assert.Equal(SvsmResult.Success, Core().DeleteVcpu(vmsa).Result);
        Assert.Null(machine.Emulator.CallingAreaOf(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Core(3).QueryProtocol(1));
    }

    [Fact]
    public void DepositWithdrawAndVtomAnswerAsCoconutSvsmDoes()
    {
        Assert.Equal(SvsmResult.UnsupportedCall, Core().DepositMem(0).Result);
        Assert.Equal(SvsmResult.UnsupportedCall, Core().WithdrawMem(0).Result);
        Assert.Equal(new CoreConfigureVtomResult(SvsmResult.Success, 0), Core().ConfigureVtom(1));
        Assert.Equal(SvsmResult.InvalidRequest, Core().ConfigureVtom(0x1_0000_0000).Result);
    }

    [Fact]
    public void ServePendingTakesACallOnlyWhenCallPendingIsSetAndClearsIt()
    {
        var callingArea = new CallingAreaPage(machine.Memory, machine.Emulator.CallingAreaOf(0)!.Value);
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(0, 6), Rcx = 1 };
        Assert.False(machine.Emulator.ServePending(0, ref registers));
        Assert.Equal(SvsmRegisters.CallCode(0, 6), registers.Rax);
        callingArea.CallPending = 1;
        Assert.True(machine.Emulator.ServePending(0, ref registers));
        Assert.Equal(0, callingArea.CallPending);
        Assert.Equal(0UL, registers.Rax);
        Assert.Equal(1UL | (1UL << 32), registers.Rcx);
    }
}
