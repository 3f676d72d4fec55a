using System;
using System.Buffers.Binary;
using Svsm.Runtime;
using Svsm.Runtime.Uefi;

namespace Svsm.Emulator.Services.UefiMm;

/// <summary>
/// The UEFI MM protocol (specs/uefi-mm.md) as COCONUT-SVSM's <c>kernel/src/protocols/uefivars.rs</c> serves it:
/// the buffer checks of its <c>check_buffer</c> and <c>uefi_mm_request</c> in their order, then the message after
/// the 24-byte MM header routed by the header's GUID and answered in place at +24. The MM header is not rewritten,
/// no register but RAX is set, and everything past those checks is SVSM_SUCCESS: the request's own outcome is in
/// the message (an SMM variable message's ReturnStatus).
/// </summary>
internal sealed class UefiMmService(EmulatedVariableStore store, EmulatorLog log) : IUefiMmHandler
{
    /// <summary>uefivars.rs's <c>UEFI_MM_BUFFER_LIMIT</c>: 256 KiB ("current edk2 uses 64k").</summary>
    internal const ulong BufferLimit = 256 * 1024;

    private const int HeaderSize = MmCoreHeader.Size;

    // A message is copied in whole, answered, and copied back: at most the buffer less its header.
    private readonly byte[] message = new byte[BufferLimit - HeaderSize];

    public UefiMmRequestResult Request(SvsmCallContext context, ulong bufferAddress, ulong bufferSize)
    {
        // check_buffer: null, then not guest memory (valid_phys_address looks at the first byte), then the sizes. Its
        // page-offset check, INVALID_ADDRESS, is made before the dispatcher's (see SvsmEmulatorServices.AddUefiMm).
        // The first byte is looked at on its own only when the sizes are wrong: otherwise reading the header does it.
        if (bufferAddress == 0)
        {
            return new(SvsmResult.InvalidParameter);
        }

        if (bufferSize < HeaderSize || bufferSize > BufferLimit)
        {
            return new(context.Memory.IsMapped(bufferAddress, 1) ? SvsmResult.InvalidParameter : SvsmResult.InvalidAddress);
        }

        // uefi_mm_request: the header's read faults as INVALID_ADDRESS (the address is page-aligned, so the header is
        // in the page valid_phys_address looks at), a size past the buffer is INVALID_PARAMETER.
        if (context.CheckBuffer(bufferAddress, HeaderSize, GuestBufferCodes.Address) is { } badHeader)
        {
            return new(badHeader);
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        context.Memory.Read(bufferAddress, header);

        var length = BinaryPrimitives.ReadUInt64LittleEndian(header[MmCoreHeader.Size2Offset..]);
        if (length > bufferSize - HeaderSize)
        {
            return new(SvsmResult.InvalidParameter);
        }

        var messageGpa = bufferAddress + HeaderSize;
        if (context.CheckBuffer(messageGpa, length, GuestBufferCodes.Address) is { } badMessage)
        {
            return new(badMessage);
        }

        var receiver = new Guid(header[..16]);
        lock (store.Gate)
        {
            var body = message.AsSpan(0, (int)length);
            context.Memory.Read(messageGpa, body);

            if (receiver == UefiGuids.SmmVariableProtocol)
            {
                store.Handler.Handle(body);
            }
            else if (receiver == UefiGuids.EndOfDxeEvent)
            {
                // OVMF forwards the event group (VirtMmCommunication.c); the MM variable driver's EndOfDxe callback runs.
                store.EndOfDxe = true;
            }
            else if (receiver != UefiGuids.ReadyToBootEvent && receiver != UefiGuids.ExitBootServicesEvent)
            {
                // No MM handler for it: the message comes back as it went (the variable driver acts on functions 5 and 6).
                if (log.IsEnabled(EmulatorLogLevel.Debug))
                {
                    log.Write(EmulatorLogLevel.Debug, $"UEFI MM: no handler for GUID {receiver}; {length}-byte message left as it was");
                }
            }

            context.Memory.Write(messageGpa, body);
        }

        return new(SvsmResult.Success);
    }
}
