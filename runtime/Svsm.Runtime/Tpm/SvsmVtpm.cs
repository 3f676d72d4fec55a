using System;
using System.Buffers.Binary;

namespace Svsm.Runtime.Tpm;

/// <summary>
/// The guest side of the SVSM vTPM protocol, as Linux's <c>tpm_svsm</c> driver uses it: one 4096-byte guest buffer,
/// the request header (TPM_SEND_COMMAND, locality 0, the command's size; little-endian) and the command written
/// into it, <c>SVSM_VTPM_CMD</c>, and the response read back over the same buffer. One command runs at a time.
/// </summary>
public sealed class SvsmVtpm : ITpm
{
    private readonly object gate = new();
    private readonly VtpmClient client;
    private readonly IGuestMemory memory;
    private readonly ulong bufferGpa;
    private readonly byte[] buffer = new byte[VtpmBufferSizes.MaxBuffer];

    public SvsmVtpm(ISvsmTransport transport, IGuestMemory memory, GuestAllocator allocator)
    {
        client = new VtpmClient(transport ?? throw new ArgumentNullException(nameof(transport)));
        this.memory = memory ?? throw new ArgumentNullException(nameof(memory));
        bufferGpa = (allocator ?? throw new ArgumentNullException(nameof(allocator))).AllocatePages(1).Gpa;
    }

    /// <summary>Whether the SVSM offers TPM_SEND_COMMAND (<c>SVSM_VTPM_QUERY</c>, bit 8), as Linux probes before it registers the TPM.</summary>
    public bool Probe()
    {
        var query = client.Query();
        return query.Result.IsSuccess && (query.PlatformCommands & (1UL << (int)VtpmPlatformCommands.TpmSendCommand)) != 0;
    }

    public int Execute(ReadOnlySpan<byte> command, Span<byte> response)
    {
        if (command.Length > VtpmBufferSizes.MaxCommandSize)
        {
            throw new ArgumentException($"the vTPM buffer holds a command of at most {VtpmBufferSizes.MaxCommandSize} bytes, not {command.Length}", nameof(command));
        }

        lock (gate)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(TpmSendCommandRequest.CommandOffset), VtpmPlatformCommands.TpmSendCommand);
            buffer[TpmSendCommandRequest.LocalityOffset] = (byte)VtpmBufferSizes.Locality;
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(TpmSendCommandRequest.InputSizeOffset), (uint)command.Length);
            command.CopyTo(buffer.AsSpan(TpmSendCommandRequest.InputOffset));
            memory.Write(bufferGpa, buffer.AsSpan(0, TpmSendCommandRequest.InputOffset + command.Length));
            var result = client.Cmd(bufferGpa).Result;
            if (!result.IsSuccess)
            {
                throw new SvsmCallException("SVSM_VTPM_CMD", result);
            }

            memory.Read(bufferGpa, buffer.AsSpan(0, TpmSendCommandResponse.OutputOffset));
            var length = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(TpmSendCommandResponse.OutputSizeOffset));
            if (length > VtpmBufferSizes.MaxResponseSize || length > response.Length)
            {
                throw new TpmException($"the vTPM answered {length} bytes, more than {Math.Min(VtpmBufferSizes.MaxResponseSize, (uint)response.Length)}");
            }

            memory.Read(bufferGpa + TpmSendCommandResponse.OutputOffset, response[..(int)length]);
            return (int)length;
        }
    }
}
