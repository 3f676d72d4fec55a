using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Svsm.Runtime.Uefi;
using Status = Svsm.Runtime.Uefi.UefiVariableEfiStatusValues;

namespace Svsm.Emulator.Services.UefiMm;

/// <summary>
/// The SMM variable messages (specs/uefi-variables.md) as edk2's <c>SmmVariableHandler</c> answers them
/// (MdeModulePkg/Universal/Variable/RuntimeDxe/VariableSmm.c, and Variable.c's services behind it; edk2 at
/// c5aa7e7d). The answer is written in place and its EFI status into ReturnStatus. A message too short for its
/// function, or with a payload past <see cref="EmulatedVariableStore.PayloadSize"/>, is dropped untouched, as edk2
/// returns before it writes ReturnStatus. Runs under the store's lock.
/// </summary>
internal sealed class SmmVariableHandler(EmulatedVariableStore store)
{
    private const int HeaderSize = SmmVariableCommunicateHeader.DataOffset;
    private const int AccessNameOffset = SmmVariableCommunicateAccessVariable.NameOffset;
    private const int NextNameOffset = SmmVariableCommunicateGetNextVariableName.NameOffset;

    private const uint NonVolatile = (uint)UefiVariableAttributeBits.NonVolatile;
    private const uint BootService = (uint)UefiVariableAttributeBits.BootserviceAccess;
    private const uint Runtime = (uint)UefiVariableAttributeBits.RuntimeAccess;
    private const uint HardwareError = (uint)UefiVariableAttributeBits.HardwareErrorRecord;
    private const uint CountAuthenticated = (uint)UefiVariableAttributeBits.AuthenticatedWriteAccess;
    private const uint TimeAuthenticated = (uint)UefiVariableAttributeBits.TimeBasedAuthenticatedWriteAccess;
    private const uint Append = (uint)UefiVariableAttributeBits.AppendWrite;

    // Variable.h's EFI_VARIABLE_ATTRIBUTES_MASK (the deprecated count-based bit is not in it), and every bit SetVariable takes.
    private const uint AttributesMask = NonVolatile | BootService | Runtime | HardwareError | TimeAuthenticated | Append;
    private const uint AllAttributes = AttributesMask | CountAuthenticated;

