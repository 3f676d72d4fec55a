using System;
using System.Collections.Generic;
using System.Globalization;
using Svsm.Runtime;

namespace Svsm.Emulator.Services.Core;

/// <summary>
/// The core protocol as COCONUT-SVSM serves it (<c>kernel/src/protocols/core.rs</c>), in its order of checks, over
/// emulated state: vCPUs with their calling areas and VMSAs, and the validation state of every 4 KiB page.
/// </summary>
internal sealed class CoreService(SvsmEmulator emulator, PageValidation pages) : ICoreHandler
{
    private const ulong PageSize = PrivateGuestMemory.PageSize;
    private const ulong LargePageSize = 2 * 1024 * 1024;
    private const ulong ReservedEntryBits = 0xFF0;
    private static readonly byte[] ZeroPage = new byte[PageSize];

    // PVALIDATE and the vCPU calls take one lock, as core.rs's PVALIDATE_LOCK orders them.
    private readonly HashSet<ulong> validated = pages.Frames;
    private readonly object gate = pages.Gate;

    private IGuestMemory Memory => emulator.Memory;

    // Alignment is the dispatcher's check (specs/core.md's Alignment column), as are the other calls' below.
    public CoreRemapCaResult RemapCa(SvsmCallContext context, ulong callingAreaGpa)
    {
        if (context.CheckBuffer(callingAreaGpa, 8, GuestBufferCodes.Address) is { } bad)
        {
            return new(bad);
        }

        lock (gate)
        {
            // COCONUT-SVSM zeroes the new area before it checks that no other vCPU uses it; checking first keeps
            // another vCPU's calling area intact.
            foreach (var vcpu in emulator.Vcpus)
            {
                if ((vcpu.Index != context.VcpuIndex && vcpu.CallingAreaGpa == callingAreaGpa) || vcpu.VmsaGpa == callingAreaGpa)
                {
                    return new(SvsmResult.InvalidAddress);
                }
            }

            // The vCPU that made the call may have been deleted since (DELETE_VCPU takes the same lock), and another
            // created under its index: then nothing is written and nothing moves.
            if (context.Vcpu is not VcpuState caller || !ReferenceEquals(emulator.VcpuAt(context.VcpuIndex), caller))
            {
                return new(SvsmResult.InvalidRequest);
            }

            Memory.Write(callingAreaGpa, ZeroPage.AsSpan(0, 8));
            caller.CallingAreaGpa = callingAreaGpa;
        }

        emulator.Log.Write(EmulatorLogLevel.Info, "vCPU " + context.VcpuIndex.ToString(CultureInfo.InvariantCulture) + ": calling area moved to 0x" + callingAreaGpa.ToString("X", CultureInfo.InvariantCulture));
        return new(SvsmResult.Success);
    }

    public CorePvalidateResult Pvalidate(SvsmCallContext context, ulong requestGpa)
    {
        if (context.CheckBuffer(requestGpa, PvalidateRequest.Size, GuestBufferCodes.Address) is { } badHeader)
        {
            return new(badHeader);
        }

        var header = Memory.Read<PvalidateRequest>(requestGpa);
        var maxEntries = (PageSize - (requestGpa % PageSize) - PvalidateRequest.Size) / PvalidateEntry.Size;
        if (header.NumEntries == 0 || header.NumEntries > maxEntries || header.NumEntries <= header.CurIndex)
        {
            return new(SvsmResult.InvalidParameter);
        }

        var entriesGpa = requestGpa + PvalidateRequest.Size;
        if (context.CheckBuffer(entriesGpa, (ulong)header.NumEntries * PvalidateEntry.Size, GuestBufferCodes.Address) is { } badEntries)
        {
            return new(badEntries);
        }

        var result = SvsmResult.Success;
        var next = header.CurIndex;
        lock (gate)
        {
            for (; next < header.NumEntries; next++)
            {
                var entry = Memory.Read<PvalidateEntry>(entriesGpa + ((ulong)next * PvalidateEntry.Size)).Bits;
                result = PvalidateOne(context, entry);
                if (!result.IsSuccess)
                {
                    break;
                }
            }
        }

        // cur_index names the entry that failed, or the end: the guest resumes from it (Linux svsm_pval_pages).
        Memory.Write(requestGpa + PvalidateRequest.CurIndexOffset, next);
        return new(result.In(CoreProtocol.Results));
    }

