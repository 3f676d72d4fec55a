namespace Svsm.Bindings.Spec.Model;

/// <summary>A struct from a layout table.</summary>
/// <param name="Name">The heading above the table without a trailing "layout".</param>
/// <param name="Size">The declared size, else the end of the last field.</param>
public sealed record StructSpec(
    string Name,
    int Size,
    bool SizeDeclared,
    SpecSpan Span,
    EquatableArray<FieldSpec> Fields);

/// <summary>One row of a layout table.</summary>
/// <param name="Name">Identifier in camelCase: the <c>Name</c> cell, else derived from the description.</param>
/// <param name="SourceName">The field's name as the spec writes it: the C name in a table by C type (<c>user_data</c>), the <c>Name</c> cell of an offset table; null for reserved fields and bit-field units.</param>
/// <param name="TypeName">In a table by C type: the element type as written, without <c>struct</c>/<c>union</c> or array length.</param>
/// <param name="Count">In a table by C type: the array length, 1 for a scalar, 0 for a flexible array (whose size is 0).</param>
public sealed record FieldSpec(
    int Offset,
    int Size,
    string Name,
    string Description,
    bool Reserved,
    SpecSpan Span,
    string? SourceName = null,
    string? TypeName = null,
    int Count = 1);
