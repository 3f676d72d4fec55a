namespace Svsm.Bindings.Spec.Model;

/// <summary>One row of the call table, joined with the registers of its <c>NAME Call</c> section.</summary>
/// <param name="Span">The call-table row.</param>
public sealed record CallSpec(
    uint Id,
    string Name,
    uint SinceVersion,
    string Function,
    SpecSpan Span,
    EquatableArray<RegisterSpec> Registers);

public enum RegisterDirection
{
    In,
    Out,
    InOut,
}

/// <summary>One row of a call's Registers table.</summary>
/// <param name="Register">Canonical upper-case register name (<c>R8</c>).</param>
/// <param name="Name">Identifier in camelCase: the <c>Name</c> cell, else derived from the description.</param>
/// <param name="Alignment">Required alignment in bytes, or null when the cell is empty.</param>
public sealed record RegisterSpec(
    string Register,
    RegisterDirection Direction,
    int Size,
    int? Alignment,
    string Name,
    string Description,
    SpecSpan Span)
{
    public bool IsInput => Direction != RegisterDirection.Out;

    public bool IsOutput => Direction != RegisterDirection.In;
}
