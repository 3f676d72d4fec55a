namespace Svsm.Runtime;

/// <summary>Carries one SVSM call: the guest's registers go in, the SVSM's come back (RAX holds the result).</summary>
public interface ISvsmTransport
{
    void Call(ref SvsmRegisters registers);
}

/// <summary>Reads and writes guest memory by guest physical address.</summary>
public interface IGuestMemory
{
    /// <summary>Fills <paramref name="destination"/> from <paramref name="gpa"/>; throws <see cref="GuestMemoryException"/> on an unmapped or out-of-range address.</summary>
    void Read(ulong gpa, System.Span<byte> destination);

    /// <summary>Copies <paramref name="source"/> to <paramref name="gpa"/>; throws <see cref="GuestMemoryException"/> on an unmapped or out-of-range address.</summary>
    void Write(ulong gpa, System.ReadOnlySpan<byte> source);

    /// <summary>Whether every byte of the <paramref name="length"/>-byte range at <paramref name="gpa"/> is guest memory (false for a range that wraps).</summary>
    bool IsMapped(ulong gpa, ulong length);
}

/// <summary>Why a guest memory access cannot be made.</summary>
public enum GuestMemoryError
{
    /// <summary>Part of the range is not backed by guest memory.</summary>
    Unmapped,

    /// <summary>The range runs past the top of the 64-bit address space.</summary>
    OutOfRange,

    /// <summary>The address breaks the alignment the access needs.</summary>
    Misaligned,
}

/// <summary>A guest memory access that cannot be made; nothing was read or written.</summary>
public sealed class GuestMemoryException(GuestMemoryError error, ulong gpa, ulong length, string reason)
    : System.Exception($"guest memory 0x{gpa:X}+0x{length:X}: {reason}")
{
    public GuestMemoryError Error { get; } = error;

    public ulong Gpa { get; } = gpa;

    public ulong Length { get; } = length;
}

/// <summary>What an SVSM-side handler knows about the call it serves.</summary>
/// <param name="VcpuIndex">The calling vCPU.</param>
/// <param name="Memory">The guest's memory.</param>
/// <param name="CallingAreaGpa">The calling vCPU's calling area.</param>
public readonly record struct SvsmCallContext(int VcpuIndex, IGuestMemory Memory, ulong CallingAreaGpa)
{
    /// <summary>
    /// The serving SVSM's own state of the calling vCPU, read once when the call came in, so that a handler acts on
    /// the vCPU that made the call even if it is deleted, or another is created under its index, meanwhile.
    /// </summary>
    public object? Vcpu { get; init; }
}

/// <summary>Marks a generated client method with the protocol and call it makes.</summary>
[System.AttributeUsage(System.AttributeTargets.Method, Inherited = false)]
public sealed class SvsmCallAttribute(uint protocol, uint call) : System.Attribute
{
    public uint Protocol { get; } = protocol;

    public uint Call { get; } = call;
}

/// <summary>What generated clients throw when an argument breaks its spec, kept out of the client methods so they stay small.</summary>
public static class SvsmArgumentChecks
{
    /// <summary>Throws the <see cref="System.ArgumentException"/> for <paramref name="value"/> in <paramref name="register"/>, not aligned to <paramref name="alignment"/> bytes.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static void ThrowMisaligned(string register, string parameter, ulong value, int alignment) =>
        throw new System.ArgumentException(
            register + " (" + parameter + ") must be aligned to " + alignment.ToString(System.Globalization.CultureInfo.InvariantCulture) + " bytes, but 0x" +
            value.ToString("X", System.Globalization.CultureInfo.InvariantCulture) + " is not.",
            parameter);
}
