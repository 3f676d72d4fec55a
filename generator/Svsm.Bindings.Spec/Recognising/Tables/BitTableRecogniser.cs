using Svsm.Bindings.Spec.Diagnostics;

namespace Svsm.Bindings.Spec.Recognising.Tables;

/// <summary>Reads a bit table (<c>Bit(s)</c>, <c>Name</c>, <c>Description</c>) into its rows.</summary>
internal static class BitTableRecogniser
{
    public static void Read(TableRows table, RawBitTable bits, DiagnosticBag diagnostics)
    {
        foreach (var row in table.Rows)
        {
            var bitsCell = table.Cell(row, TableSchema.Bits);
            var nameCell = table.Cell(row, TableSchema.BitName);
            var description = table.Cell(row, TableSchema.Description).Text;
            if (!CellValues.TryParseBits(bitsCell.Text, out var low, out var high))
            {
                bits.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, bitsCell.Span, bitsCell.Text, "bit position", "write one bit such as 0 or a range high:low such as 31:1"));
                continue;
            }

            var reserved = CellValues.IsReserved(nameCell.Text) || (nameCell.Text.Length == 0 && CellValues.IsReserved(description));
            bits.Bits.Add(new RawBit(low, high, nameCell.Text.Length > 0 ? nameCell.Text : null, description, reserved, row.Span, nameCell.Span));
        }
    }
}
