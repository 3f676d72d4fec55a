namespace Svsm.Bindings.Spec.Model;

/// <summary>A bit table.</summary>
/// <param name="Width">Bits: the bound field's or register's size, else the smallest of 8/16/32/64 that holds the highest bit.</param>
/// <param name="Binding">The struct field or call register the table describes, or null for a standalone table.</param>
public sealed record BitFieldSpec(
    string Name,
    int Width,
    BitFieldBinding? Binding,
    SpecSpan Span,
    EquatableArray<BitSpec> Bits)
{
    /// <summary><c>Struct.field</c> or <c>CALL.REGISTER</c>, or null.</summary>
    public string? BoundTo => Binding?.ToString();
}

public enum BindingKind
{
    StructField,
    Register,
}

/// <param name="Owner">The struct's name, or the call's name.</param>
/// <param name="Member">The field's name, or the register (<c>RCX</c>).</param>
public sealed record BitFieldBinding(BindingKind Kind, string Owner, string Member)
{
    public override string ToString() => Owner + "." + Member;
}

/// <summary>One row of a bit table: bits <see cref="Low"/> to <see cref="High"/> inclusive.</summary>
public sealed record BitSpec(
    int Low,
    int High,
    string Name,
    string Description,
    bool Reserved,
    SpecSpan Span)
{
    public int Width => High - Low + 1;
}