    private SvsmResult PvalidateOne(in SvsmCallContext context, PvalidateEntryBits entry)
    {
        var raw = (ulong)entry;
        if ((raw & ReservedEntryBits) != 0)
        {
            return SvsmResult.InvalidParameter;
        }

        var pageSize = entry.GetPageSize();
        if (pageSize > 1)
        {
            return SvsmResult.InvalidParameter;
        }

        var bytes = pageSize == 1 ? LargePageSize : PageSize;
        var gpa = entry.GetPfn() * PageSize;
        if (gpa % bytes != 0)
        {
            return SvsmResult.InvalidParameter;
        }

        if (context.CheckBuffer(gpa, bytes, GuestBufferCodes.Address) is { } bad)
        {
            return bad;
        }

        var validate = (entry & PvalidateEntryBits.Action) != 0;
        var pages = bytes / PageSize;
        var first = gpa / PageSize;
        var validatedCount = 0UL;
        for (var i = 0UL; i < pages; i++)
        {
            validatedCount += validated.Contains(first + i) ? 1UL : 0UL;
        }

        if (validatedCount != 0 && validatedCount != pages)
        {
            return CoreResultCodes.PvalidateFailSizemismatch;
        }

        if ((validatedCount == pages) == validate)
        {
            // PVALIDATE leaves CF set when nothing changes; ignore-CF asks to take that as success.
            return (entry & PvalidateEntryBits.IgnoreCf) != 0 ? SvsmResult.Success : CoreResultCodes.PvalidateFailUnchanged;
        }

        for (var i = 0UL; i < pages; i++)
        {
            if (validate)
            {
                Memory.Write((first + i) * PageSize, ZeroPage);
                validated.Add(first + i);
            }
            else
            {
                validated.Remove(first + i);
            }
        }

        return SvsmResult.Success;
    }

    public CoreCreateVcpuResult CreateVcpu(SvsmCallContext context, ulong vmsaGpa, ulong callingAreaGpa, uint apicId)
    {
        if (vmsaGpa == callingAreaGpa)
        {
            return new(SvsmResult.InvalidAddress);
        }

        if ((context.CheckBuffer(vmsaGpa, PageSize, GuestBufferCodes.Address) ?? context.CheckBuffer(callingAreaGpa, 8, GuestBufferCodes.Address)) is { } bad)
        {
            return new(bad);
        }

        if (apicId >= (uint)emulator.Options.MaxVcpus)
        {
            return new(SvsmResult.InvalidParameter);
        }

        lock (gate)
        {
            foreach (var vcpu in emulator.Vcpus)
            {
                if (vcpu.VmsaGpa == vmsaGpa || vcpu.VmsaGpa == callingAreaGpa || vcpu.CallingAreaGpa == vmsaGpa || vcpu.CallingAreaGpa == callingAreaGpa)
                {
                    return new(SvsmResult.InvalidAddress);
                }
            }

            if (!emulator.TryStartVcpu((int)apicId, callingAreaGpa, vmsaGpa))
            {
                return new(SvsmResult.InvalidParameter);
            }
        }

        emulator.Log.Write(EmulatorLogLevel.Info, "vCPU " + apicId.ToString(CultureInfo.InvariantCulture) + " created, calling area 0x" + callingAreaGpa.ToString("X", CultureInfo.InvariantCulture));
        return new(SvsmResult.Success);
    }

    public CoreDeleteVcpuResult DeleteVcpu(SvsmCallContext context, ulong vmsaGpa)
    {
        lock (gate)
        {
            foreach (var vcpu in emulator.Vcpus)
            {
                if (vcpu.VmsaGpa == vmsaGpa)
                {
                    emulator.StopVcpu(vcpu.Index);
                    emulator.Log.Write(EmulatorLogLevel.Info, "vCPU " + vcpu.Index.ToString(CultureInfo.InvariantCulture) + " deleted");
                    return new(SvsmResult.Success);
                }
            }
        }

        return new(SvsmResult.InvalidParameter);
    }

    public CoreDepositMemResult DepositMem(SvsmCallContext context, ulong listGpa) => new(SvsmResult.UnsupportedCall);

    public CoreWithdrawMemResult WithdrawMem(SvsmCallContext context, ulong listGpa) => new(SvsmResult.UnsupportedCall);

    public CoreQueryProtocolResult QueryProtocol(SvsmCallContext context, ulong query)
    {
        var version = (uint)query;
        return emulator.ServedVersions((uint)(query >> 32), context.VcpuIndex) is { } served && served.Min <= version && version <= served.Max
            ? new(SvsmResult.Success, served.Min | ((ulong)served.Max << 32))
            : new(SvsmResult.Success, 0);
    }

    public CoreConfigureVtomResult ConfigureVtom(SvsmCallContext context, ulong request) =>
        (request & 1) != 0 ? new(SvsmResult.Success, 0) : new(SvsmResult.InvalidRequest, 0);
}

/// <summary>
/// The core protocol's state beside the vCPUs: which 4 KiB pages the guest has validated with PVALIDATE. Every page
/// starts not validated, as memory the guest has not accepted yet.
/// </summary>
public sealed class PageValidation
{
    internal object Gate { get; } = new();

    /// <summary>Validated page frame numbers, under <see cref="Gate"/>.</summary>
    internal HashSet<ulong> Frames { get; } = new();

    /// <summary>Whether the 4 KiB page at <paramref name="gpa"/> is validated.</summary>
    public bool IsValidated(ulong gpa)
    {
        lock (Gate)
        {
            return Frames.Contains(gpa / PrivateGuestMemory.PageSize);
        }
    }
}
