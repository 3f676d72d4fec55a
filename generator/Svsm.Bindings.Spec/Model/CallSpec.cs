namespace Svsm.Bindings.Spec.Model;

/// <summary>One call (a row of the call table, or a constant in code), joined with the registers of its section.</summary>
/// <param name="Id">The call id, or for a syscall its number within its class.</param>
/// <param name="Span">The call-table row.</param>
/// <param name="Class">A syscall's class (RAX = (class &lt;&lt; 32) | number); null for an SVSM call, whose upper half of RAX is the protocol id.</param>
public sealed record CallSpec(
    uint Id,
    string Name,
    uint SinceVersion,
    string Function,
    SpecSpan Span,
    EquatableArray<RegisterSpec> Registers,
    uint? Class = null)
{
    /// <summary>RAX on entry: <c>(class &lt;&lt; 32) | number</c> for a syscall, <c>(protocol &lt;&lt; 32) | call</c> otherwise.</summary>
    public ulong Code(uint protocolId) => ((ulong)(Class ?? protocolId) << 32) | Id;
}

/// <summary>A call the spec lists as proposed, without a published number: nothing is generated for it.</summary>
public sealed record ProposedCallSpec(string Name, string Function, SpecSpan Span);

/// <summary>How a calling convention passes the calls of a spec.</summary>
public enum CallConvention
{
    /// <summary>SVSM protocol calls: RAX = (protocol &lt;&lt; 32) | call, arguments in RCX, RDX, R8, R9, result code in RAX.</summary>
    SvsmCall,

    /// <summary>COCONUT-SVSM user-mode syscalls: int 0x80, RAX = (class &lt;&lt; 32) | nr, arguments in RDI, RSI, R8, R9, R10.</summary>
    CoconutSyscall,
}

/// <summary>How a register's value is typed: by its size unsigned, signed, or a boolean.</summary>
public enum RegisterValueKind
{
    Unsigned,
    Signed,
    Boolean,
}

public enum RegisterDirection
{
    In,
    Out,
    InOut,
}

/// <summary>One register of a call: a row of its Registers or Parameters table, or an item of its parameter list.</summary>
/// <param name="Register">Canonical upper-case register name (<c>R8</c>).</param>
/// <param name="Name">Identifier in camelCase: the <c>Name</c> cell, else derived from the description.</param>
/// <param name="Alignment">Required alignment in bytes, or null when the cell is empty.</param>
/// <param name="Bits">The bit table that describes this register's bits, resolved.</param>
/// <param name="Misaligned">What the SVSM answers an input that is not a multiple of <paramref name="Alignment"/>:
/// the code the Alignment cell names, SVSM_ERR_INVALID_PARAMETER when it names none, and null when there is no
/// alignment or the cell says the SVSM does not check it (<c>8 (not checked)</c>).</param>
/// <param name="ReturnedOnError">An output the SVSM may also set when the call fails (<c>OUT (also on error)</c>), as
/// attestation's sizes on a buffer too small. Other outputs are returned only on success.</param>
public sealed record RegisterSpec(
    string Register,
    RegisterDirection Direction,
    int Size,
    int? Alignment,
    string Name,
    string Description,
    SpecSpan Span,
    RegisterValueKind Kind = RegisterValueKind.Unsigned,
    BitFieldSpec? Bits = null,
    ResultCodeReference? Misaligned = null,
    bool ReturnedOnError = false)
{
    public bool IsInput => Direction != RegisterDirection.Out;

    public bool IsOutput => Direction != RegisterDirection.In;
}

/// <summary>A result code a spec names for a check, with its value resolved (from the spec's result codes or the generic ones).</summary>
public sealed record ResultCodeReference(string Name, uint Value);
