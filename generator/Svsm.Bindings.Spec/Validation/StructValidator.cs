using System.Linq;
using Svsm.Bindings.Spec.Building;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Validation;

/// <summary>Checks a struct's fields against each other and against its size: overlaps, overruns and undocumented bytes.</summary>
internal static class StructValidator
{
    public static void Validate(StructSpec structSpec, SpecSpan tableSpan, DiagnosticBag diagnostics)
    {
        var fields = structSpec.Fields.OrderBy(f => f.Offset).ThenBy(f => f.Span.Start).ToList();
        var covered = 0;
        FieldSpec? previous = null;
        foreach (var field in fields)
        {
            if (previous is not null && field.Offset < covered)
            {
                var other = fields.Last(f => f != field && f.Offset <= field.Offset && f.Offset + f.Size > field.Offset);
                diagnostics.Add(
                    SpecDiagnostics.FieldsOverlap, field.Span, field.Name, CellValues.ByteRange(field.Offset, field.Size),
                    other.Name, CellValues.ByteRange(other.Offset, other.Size), structSpec.Name);
            }
            else if (field.Offset > covered)
            {
                diagnostics.Add(SpecDiagnostics.FieldGap, field.Span, CellValues.ByteRange(covered, field.Offset - covered), field.Offset - covered, structSpec.Name);
            }

            if (structSpec.SizeDeclared && field.Offset + field.Size > structSpec.Size)
            {
                diagnostics.Add(SpecDiagnostics.FieldPastSize, field.Span, field.Name, CellValues.Hex(field.Offset + field.Size), structSpec.Name, structSpec.Size);
            }

            covered = System.Math.Max(covered, field.Offset + field.Size);
            previous = field;
        }

        if (structSpec.SizeDeclared && covered < structSpec.Size && fields.Count > 0)
        {
            diagnostics.Add(SpecDiagnostics.FieldGap, tableSpan, CellValues.ByteRange(covered, structSpec.Size - covered), structSpec.Size - covered, structSpec.Name);
        }
    }
}
