using System;
using System.Collections.Generic;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Building;

/// <summary>Reads a bit table (<c>Bit(s)</c>, <c>Name</c>, <c>Description</c>).</summary>
internal static class BitTableReader
{
    public static List<BitSpec> Read(TableRows table, string tableName, DiagnosticBag diagnostics)
    {
        var bits = new List<BitSpec>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var explicitNames = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in table.Rows)
        {
            var bitsCell = table.Cell(row, TableSchema.Bits);
            var nameCell = table.Cell(row, TableSchema.BitName);
            var description = table.Cell(row, TableSchema.Description).Text;
            if (!CellValues.TryParseBits(bitsCell.Text, out var low, out var high))
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, bitsCell.Span, bitsCell.Text, "bit position", "write one bit such as 0 or a range high:low such as 31:1");
                continue;
            }

            var reserved = CellValues.IsReserved(nameCell.Text) || (nameCell.Text.Length == 0 && CellValues.IsReserved(description));
            string name;
            if (reserved)
            {
                name = "Reserved";
            }
            else if (nameCell.Text.Length > 0)
            {
                name = nameCell.Text;
                if (explicitNames.TryGetValue(name, out var line))
                {
                    diagnostics.Add(SpecDiagnostics.DuplicateName, nameCell.Span, name, tableName, line);
                }

                explicitNames[name] = row.Span.Line;
            }
            else
            {
                name = NameDeriver.FromDescription(description).Identifier;
            }

            bits.Add(new BitSpec(low, high, NameDeriver.Unique(name, names), description, reserved, row.Span));
        }

        return bits;
    }
}
