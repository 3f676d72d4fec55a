using System.Linq;

namespace Svsm.Bindings.Spec.Model;

/// <summary>How a declaration was written in its spec.</summary>
public enum DeclarationStyle
{
    /// <summary>A table of offsets and sizes.</summary>
    Table,

    /// <summary>A table of C field types, laid out as gcc does.</summary>
    TableByCType,

    /// <summary>A C declaration in a code block.</summary>
    C,

    /// <summary>A Rust declaration in a code block.</summary>
    Rust,

    /// <summary>A list (a call's parameters) or a "Call ID" block.</summary>
    List,
}

/// <summary>A struct or union: from a layout table, a table by C type, or a C or Rust declaration.</summary>
/// <param name="Name">The heading above the table without a trailing "layout", the C tag or typedef name, or the Rust name.</param>
/// <param name="Size">The declared size, else the end of the last field; for members by type, the size gcc gives it.</param>
/// <param name="Alignment">The alignment gcc (or rustc, for <c>#[repr(C)]</c>) gives it; 1 for an offset table.</param>
/// <param name="Packed">Packed (<c>__packed</c>, <c>#[repr(C, packed)]</c>): members at alignment 1.</param>
/// <param name="Description">The doc comment of a declaration in code; empty for tables.</param>
/// <param name="VersionField">The field that holds the struct's version, resolved, when some field has a first version.</param>
public sealed record StructSpec(
    string Name,
    int Size,
    bool SizeDeclared,
    SpecSpan Span,
    EquatableArray<FieldSpec> Fields,
    bool IsUnion = false,
    bool Packed = false,
    int Alignment = 1,
    string Description = "",
    DeclarationStyle Style = DeclarationStyle.Table,
    FieldSpec? VersionField = null)
{
    /// <summary>The highest first version of a field: the newest version of the struct its spec describes (0 when unversioned).</summary>
    public uint NewestVersion => Fields.Count == 0 ? 0 : Fields.Max(f => f.FirstVersion);
}

/// <summary>One member of a struct, at its offset.</summary>
/// <param name="Name">Identifier in camelCase: the <c>Name</c> cell, else derived from the description.</param>
/// <param name="SourceName">The field's name as the spec writes it: the C or Rust name (<c>user_data</c>), the <c>Name</c> cell of an offset table; null for reserved fields, bit-field units and anonymous members.</param>
/// <param name="TypeName">For a member by type: the element type as written, without <c>struct</c>/<c>union</c> or array length.</param>
/// <param name="Count">For a member by type: the number of elements, 1 for a scalar, 0 for a flexible array (whose size is 0).</param>
/// <param name="Struct">The struct or union of this spec the member is (a single one, not an array), resolved.</param>
/// <param name="Bits">The bit table that describes this field's bits, resolved.</param>
/// <param name="Enum">The enum of this spec the member is, resolved.</param>
/// <param name="FirstVersion">The struct version that first has the field (a layout table's <c>First version</c> cell); 0 when every version has it. In older versions its bytes are reserved.</param>
public sealed record FieldSpec(
    int Offset,
    int Size,
    string Name,
    string Description,
    bool Reserved,
    SpecSpan Span,
    string? SourceName = null,
    string? TypeName = null,
    int Count = 1,
    StructSpec? Struct = null,
    BitFieldSpec? Bits = null,
    ConstantTableSpec? Enum = null,
    uint FirstVersion = 0);
