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
