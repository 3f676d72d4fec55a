using Svsm.Runtime;

namespace Svsm.Emulator;

/// <summary>
/// What a call answers for each way a guest buffer can be wrong. COCONUT-SVSM's codes differ per call: a guest
/// access that faults is SVSM_ERR_INVALID_ADDRESS in core.rs, attest.rs and uefivars.rs (<c>SvsmError::Fault</c>,
/// errors.rs), but vtpm.rs maps it to SVSM_ERR_INVALID_PARAMETER; a length past what the call takes is
/// SVSM_ERR_INVALID_PARAMETER everywhere. Alignment is not here: the generated dispatcher checks it, with the code
/// the spec's Alignment cell names.
/// </summary>
/// <param name="Unmapped">Some byte of the buffer is not guest memory.</param>
/// <param name="Wrapping">The buffer runs past the top of the 64-bit address space.</param>
/// <param name="TooLong">The buffer is longer than the call takes.</param>
public readonly record struct GuestBufferCodes(SvsmResult Unmapped, SvsmResult Wrapping, SvsmResult TooLong)
{
    /// <summary>core.rs, attest.rs, uefivars.rs: a fault or a wrapping range is INVALID_ADDRESS.</summary>
    public static GuestBufferCodes Address { get; } = new(SvsmResult.InvalidAddress, SvsmResult.InvalidAddress, SvsmResult.InvalidParameter);

    /// <summary>vtpm.rs: <c>read_from_guest(...).map_err(|_| invalid_parameter())</c>.</summary>
    public static GuestBufferCodes Parameter { get; } = new(SvsmResult.InvalidParameter, SvsmResult.InvalidParameter, SvsmResult.InvalidParameter);
}

/// <summary>The one check of a guest buffer every emulated service makes before it touches guest memory.</summary>
public static class GuestBuffers
{
    /// <summary>
    /// Checks the <paramref name="length"/>-byte buffer at <paramref name="gpa"/>, in this order: no longer than
    /// <paramref name="maxLength"/>, not wrapping, and all guest memory. Returns the code <paramref name="codes"/>
    /// gives for the first check that fails, or null when the buffer may be used. An empty buffer is never read or
    /// written, so only its length is checked.
    /// </summary>
    public static SvsmResult? CheckBuffer(this in SvsmCallContext context, ulong gpa, ulong length, in GuestBufferCodes codes, ulong maxLength = ulong.MaxValue)
    {
        if (length > maxLength)
        {
            return codes.TooLong;
        }

        if (length == 0)
        {
            return null;
        }

        if (gpa + length < gpa)
        {
            return codes.Wrapping;
        }

        return context.Memory.IsMapped(gpa, length) ? null : codes.Unmapped;
    }
}
