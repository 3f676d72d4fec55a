namespace Svsm.Bindings.Spec.Model;

/// <summary>What a constant table holds: plain constants, or the result codes calls leave in RAX.</summary>
public enum ConstantTableKind
{
    Constants,
    ResultCodes,

    /// <summary>Single-bit flags, written <c>(1 &lt;&lt; n)</c>: generated as a <c>[Flags]</c> enum.</summary>
    Flags,

    /// <summary>A C or Rust <c>enum</c>: generated as a C# enum of its size.</summary>
    Enum,
}

/// <summary>Named values: a constant table, a set of <c>#define</c>s or Rust constants, or an enum.</summary>
/// <param name="Name">The heading the table stands under, the group comment of a set of defines, or the enum's name.</param>
/// <param name="Size">An enum's size in bytes (its C# underlying type); 0 for other kinds.</param>
/// <param name="Signed">An enum with a negative value, or a signed <c>#[repr(iN)]</c>.</param>
/// <param name="BoundTo">The field a set of flags is the bits of (<c>vmfwupdate_regions.flags</c>), when its group comment names one.</param>
public sealed record ConstantTableSpec(
    string Name,
    ConstantTableKind Kind,
    SpecSpan Span,
    EquatableArray<ConstantSpec> Constants,
    int Size = 0,
    bool Signed = false,
    string? BoundTo = null,
    string Description = "");

/// <summary>One named value, as the spec spells its name (<c>SVSM_ERR_BUSY</c>) and with its value computed.</summary>
/// <param name="Expression">The value as the spec writes it (<c>(1 &lt;&lt; 8)</c>), for documentation.</param>
public sealed record ConstantSpec(string Name, ulong Value, string Expression, string Description, SpecSpan Span);
