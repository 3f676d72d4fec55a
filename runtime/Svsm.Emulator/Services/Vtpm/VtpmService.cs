using System;
using System.Buffers.Binary;
using Svsm.Emulator.Tpm;
using Svsm.Runtime;
using Svsm.Runtime.Attestation;
using Svsm.Runtime.Tpm;

namespace Svsm.Emulator.Services.Vtpm;

/// <summary>
/// The vTPM protocol (specs/vtpm.md) as COCONUT-SVSM's <c>kernel/src/protocols/vtpm.rs</c> serves it, forwarding
/// TPM_SEND_COMMAND to a real TPM (<see cref="SwtpmProcess"/>) in its order of checks. The endorsement key's public
/// area, the vTPM service's attestation manifest, is made once, on first use, as COCONUT-SVSM makes it.
/// </summary>
internal sealed class VtpmService(ITpm tpm) : IVtpmHandler
{
    private const int BufferSize = (int)VtpmBufferSizes.MaxBuffer;

    private readonly object gate = new();
    private readonly byte[] buffer = new byte[BufferSize];
    private readonly byte[] response = new byte[BufferSize];
    private byte[]? endorsementKey;

    public VtpmQueryResult Query(SvsmCallContext context) => new(SvsmResult.Success, 1UL << (int)VtpmPlatformCommands.TpmSendCommand, 0);

    public VtpmCmdResult Cmd(SvsmCallContext context, ulong bufferGpa)
    {
        if (bufferGpa == 0)
        {
            return new(SvsmResult.InvalidParameter);
        }

        lock (gate)
        {
            // The platform command first, on its own (vtpm.rs maps that read's fault to INVALID_PARAMETER), then the
            // whole buffer (a fault there is INVALID_ADDRESS).
            if (context.CheckBuffer(bufferGpa, sizeof(uint), GuestBufferCodes.Parameter) is { } badCommand)
            {
                return new(badCommand);
            }

            context.Memory.Read(bufferGpa, buffer.AsSpan(TpmSendCommandRequest.CommandOffset, sizeof(uint)));

            if (BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(TpmSendCommandRequest.CommandOffset)) != VtpmPlatformCommands.TpmSendCommand)
            {
                return new(SvsmResult.InvalidParameter);
            }

            if (context.CheckBuffer(bufferGpa, BufferSize, GuestBufferCodes.Address) is { } badBuffer)
            {
                return new(badBuffer);
            }

            context.Memory.Read(bufferGpa, buffer);

            var inputSize = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(TpmSendCommandRequest.InputSizeOffset));
            if (buffer[TpmSendCommandRequest.LocalityOffset] != VtpmBufferSizes.Locality || inputSize > VtpmBufferSizes.MaxCommandSize)
            {
                return new(SvsmResult.InvalidParameter);
            }

            int length;
            try
            {
                length = tpm.Execute(buffer.AsSpan(TpmSendCommandRequest.InputOffset, (int)inputSize), response);
            }
            catch (TpmException)
            {
                return new(SvsmResult.InvalidRequest);
            }

            if (length == 0 || length > BufferSize)
            {
                return new(SvsmResult.InvalidRequest);
            }

            // A response too long for the buffer is dropped and the request left in place, as vtpm.rs does.
            if (length <= VtpmBufferSizes.MaxResponseSize)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(TpmSendCommandResponse.OutputSizeOffset), (uint)length);
                response.AsSpan(0, length).CopyTo(buffer.AsSpan(TpmSendCommandResponse.OutputOffset));
            }

            try
            {
                context.Memory.Write(bufferGpa, buffer);
            }
            catch (GuestMemoryException)
            {
                return new(SvsmResult.InvalidAddress);
            }

            return new(SvsmResult.Success);
        }
    }

    /// <summary>The EK public area (TPMT_PUBLIC, 314 bytes for the RSA 2048 template); a TPM failure is INVALID_REQUEST.</summary>
    public byte[] EndorsementKey()
    {
        lock (gate)
        {
            return endorsementKey ??= TpmWire.CreateEndorsementKeyPublic(tpm);
        }
    }
}
