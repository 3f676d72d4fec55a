namespace Svsm.Bindings.Spec.Model;

/// <summary>What a constant table holds: plain constants, or the result codes calls leave in RAX.</summary>
public enum ConstantTableKind
{
    Constants,
    ResultCodes,

    /// <summary>Single-bit flags, written <c>(1 &lt;&lt; n)</c>: generated as a <c>[Flags]</c> enum.</summary>
    Flags,
}

/// <summary>A table of named values (<c>Name</c>, <c>Value</c>, <c>Description</c>).</summary>
/// <param name="Name">The heading the table stands under.</param>
public sealed record ConstantTableSpec(string Name, ConstantTableKind Kind, SpecSpan Span, EquatableArray<ConstantSpec> Constants);

/// <summary>One named value, as the spec spells its name (<c>SVSM_ERR_BUSY</c>) and with its value computed.</summary>
/// <param name="Expression">The value as the spec writes it (<c>(1 &lt;&lt; 8)</c>), for documentation.</param>
public sealed record ConstantSpec(string Name, ulong Value, string Expression, string Description, SpecSpan Span);