    public void Handle(Span<byte> message)
    {
        // VariableSmm.c:483-503: too short for the header, or a payload past the store's, is dropped unanswered.
        if (message.Length < HeaderSize || message.Length - HeaderSize > store.PayloadSize)
        {
            return;
        }

        var payload = message[HeaderSize..];
        var function = BinaryPrimitives.ReadUInt64LittleEndian(message[SmmVariableCommunicateHeader.FunctionOffset..]);
        if (payload.Length < MinimumPayload(function))
        {
            // VariableSmm.c checks each function's payload size first and drops a message too short for it.
            return;
        }

        ulong status;
        switch (function)
        {
            case UefiVariableFunctionCodes.GetVariable:
                status = GetVariable(payload);
                break;
            case UefiVariableFunctionCodes.GetNextVariableName:
                status = GetNextVariableName(payload);
                break;
            case UefiVariableFunctionCodes.SetVariable:
                status = SetVariable(payload);
                break;
            case UefiVariableFunctionCodes.QueryVariableInfo:
                status = QueryVariableInfo(payload);
                break;
            case UefiVariableFunctionCodes.GetPayloadSize:
                BinaryPrimitives.WriteUInt64LittleEndian(payload, (ulong)store.PayloadSize);
                status = Status.Success;
                break;
            case UefiVariableFunctionCodes.ReadyToBoot:
                // VariableSmm.c:695-715: refused after ExitBootServices; otherwise EndOfDxe's work, if not done yet.
                status = store.AtRuntime ? Status.Unsupported : Status.Success;
                store.EndOfDxe |= !store.AtRuntime;
                break;
            case UefiVariableFunctionCodes.ExitBootService:
                store.AtRuntime = true;
                status = Status.Success;
                break;
            case UefiVariableFunctionCodes.LockVariable:
                status = LockVariable(payload);
                break;
            default:
                // Statistics, VarCheck properties and the runtime cache are not kept: edk2's answer to a function it lacks.
                status = Status.Unsupported;
                break;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(message[SmmVariableCommunicateHeader.ReturnStatusOffset..], status);
    }

    // VariableSmm.c:507-562, then VariableServiceGetVariable (Variable.c:2409-2470).
    // The payload each function reads before it looks at sizes inside it; 0 for those that read none.
    private static int MinimumPayload(ulong function) => function switch
    {
        UefiVariableFunctionCodes.GetVariable or UefiVariableFunctionCodes.SetVariable => AccessNameOffset,
        UefiVariableFunctionCodes.GetNextVariableName or UefiVariableFunctionCodes.LockVariable => NextNameOffset,
        UefiVariableFunctionCodes.QueryVariableInfo => SmmVariableCommunicateQueryVariableInfo.Size,
        UefiVariableFunctionCodes.GetPayloadSize => SmmVariableCommunicateGetPayloadSize.Size,
        _ => 0,
    };

    private ulong GetVariable(Span<byte> payload)
    {
        if (AccessEnvelope(payload, out var dataSize, out var nameSize) is { } denied)
        {
            return denied;
        }

        var name = Ucs2.Name(payload.Slice(AccessNameOffset, nameSize));
        var entry = name.Length == 0 ? null : store.Find(Vendor(payload), name, honourRuntime: true);
        if (entry is null)
        {
            return Status.NotFound;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(payload[SmmVariableCommunicateAccessVariable.AttributesOffset..], entry.Attributes);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[SmmVariableCommunicateAccessVariable.DataSizeOffset..], (ulong)entry.Data.Length);
        if ((ulong)entry.Data.Length > dataSize)
        {
            return Status.BufferTooSmall;
        }

        entry.Data.CopyTo(payload[(AccessNameOffset + nameSize)..]);
        return Status.Success;
    }

    // VariableSmm.c:564-609, then VariableServiceGetNextVariableName (Variable.c:2504-2577, VariableParsing.c).
    private ulong GetNextVariableName(Span<byte> payload)
    {
        if (NameEnvelope(payload) is { } denied)
        {
            return denied;
        }

        // NameSize is the size of the caller's name buffer; the name must end within it.
        var nameSizeField = payload[SmmVariableCommunicateGetNextVariableName.NameSizeOffset..];
        var bufferSize = BinaryPrimitives.ReadUInt64LittleEndian(nameSizeField);
        var area = payload[NextNameOffset..];
        var maxChars = (int)Math.Min(bufferSize / sizeof(char), (ulong)(area.Length / sizeof(char)));
        var chars = MemoryMarshal.Cast<byte, char>(area[..(maxChars * sizeof(char))]);
        var end = chars.IndexOf('\0');
        if (end < 0)
        {
            return Status.InvalidParameter;
        }

        var current = new string(chars[..end]);
        var vendor = Vendor(payload);
        EmulatedVariableStore.Entry? next = null;
        var found = current.Length == 0;
        foreach (var entry in store.Walk(store.AtRuntime))
        {
            if (found)
            {
                next = entry;
                break;
            }

            found = entry.Vendor == vendor && entry.Name == current;
        }

        if (!found)
        {
            // A name and GUID the store does not hold: VariableParsing.c:582-597.
            return Status.InvalidParameter;
        }

        if (next is null)
        {
            return Status.NotFound;
        }

        var needed = Ucs2.Size(next.Name);
        BinaryPrimitives.WriteUInt64LittleEndian(nameSizeField, (ulong)needed);
        if ((ulong)needed > bufferSize)
        {
            return Status.BufferTooSmall;
        }

        next.Vendor.TryWriteBytes(payload);
        MemoryMarshal.AsBytes(next.Name.AsSpan()).CopyTo(area);
        area.Slice(needed - sizeof(char), sizeof(char)).Clear();
        return Status.Success;
    }

    // VariableSmm.c:611-666, then VariableServiceSetVariable (Variable.c:2614-2919) and UpdateVariable (1680+).
    private ulong SetVariable(Span<byte> payload)
    {
        if (AccessEnvelope(payload, out var dataSize, out var nameSize) is { } denied)
        {
            return denied;
        }

        var name = Ucs2.Name(payload.Slice(AccessNameOffset, nameSize));
        var vendor = Vendor(payload);
        var attributes = BinaryPrimitives.ReadUInt32LittleEndian(payload[SmmVariableCommunicateAccessVariable.AttributesOffset..]);
        var data = payload.Slice(AccessNameOffset + nameSize, (int)dataSize);
        var countAuthenticated = (attributes & CountAuthenticated) != 0;
        if (name.Length == 0 || (attributes & ~AllAttributes) != 0)
        {
            return Status.InvalidParameter;
        }

        // Variable.c:2655-2672: runtime access without boot-service access, or non-volatile and nothing else.
        if ((attributes & (Runtime | BootService)) == Runtime || (attributes & AttributesMask) == NonVolatile)
        {
            return countAuthenticated ? Status.Unsupported : Status.InvalidParameter;
        }

        // The store is an authenticated one, as OVMF's is (AuthSupport), that verifies no signature. The count-based
        // scheme is deprecated (edk2 answers EFI_UNSUPPORTED to it), and a time-based write is one whose
        // authentication cannot pass: EFI_SECURITY_VIOLATION in the UEFI spec.
        if (countAuthenticated)
        {
            return Status.Unsupported;
        }

        if ((attributes & TimeAuthenticated) != 0)
        {
            return Status.SecurityViolation;
        }

        // No hardware error record storage (PcdHwErrStorageSize 0): Variable.c:2680-2686.
        if ((attributes & HardwareError) != 0)
        {
            return Status.InvalidParameter;
        }

        if (!store.Fits(name, data.Length))
        {
            return Status.InvalidParameter;
        }

        if (store.IsLocked(vendor, name))
        {
            return Status.WriteProtected;
        }

        var existing = store.Find(vendor, name, honourRuntime: false);
        var append = (attributes & Append) != 0;
        if (existing is not null)
        {
            if (store.AtRuntime && !existing.Has(UefiVariableAttributeBits.RuntimeAccess))
            {
                return Status.WriteProtected;
            }

            if (attributes != 0 && (attributes & ~Append) != existing.Attributes)
            {
                return Status.InvalidParameter;
            }

            if (store.AtRuntime && !existing.Has(UefiVariableAttributeBits.NonVolatile))
            {
                return Status.WriteProtected;
            }

            if ((data.IsEmpty && !append) || (attributes & (BootService | Runtime)) == 0)
            {
                return store.Delete(existing);
            }

            if (append)
            {
                if (data.IsEmpty)
                {
                    return Status.Success;
                }

                var appended = new byte[existing.Data.Length + data.Length];
                existing.Data.CopyTo(appended, 0);
                data.CopyTo(appended.AsSpan(existing.Data.Length));
                return store.Write(existing, name, vendor, existing.Attributes, appended);
            }

            return data.SequenceEqual(existing.Data) ? Status.Success : store.Write(existing, name, vendor, existing.Attributes, data.ToArray());
        }

        if (data.IsEmpty && append)
        {
            return Status.Success;
        }

        if (data.IsEmpty || (attributes & (BootService | Runtime)) == 0)
        {
            return Status.NotFound;
        }

        if (store.AtRuntime && (attributes & (NonVolatile | Runtime)) != (NonVolatile | Runtime))
        {
            return Status.InvalidParameter;
        }

        return store.Write(null, name, vendor, attributes & ~Append, data.ToArray());
    }

    // VariableSmm.c:668-682, then VariableServiceQueryVariableInfo (Variable.c:2942-3194).
    private ulong QueryVariableInfo(Span<byte> payload)
    {
        var attributes = BinaryPrimitives.ReadUInt32LittleEndian(payload[SmmVariableCommunicateQueryVariableInfo.AttributesOffset..]);
        if (attributes == 0)
        {
            return Status.InvalidParameter;
        }

        if ((attributes & CountAuthenticated) != 0 || (attributes & AttributesMask) == 0)
        {
            return Status.Unsupported;
        }

        if ((attributes & AttributesMask) == NonVolatile || (attributes & (Runtime | BootService)) == Runtime
            || (store.AtRuntime && (attributes & Runtime) == 0) || (attributes & (NonVolatile | HardwareError)) == HardwareError)
        {
            return Status.InvalidParameter;
        }

        // An authenticated store (time-based variables are in its non-volatile space), with no hardware error record storage.
        if ((attributes & HardwareError) != 0)
        {
            return Status.Unsupported;
        }

        var (maximum, used) = store.Storage((attributes & NonVolatile) != 0);
        var remaining = Math.Max(0, maximum - used);
        var largest = remaining < EmulatedVariableStore.VariableHeaderSize
            ? 0
            : Math.Min(store.Options.MaxVariableSize, remaining) - EmulatedVariableStore.VariableHeaderSize;
        BinaryPrimitives.WriteUInt64LittleEndian(payload[SmmVariableCommunicateQueryVariableInfo.MaximumVariableStorageSizeOffset..], (ulong)maximum);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[SmmVariableCommunicateQueryVariableInfo.RemainingVariableStorageSizeOffset..], (ulong)remaining);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[SmmVariableCommunicateQueryVariableInfo.MaximumVariableSizeOffset..], (ulong)largest);
        return Status.Success;
    }

    // VariableSmm.c:740-765 and VariableLockRequestToLock: a lock is asked for before EndOfDxe and holds at once, as
    // the LOCK_NOW variable policy it registers does (VariablePolicyLib.c).
    private ulong LockVariable(Span<byte> payload)
    {
        if (NameEnvelope(payload) is { } denied)
        {
            return denied;
        }

        if (store.EndOfDxe)
        {
            return Status.AccessDenied;
        }

        var name = Ucs2.Name(payload[NextNameOffset..]);
        if (name.Length == 0)
        {
            return Status.InvalidParameter;
        }

        return store.Lock(Vendor(payload), name) ? Status.Success : Status.OutOfResources;
    }

    // VariableSmm.c's checks of an ACCESS_VARIABLE payload: sizes that overflow or run past the payload, or a name
    // whose last CHAR16 is not NUL, are EFI_ACCESS_DENIED.
    private static ulong? AccessEnvelope(ReadOnlySpan<byte> payload, out ulong dataSize, out int nameSize)
    {
        dataSize = BinaryPrimitives.ReadUInt64LittleEndian(payload[SmmVariableCommunicateAccessVariable.DataSizeOffset..]);
        var nameBytes = BinaryPrimitives.ReadUInt64LittleEndian(payload[SmmVariableCommunicateAccessVariable.NameSizeOffset..]);
        nameSize = 0;
        var room = (ulong)(payload.Length - AccessNameOffset);
        if (dataSize > room || nameBytes > room - dataSize)
        {
            return Status.AccessDenied;
        }

        nameSize = (int)nameBytes;
        if (nameSize < sizeof(char) || payload[AccessNameOffset + (nameSize / 2 * 2) - 2] != 0 || payload[AccessNameOffset + (nameSize / 2 * 2) - 1] != 0)
        {
            return Status.AccessDenied;
        }

        return null;
    }

    // GET_NEXT_VARIABLE_NAME's and LOCK_VARIABLE's: NameSize within the payload, and the last CHAR16 of the whole name area NUL.
    private static ulong? NameEnvelope(ReadOnlySpan<byte> payload)
    {
        var nameBytes = BinaryPrimitives.ReadUInt64LittleEndian(payload[SmmVariableCommunicateGetNextVariableName.NameSizeOffset..]);
        var area = payload.Length - NextNameOffset;
        if (nameBytes > (ulong)area)
        {
            return Status.AccessDenied;
        }

        var chars = area / sizeof(char);
        if (chars == 0 || payload[NextNameOffset + (chars * 2) - 2] != 0 || payload[NextNameOffset + (chars * 2) - 1] != 0)
        {
            return Status.AccessDenied;
        }

        return null;
    }


    private static Guid Vendor(ReadOnlySpan<byte> payload) => new(payload[..16]);
}
