using System;
using System.Text;
using Svsm.Runtime;

namespace Svsm.Emulator.Services.Ocp;

/// <summary>
/// The SVSM Observability and Configuration Protocol (specs/ocp.md, the seed draft) over an <see cref="OcpSourceList"/>.
/// Every GPA, length and index is checked before guest memory is touched, and only the bytes a call returns are written.
/// The buffers' 8-byte alignment is the generated dispatcher's check: the draft names no code for it, so a misaligned
/// buffer gets SVSM_ERR_INVALID_PARAMETER, before the index is looked at.
/// </summary>
internal sealed class OcpService(OcpSourceList sources) : IOcpHandler
{
    public OcpListResult List(SvsmCallContext context, uint firstIndex, ulong bufferGpa, uint maxEntries)
    {
        var all = sources.Snapshot();
        if (firstIndex > (uint)all.Length)
        {
            return new(SvsmResult.InvalidParameter, 0);
        }

        var count = Math.Min(maxEntries, (uint)all.Length - firstIndex);
        if (context.CheckBuffer(bufferGpa, (ulong)count * SourceEntry.Size, GuestBufferCodes.Address) is { } bad)
        {
            return new(bad, 0);
        }

        for (var i = 0u; i < count; i++)
        {
            var source = all[firstIndex + i];
            var entry = new SourceEntry { Flags = source.IsWriteable ? SourceEntryFlags.Writeable : SourceEntryFlags.None };
            Encoding.UTF8.GetBytes(source.Name, entry.Name);
            context.Memory.Write(bufferGpa + ((ulong)i * SourceEntry.Size), entry);
        }

        return new(SvsmResult.Success, count);
    }

    public OcpReadResult Read(SvsmCallContext context, uint index, ulong bufferGpa, uint bytesToRead, uint offset)
    {
        var all = sources.Snapshot();
        if (index >= (uint)all.Length)
        {
            return new(SvsmResult.InvalidParameter, 0);
        }

        var data = all[index].Read();
        var available = offset >= (uint)data.Length ? 0 : (uint)data.Length - offset;
        var count = Math.Min(bytesToRead, available);
        // A read past the end copies nothing, but its buffer must still be guest memory.
        if (context.CheckBuffer(bufferGpa, bytesToRead > 0 ? Math.Max(count, 1) : 0, GuestBufferCodes.Address) is { } bad)
        {
            return new(bad, 0);
        }

        context.Memory.Write(bufferGpa, data.Span.Slice((int)Math.Min(offset, (uint)data.Length), (int)count));
        return new(SvsmResult.Success, count);
    }

    public OcpWriteResult Write(SvsmCallContext context, uint index, ulong bufferGpa, uint bytesToWrite, uint offset)
    {
        var all = sources.Snapshot();
        if (index >= (uint)all.Length || !all[index].IsWriteable || bytesToWrite > (uint)all[index].MaxWriteLength)
        {
            return new(SvsmResult.InvalidParameter, 0);
        }

        if (context.CheckBuffer(bufferGpa, bytesToWrite, GuestBufferCodes.Address) is { } bad)
        {
            return new(bad, 0);
        }

        var data = new byte[bytesToWrite];
        context.Memory.Read(bufferGpa, data);
        return all[index].TryWrite(offset, data) ? new(SvsmResult.Success, bytesToWrite) : new(SvsmResult.InvalidParameter, 0);
    }
}
