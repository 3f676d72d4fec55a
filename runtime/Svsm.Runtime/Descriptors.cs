using System;
using System.Collections.Generic;

namespace Svsm.Runtime;

/// <summary>Whether a register carries an input, an output or both.</summary>
public enum SvsmDirection
{
    In,
    Out,
    InOut,
}

/// <summary>One register of a call as its spec describes it.</summary>
/// <param name="Alignment">Required alignment in bytes, or 0 when the spec sets none.</param>
public sealed record SvsmRegisterDescriptor(X86Register Register, SvsmDirection Direction, int Size, int Alignment, string Name, string Description);

/// <summary>One call of a protocol as its spec describes it, readable at run time.</summary>
public sealed record SvsmCallDescriptor(uint Protocol, uint Call, string Name, uint SinceVersion, string Function, IReadOnlyList<SvsmRegisterDescriptor> Registers);

/// <summary>
/// How a kind of call uses the registers: where the call code goes, the argument registers in order, where the
/// result comes back and which registers the call clobbers.
/// </summary>
/// <param name="CallCode">How the call code is formed, in words.</param>
public sealed record CallingConvention(
    string Name, string Trap, X86Register CodeRegister, string CallCode, IReadOnlyList<X86Register> Arguments,
    X86Register ResultRegister, IReadOnlyList<X86Register> Clobbered)
{
    /// <summary>
    /// SVSM calls (SVSM specification, Linux <c>svsm_issue_call</c>): RAX = <c>(protocol &lt;&lt; 32) | call</c>,
    /// arguments in RCX, RDX, R8, R9, the result code back in RAX; the guest sets <c>call_pending</c> and exits with VMGEXIT.
    /// </summary>
    public static CallingConvention SvsmCall { get; } = new(
        "SVSM call", "VMGEXIT with call_pending set in the calling area", X86Register.Rax, "(protocol << 32) | call",
        new[] { X86Register.Rcx, X86Register.Rdx, X86Register.R8, X86Register.R9 }, X86Register.Rax, Array.Empty<X86Register>());

    /// <summary>
    /// COCONUT-SVSM user-mode syscalls (<c>syscall/src/call.rs</c>, <c>kernel/src/cpu/idt/svsm.rs</c>): <c>int 0x80</c>,
    /// RAX = <c>(class &lt;&lt; 32) | nr</c>, arguments in RDI, RSI, R8, R9, R10 (not RDX), the result in RAX,
    /// RCX and R11 clobbered.
    /// </summary>
    public static CallingConvention CoconutSyscall { get; } = new(
        "COCONUT-SVSM syscall", "int 0x80", X86Register.Rax, "(class << 32) | nr",
        new[] { X86Register.Rdi, X86Register.Rsi, X86Register.R8, X86Register.R9, X86Register.R10 }, X86Register.Rax,
        new[] { X86Register.Rcx, X86Register.R11 });
}
