using Svsm.Bindings.Spec.Diagnostics;

namespace Svsm.Bindings.Spec.Recognising.Tables;

/// <summary>
/// Reads a layout table (<c>Offset</c>, <c>Size (Bytes)</c>, <c>Description</c>, optional <c>Name</c> and
/// <c>First version</c>) into a struct's members.
/// </summary>
internal static class LayoutTableRecogniser
{
    public static void Read(TableRows table, RawStruct structure, DiagnosticBag diagnostics)
    {
        var hasName = table.Has(TableSchema.MemberName);
        var hasVersion = table.Has(TableSchema.FieldFirstVersion);
        foreach (var row in table.Rows)
        {
            var offsetCell = table.Cell(row, TableSchema.Offset);
            var sizeCell = table.Cell(row, TableSchema.Size);
            var description = table.Cell(row, TableSchema.Description).Text;
            var nameCell = hasName ? table.Cell(row, TableSchema.MemberName) : null;
            var nameText = nameCell?.Text ?? string.Empty;

            if (!CellValues.TryParseOffset(offsetCell.Text, out var offset, out var rangeSize))
            {
                structure.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, offsetCell.Span, offsetCell.Text, "offset", "write a byte offset such as 0x18 or 24, or a range such as 0x18-0x1F"));
                continue;
            }

            int size;
            if (sizeCell.Text.Length == 0 && rangeSize is { } implied)
            {
                size = implied;
            }
            else if (!CellValues.TryParseSize(sizeCell.Text, out size) || size == 0)
            {
                structure.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, sizeCell.Span, sizeCell.Text, "field size", "write the field's size in bytes, 1 or more"));
                continue;
            }
            else if (rangeSize is { } ranged && ranged != size)
            {
                structure.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, sizeCell.Span, sizeCell.Text, "field size", $"the offset range {offsetCell.Text} covers {ranged} bytes"));
                continue;
            }

            if ((long)offset + size > int.MaxValue)
            {
                structure.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, offsetCell.Span, offsetCell.Text, "offset", "the field must end below 2 GiB"));
                continue;
            }

            var firstVersion = 0u;
            if (hasVersion)
            {
                var versionCell = table.Cell(row, TableSchema.FieldFirstVersion);
                if (versionCell.Text.Length > 0 && !CellValues.IsNotApplicable(versionCell.Text))
                {
                    if (!CellValues.TryParseInteger(versionCell.Text, out var version) || version == 0 || version > uint.MaxValue)
                    {
                        structure.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, versionCell.Span, versionCell.Text, "first version", "write the struct version that first has the field, such as 3, or leave the cell empty when every version has it"));
                        continue;
                    }

                    firstVersion = (uint)version;
                }
            }

            var reserved = CellValues.IsReserved(nameText) || CellValues.IsReserved(description);
            structure.Members.Add(new RawMember(
                MemberKind.ByOffset, nameText.Length > 0 ? nameText : null, description, row.Span, nameCell?.Span ?? row.Span, offset, size, Reserved: reserved, FirstVersion: firstVersion));
        }
    }
}
