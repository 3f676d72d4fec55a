using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Recognising.Tables;

/// <summary>Reads a call's Registers table row by row; a row with an unreadable cell is an error of its set.</summary>
internal static class RegisterTableRecogniser
{
    public static void Read(TableRows table, RawRegisterSet set, DiagnosticBag diagnostics)
    {
        set.HasNameColumn = table.Has(TableSchema.MemberName);
        foreach (var row in table.Rows)
        {
            var registerCell = table.Cell(row, TableSchema.Register);
            var sizeCell = table.Cell(row, TableSchema.Size);
            var alignmentCell = table.Cell(row, TableSchema.Alignment);
            var directionCell = table.Cell(row, TableSchema.Direction);
            var description = table.Cell(row, TableSchema.Description).Text;

            var register = CellValues.NormalizeRegister(registerCell.Text);
            var valid = true;
            if (!CellValues.IsGeneralPurposeRegister(register))
            {
                var wide = CellValues.WideNameOf(register);
                set.Errors.Add(diagnostics.Add(SpecDiagnostics.NotAGeneralPurposeRegister, registerCell.Span, registerCell.Text, wide is null ? string.Empty : $" (write {wide} for {register})"));
                valid = false;
            }

            if (!CellValues.TryParseSize(sizeCell.Text, out var size))
            {
                set.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, sizeCell.Span, sizeCell.Text, "register size", "write 1, 2, 4 or 8"));
                valid = false;
            }
            else if (size is not (1 or 2 or 4 or 8))
            {
                set.Errors.Add(diagnostics.Add(SpecDiagnostics.BadRegisterSize, sizeCell.Span, register, size));
                valid = false;
            }

            int? alignment = null;
            AlignmentNote? note = null;
            if (alignmentCell.Text.Length > 0)
            {
                if (!CellValues.TryParseAlignment(alignmentCell.Text, alignmentCell.Span, out var parsed, out note))
                {
                    set.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, alignmentCell.Span, alignmentCell.Text, "alignment", "write a power of two in bytes, optionally followed by the code a misaligned value gets, as in 4096 (SVSM_ERR_INVALID_ADDRESS), or (not checked); or leave the cell empty"));
                    valid = false;
                }
                else if (!CellValues.IsPowerOfTwo((ulong)parsed))
                {
                    set.Errors.Add(diagnostics.Add(SpecDiagnostics.AlignmentNotPowerOfTwo, alignmentCell.Span, parsed, register));
                    valid = false;
                }
                else
                {
                    alignment = parsed;
                }
            }

            if (!CellValues.TryParseDirection(directionCell.Text, out var direction, out var returnedOnError))
            {
                set.Errors.Add(diagnostics.Add(SpecDiagnostics.BadDirection, directionCell.Span, directionCell.Text));
                valid = false;
            }
            else if (returnedOnError && direction == RegisterDirection.In)
            {
                set.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, directionCell.Span, directionCell.Text, "direction", "only an output is returned on error: write OUT (also on error)"));
                valid = false;
            }

            if (note is not null && direction == RegisterDirection.Out)
            {
                set.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, alignmentCell.Span, alignmentCell.Text, "alignment", "the SVSM checks the alignment of inputs only; name no code for an output"));
                valid = false;
            }

            if (!valid)
            {
                continue;
            }

            var nameCell = set.HasNameColumn ? table.Cell(row, TableSchema.MemberName).Text : string.Empty;
            set.Registers.Add(new RawRegister(register, direction, size, alignment, nameCell.Length > 0 ? nameCell : null, description, row.Span, sizeCell.Span, registerCell.Span, Misaligned: note, ReturnedOnError: returnedOnError));
        }
    }
}
