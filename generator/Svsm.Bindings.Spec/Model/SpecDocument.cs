using System.Linq;

namespace Svsm.Bindings.Spec.Model;

/// <summary>Everything one spec file defines, and what is wrong with it.</summary>
/// <param name="HasDefinitions">Whether the file holds any table, declaration or parameter list the reader understands; a file without one generates nothing.</param>
public sealed record SpecDocument(
    ProtocolInfo Protocol,
    EquatableArray<CallSpec> Calls,
    EquatableArray<StructSpec> Structs,
    EquatableArray<BitFieldSpec> BitFields,
    EquatableArray<ConstantTableSpec> ConstantTables,
    EquatableArray<SpecDiagnostic> Diagnostics,
    bool HasDefinitions,
    EquatableArray<IoctlSpec> Ioctls = default,
    EquatableArray<ProposedCallSpec> ProposedCalls = default)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == SpecSeverity.Error);
}

/// <summary>The protocol's identity, from front matter or from the draft's own sentences.</summary>
/// <param name="Prefix">Front matter <c>prefix:</c>, else the segment after <c>SVSM_</c> all call names share, in PascalCase; null when neither exists.</param>
/// <param name="Convention">How the calls pass: SVSM calls, or COCONUT-SVSM syscalls (front matter <c>convention:</c>, or a syscall table).</param>
/// <param name="ResultType">Front matter <c>result-type:</c>: a partial struct of the spec's namespace that takes the generic result codes (below 0x80001000) of the spec's result-code tables.</param>
/// <param name="CallPrefix">What every call's name starts with (<c>SVSM_OCP_</c>, <c>SVSM_UEFI_MM_</c>, <c>SYS_</c>): generated method names drop it.</param>
public sealed record ProtocolInfo(string? Name, uint? Id, uint? Version, string? Prefix, string? Namespace, string? ResultType = null, CallConvention Convention = CallConvention.SvsmCall, string? CallPrefix = null)
{
    public bool IsSyscallAbi => Convention == CallConvention.CoconutSyscall;
}
