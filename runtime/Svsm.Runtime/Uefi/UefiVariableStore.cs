using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace Svsm.Runtime.Uefi;

/// <summary>A variable's name and vendor GUID, as GetNextVariableName walks them.</summary>
public readonly record struct UefiVariableName(string Name, Guid Vendor);

/// <summary>A variable read back: its attributes and data.</summary>
public sealed record UefiVariable(string Name, Guid Vendor, UefiVariableAttributeBits Attributes, byte[] Data);

/// <summary>QueryVariableInfo's answer for one set of attributes, in bytes.</summary>
public readonly record struct UefiVariableStorageInfo(ulong MaximumStorageSize, ulong RemainingStorageSize, ulong MaximumVariableSize);

/// <summary>
/// The UEFI variable services over SVSM protocol 4 (UEFI MM), framed as edk2's <c>VariableSmmRuntimeDxe</c> frames
/// them and carried as OVMF's <c>VirtMmCommunicationDxe</c> carries them: one page-aligned guest buffer (64 KiB by
/// default) holding the MM header (specs/uefi-mm.md), the SMM variable header and the function's payload
/// (specs/uefi-variables.md), sent with <c>SVSM_UEFI_MM_REQUEST</c> (RCX its address, RDX its size) and read back in
/// place. Works over any <see cref="ISvsmTransport"/>. One request runs at a time.
/// </summary>
public sealed class UefiVariableStore
{
    /// <summary>OVMF's bounce buffer: 64 KiB (VirtMmCommunication.h).</summary>
    public const int DefaultBufferSize = 64 * 1024;

    private const int MessageOffset = MmCoreHeader.Size;
    private const int PayloadOffset = MessageOffset + SmmVariableCommunicateHeader.DataOffset;
    private const int AccessNameOffset = SmmVariableCommunicateAccessVariable.NameOffset;
    private const int NextNameOffset = SmmVariableCommunicateGetNextVariableName.NameOffset;
    private const int FirstNameCapacity = 512;
    private const int SmallDataArea = 4096;

    // GetNextVariableName walks a store the SVSM holds: an SVSM that never says NOT_FOUND must not keep the caller forever.
    private const int MaxVariables = 1 << 16;

    private readonly object gate = new();
    private readonly UefiMmClient client;
    private readonly IGuestMemory memory;
    private readonly int bufferSize;
    private byte[] buffer = new byte[PayloadOffset + 256];
    private int payloadLimit;

    /// <summary>A store reached through <paramref name="transport"/>, with a <paramref name="bufferSize"/>-byte buffer (whole pages) from <paramref name="allocator"/>.</summary>
    public UefiVariableStore(ISvsmTransport transport, IGuestMemory memory, GuestAllocator allocator, int bufferSize = DefaultBufferSize)
    {
        client = new UefiMmClient(transport ?? throw new ArgumentNullException(nameof(transport)));
        this.memory = memory ?? throw new ArgumentNullException(nameof(memory));
        ArgumentNullException.ThrowIfNull(allocator);
        if (bufferSize <= 0 || bufferSize % PrivateGuestMemory.PageSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "the buffer is whole 4 KiB pages");
        }

