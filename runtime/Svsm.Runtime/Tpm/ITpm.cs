using System;

namespace Svsm.Runtime.Tpm;

/// <summary>A TPM 2.0 that executes commands in the TPM wire format (big-endian, a 10-byte header each way).</summary>
public interface ITpm
{
    /// <summary>Runs <paramref name="command"/> and writes the response to <paramref name="response"/>; returns its length.</summary>
    int Execute(ReadOnlySpan<byte> command, Span<byte> response);
}

/// <summary>A TPM that cannot take a command: not running, or its answer broke the wire format.</summary>
public sealed class TpmException(string message, Exception? inner = null) : Exception(message, inner);
