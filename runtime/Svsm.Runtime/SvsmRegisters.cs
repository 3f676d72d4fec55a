using System;
using System.Runtime.InteropServices;

namespace Svsm.Runtime;

/// <summary>The general-purpose registers of one call, as the guest sets them before VMGEXIT and reads them after.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SvsmRegisters
{
    public ulong Rax;
    public ulong Rcx;
    public ulong Rdx;
    public ulong Rbx;
    public ulong Rsp;
    public ulong Rbp;
    public ulong Rsi;
    public ulong Rdi;
    public ulong R8;
    public ulong R9;
    public ulong R10;
    public ulong R11;
    public ulong R12;
    public ulong R13;
    public ulong R14;
    public ulong R15;

    /// <summary>The register <paramref name="register"/>, by reference.</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public ref ulong this[X86Register register]
    {
        get
        {
            if ((uint)register > (uint)X86Register.R15)
            {
                throw new ArgumentOutOfRangeException(nameof(register), register, "not a general-purpose register");
            }

            return ref System.Runtime.CompilerServices.Unsafe.Add(ref Rax, (int)register);
        }
    }

    /// <summary>RAX as an SVSM call code: <c>(protocol &lt;&lt; 32) | call</c>.</summary>
    public static ulong CallCode(uint protocol, uint call) => ((ulong)protocol << 32) | call;
}

/// <summary>The general-purpose registers, numbered as the hardware encodes them.</summary>
public enum X86Register
{
    Rax,
    Rcx,
    Rdx,
    Rbx,
    Rsp,
    Rbp,
    Rsi,
    Rdi,
    R8,
    R9,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15,
}
