namespace Svsm.Bindings.Spec.Model;

/// <summary>
/// Where an element stands in the spec file: a character offset and length, and 1-based line and column
/// (columns count characters in the line). The end position lets a Roslyn location be built without the text.
/// </summary>
public readonly record struct SpecSpan(int Start, int Length, int Line, int Column, int EndLine, int EndColumn)
{
    public static SpecSpan None => new(0, 0, 1, 1, 1, 1);

    public override string ToString() => $"({Line},{Column})";
}