        this.bufferSize = bufferSize;
        BufferGpa = allocator.AllocatePages(bufferSize / PrivateGuestMemory.PageSize).Gpa;
    }

    /// <summary>Where the buffer is in guest memory.</summary>
    public ulong BufferGpa { get; }

    /// <summary>
    /// The largest payload a request carries: GetPayloadSize's answer, asked once as VariableSmmRuntimeDxe asks it at
    /// start, and no more than the buffer holds after its two headers.
    /// </summary>
    public int PayloadSize
    {
        get
        {
            lock (gate)
            {
                return Limit();
            }
        }
    }

    /// <summary>The variable, or null when the store has none of that name and vendor (EFI_NOT_FOUND); other errors throw <see cref="UefiVariableException"/>.</summary>
    public UefiVariable? Get(string name, Guid vendor)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (gate)
        {
            var nameSize = NameSize(name);
            var status = GetCore(name, nameSize, vendor, Limit() - AccessNameOffset - nameSize, readData: false, out var size, out var attributes);
            if (status == UefiVariableEfiStatusValues.NotFound)
            {
                return null;
            }

            ThrowIfError("GetVariable", status, name);
            var data = new byte[size];
            memory.Read(DataGpa(nameSize), data);
            return new UefiVariable(name, vendor, attributes, data);
        }
    }

    /// <summary>
    /// GetVariable into <paramref name="destination"/>, without allocating: returns the EFI status, with
    /// <paramref name="size"/> the variable's size on EFI_SUCCESS and EFI_BUFFER_TOO_SMALL.
    /// </summary>
    public ulong TryGet(ReadOnlySpan<char> name, Guid vendor, Span<byte> destination, out int size, out UefiVariableAttributeBits attributes)
    {
        lock (gate)
        {
            var nameSize = NameSize(name);
            var dataSize = Math.Min(destination.Length, Limit() - AccessNameOffset - nameSize);

            // A small data area comes back with the answer in one read; a large one is read only as far as the data goes.
            var readData = dataSize <= SmallDataArea;
            var status = GetCore(name, nameSize, vendor, dataSize, readData, out size, out attributes);
            if (status == UefiVariableEfiStatusValues.Success)
            {
                if (readData)
                {
                    buffer.AsSpan(PayloadOffset + AccessNameOffset + nameSize, size).CopyTo(destination);
                }
                else
                {
                    memory.Read(DataGpa(nameSize), destination[..size]);
                }
            }

            return status;
        }
    }

    /// <summary>SetVariable: creates, replaces or (with <see cref="UefiVariableAttributeBits.AppendWrite"/>) appends to the variable; errors throw <see cref="UefiVariableException"/>.</summary>
    public void Set(string name, Guid vendor, UefiVariableAttributeBits attributes, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (gate)
        {
            ThrowIfError("SetVariable", SetCore(name, vendor, attributes, data), name);
        }
    }

    /// <summary>Deletes the variable (SetVariable with no data); false when there was none.</summary>
    public bool Delete(string name, Guid vendor)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (gate)
        {
            var status = SetCore(name, vendor, UefiVariableAttributeBits.None, default);
            if (status == UefiVariableEfiStatusValues.NotFound)
            {
                return false;
            }

            ThrowIfError("SetVariable", status, name);
            return true;
        }
    }

    /// <summary>Every variable's name and vendor, in the store's order, by GetNextVariableName from the empty name.</summary>
    public IReadOnlyList<UefiVariableName> Enumerate()
    {
        var names = new List<UefiVariableName>();
        lock (gate)
        {
            var previous = string.Empty;
            var vendor = Guid.Empty;
            var capacity = FirstNameCapacity;
            while (true)
            {
                var limit = Limit() - NextNameOffset;
                capacity = Math.Min(capacity, limit);
                var inputSize = NameSize(previous);
                var area = Math.Max(capacity, inputSize);
                EnsureCapacity(NextNameOffset + area);
                var payload = buffer.AsSpan(PayloadOffset);
                vendor.TryWriteBytes(payload[SmmVariableCommunicateGetNextVariableName.GuidOffset..]);
                BinaryPrimitives.WriteUInt64LittleEndian(payload[SmmVariableCommunicateGetNextVariableName.NameSizeOffset..], (ulong)capacity);
                WriteName(previous, NextNameOffset, area);
                var status = Send(UefiVariableFunctionCodes.GetNextVariableName, NextNameOffset + area, NextNameOffset + area, NextNameOffset + area);
                payload = buffer.AsSpan(PayloadOffset);
                var needed = BinaryPrimitives.ReadUInt64LittleEndian(payload[SmmVariableCommunicateGetNextVariableName.NameSizeOffset..]);
                if (status == UefiVariableEfiStatusValues.NotFound)
                {
                    return names;
                }

                if (status == UefiVariableEfiStatusValues.BufferTooSmall && needed > (ulong)capacity && needed <= (ulong)limit)
                {
                    capacity = (int)needed;
                    continue;
                }

                ThrowIfError("GetNextVariableName", status, previous.Length == 0 ? null : previous);
                if (needed < sizeof(char) || needed > (ulong)area)
                {
                    throw new InvalidDataException($"GetNextVariableName answered a {needed}-byte name for a {area}-byte buffer");
                }

                vendor = new Guid(payload.Slice(SmmVariableCommunicateGetNextVariableName.GuidOffset, 16));
                previous = Ucs2.Name(payload.Slice(NextNameOffset, (int)needed));
                names.Add(new UefiVariableName(previous, vendor));
                if (names.Count > MaxVariables)
                {
                    throw new InvalidDataException($"GetNextVariableName did not end after {MaxVariables} variables");
                }
            }
        }
    }

    /// <summary>QueryVariableInfo for variables of <paramref name="attributes"/>; errors throw <see cref="UefiVariableException"/>.</summary>
    public UefiVariableStorageInfo QueryInfo(UefiVariableAttributeBits attributes)
    {
        lock (gate)
        {
            var payload = buffer.AsSpan(PayloadOffset, SmmVariableCommunicateQueryVariableInfo.Size);
            payload.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(payload[SmmVariableCommunicateQueryVariableInfo.AttributesOffset..], (uint)attributes);
            var status = Send(UefiVariableFunctionCodes.QueryVariableInfo, payload.Length, payload.Length, payload.Length);
            ThrowIfError("QueryVariableInfo", status);
            return new(
                BinaryPrimitives.ReadUInt64LittleEndian(payload[SmmVariableCommunicateQueryVariableInfo.MaximumVariableStorageSizeOffset..]),
                BinaryPrimitives.ReadUInt64LittleEndian(payload[SmmVariableCommunicateQueryVariableInfo.RemainingVariableStorageSizeOffset..]),
                BinaryPrimitives.ReadUInt64LittleEndian(payload[SmmVariableCommunicateQueryVariableInfo.MaximumVariableSizeOffset..]));
        }
    }

    /// <summary>Tells the store the ReadyToBoot event happened (function 5), as VariableSmmRuntimeDxe does.</summary>
    public void SignalReadyToBoot() => Signal(UefiVariableFunctionCodes.ReadyToBoot, "ReadyToBoot");

    /// <summary>Tells the store boot services ended (function 6): from now on only runtime-access variables are seen.</summary>
    public void SignalExitBootServices() => Signal(UefiVariableFunctionCodes.ExitBootService, "ExitBootServices");

    private void Signal(uint function, string operation)
    {
        lock (gate)
        {
            ThrowIfError(operation, Send(function, 0, 0, 0));
        }
    }

    private ulong GetCore(ReadOnlySpan<char> name, int nameSize, Guid vendor, int dataSize, bool readData, out int size, out UefiVariableAttributeBits attributes)
    {
        if (dataSize < 0)
        {
            throw new ArgumentException($"a {nameSize}-byte name leaves no room in a {Limit()}-byte payload", nameof(name));
        }

        var fixedAndName = AccessNameOffset + nameSize;
        EnsureCapacity(fixedAndName + (readData ? dataSize : 0));
        WriteAccessHeader(vendor, (ulong)dataSize, nameSize, 0);
        WriteName(name, AccessNameOffset, nameSize);

        // The data area is sent as the guest memory holds it: the store overwrites it and reads none of it.
        var status = Send(UefiVariableFunctionCodes.GetVariable, fixedAndName + dataSize, fixedAndName, fixedAndName + (readData ? dataSize : 0));
        var payload = buffer.AsSpan(PayloadOffset);
        attributes = (UefiVariableAttributeBits)BinaryPrimitives.ReadUInt32LittleEndian(payload[SmmVariableCommunicateAccessVariable.AttributesOffset..]);
        var returned = BinaryPrimitives.ReadUInt64LittleEndian(payload[SmmVariableCommunicateAccessVariable.DataSizeOffset..]);
        size = 0;
        if (status == UefiVariableEfiStatusValues.Success || status == UefiVariableEfiStatusValues.BufferTooSmall)
        {
            // The data is read from where the request put its data area: a size past that area is not the store's to give.
            if (status == UefiVariableEfiStatusValues.Success && returned > (ulong)dataSize)
            {
                throw new InvalidDataException($"GetVariable answered {returned} bytes for a {dataSize}-byte data area");
            }

            size = (int)Math.Min(returned, int.MaxValue);
        }

        return status;
    }

    private ulong SetCore(string name, Guid vendor, UefiVariableAttributeBits attributes, ReadOnlySpan<byte> data)
    {
        var nameSize = NameSize(name);
        var payloadLength = AccessNameOffset + (long)nameSize + data.Length;
        if (payloadLength > Limit())
        {
            // VariableSmmRuntimeDxe refuses a request its buffer cannot hold before it sends anything.
            throw new ArgumentException($"variable '{name}' needs a {payloadLength}-byte payload; the store takes at most {Limit()}", nameof(data));
        }

        EnsureCapacity((int)payloadLength);
        WriteAccessHeader(vendor, (ulong)data.Length, nameSize, (uint)attributes);
        WriteName(name, AccessNameOffset, nameSize);
        data.CopyTo(buffer.AsSpan(PayloadOffset + AccessNameOffset + nameSize));
        return Send(UefiVariableFunctionCodes.SetVariable, (int)payloadLength, (int)payloadLength, 0);
    }

    private int Limit()
    {
        if (payloadLimit != 0)
        {
            return payloadLimit;
        }

        var payload = buffer.AsSpan(PayloadOffset, SmmVariableCommunicateGetPayloadSize.Size);
        payload.Clear();
        var status = Send(UefiVariableFunctionCodes.GetPayloadSize, payload.Length, payload.Length, payload.Length);
        ThrowIfError("GetPayloadSize", status);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(payload);
        if (size < AccessNameOffset + sizeof(char))
        {
            throw new InvalidDataException($"GetPayloadSize answered {size} bytes, too few for any variable");
        }

        payloadLimit = (int)Math.Min(size, (ulong)(bufferSize - PayloadOffset));
        return payloadLimit;
    }

    private void WriteAccessHeader(Guid vendor, ulong dataSize, int nameSize, uint attributes)
    {
        var payload = buffer.AsSpan(PayloadOffset);
        vendor.TryWriteBytes(payload[SmmVariableCommunicateAccessVariable.GuidOffset..]);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[SmmVariableCommunicateAccessVariable.DataSizeOffset..], dataSize);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[SmmVariableCommunicateAccessVariable.NameSizeOffset..], (ulong)nameSize);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[SmmVariableCommunicateAccessVariable.AttributesOffset..], attributes);
    }

    // The name, NUL-terminated UCS-2, after the fixed fields, zero-padded to areaSize bytes.
    private void WriteName(ReadOnlySpan<char> name, int nameOffset, int areaSize)
    {
        var area = buffer.AsSpan(PayloadOffset + nameOffset, areaSize);
        var bytes = MemoryMarshal.AsBytes(name);
        bytes.CopyTo(area);
        area[bytes.Length..].Clear();
    }

    private void EnsureCapacity(int payloadLength)
    {
        if (buffer.Length < PayloadOffset + payloadLength)
        {
            Array.Resize(ref buffer, PayloadOffset + payloadLength);
        }
    }

    private ulong DataGpa(int nameSize) => BufferGpa + (ulong)(PayloadOffset + AccessNameOffset + nameSize);

    // Sends function with a payloadLength-byte payload whose first writeLength bytes are in buffer, then reads the
    // header and the first readLength bytes of the payload back into buffer: one write and one read of guest memory.
    private ulong Send(uint function, int payloadLength, int writeLength, int readLength)
    {
        EnsureCapacity(Math.Max(writeLength, readLength));
        var header = buffer.AsSpan(0, PayloadOffset);
        UefiGuids.SmmVariableProtocol.TryWriteBytes(header);
        BinaryPrimitives.WriteUInt64LittleEndian(header[MmCoreHeader.Size2Offset..], (ulong)(SmmVariableCommunicateHeader.DataOffset + payloadLength));
        BinaryPrimitives.WriteUInt64LittleEndian(header[(MessageOffset + SmmVariableCommunicateHeader.FunctionOffset)..], function);
        BinaryPrimitives.WriteUInt64LittleEndian(header[(MessageOffset + SmmVariableCommunicateHeader.ReturnStatusOffset)..], 0);
        memory.Write(BufferGpa, buffer.AsSpan(0, PayloadOffset + writeLength));
        client.Request(BufferGpa, (ulong)bufferSize).Result.ThrowIfFailed("SVSM_UEFI_MM_REQUEST");

        memory.Read(BufferGpa + MessageOffset, buffer.AsSpan(MessageOffset, SmmVariableCommunicateHeader.DataOffset + readLength));
        return BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(MessageOffset + SmmVariableCommunicateHeader.ReturnStatusOffset));
    }

    private static int NameSize(ReadOnlySpan<char> name)
    {
        if (name.Contains('\0'))
        {
            throw new ArgumentException("a variable name holds no NUL", nameof(name));
        }

        return Ucs2.Size(name);
    }

    private static void ThrowIfError(string operation, ulong status, string? name = null)
    {
        if (status != UefiVariableEfiStatusValues.Success)
        {
            throw new UefiVariableException(operation, status, name);
        }
    }
}
