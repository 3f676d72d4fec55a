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
public sealed record FieldSpec(
    int Offset,
    int Size,
    string Name,
    string Description,
    bool Reserved,
    SpecSpan Span);
