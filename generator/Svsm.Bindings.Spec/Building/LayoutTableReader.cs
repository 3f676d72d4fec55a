using System;
using System.Collections.Generic;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;

namespace Svsm.Bindings.Spec.Building;

/// <summary>A field as read, with the words prose may use to name it (for binding bit tables).</summary>
internal sealed record FieldDraft(FieldSpec Field, IReadOnlyList<string> Mentions);

/// <summary>Reads a layout table (<c>Offset</c>, <c>Size (Bytes)</c>, <c>Description</c>, optional <c>Name</c>) into fields.</summary>
internal static class LayoutTableReader
{
    public static List<FieldDraft> Read(TableRows table, string structName, DiagnosticBag diagnostics)
    {
        var fields = new List<FieldDraft>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var explicitNames = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            var offsetCell = table.Cell(row, TableSchema.Offset);
            var sizeCell = table.Cell(row, TableSchema.Size);
            var description = table.Cell(row, TableSchema.Description).Text;
            var nameText = table.Has(TableSchema.MemberName) ? table.Cell(row, TableSchema.MemberName).Text : string.Empty;

            if (!CellValues.TryParseOffset(offsetCell.Text, out var offset, out var rangeSize))
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, offsetCell.Span, offsetCell.Text, "offset", "write a byte offset such as 0x18 or 24, or a range such as 0x18-0x1F");
                continue;
            }

            int size;
            if (sizeCell.Text.Length == 0 && rangeSize is { } implied)
            {
                size = implied;
            }
            else if (!CellValues.TryParseSize(sizeCell.Text, out size) || size == 0)
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, sizeCell.Span, sizeCell.Text, "field size", "write the field's size in bytes, 1 or more");
                continue;
            }
            else if (rangeSize is { } ranged && ranged != size)
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, sizeCell.Span, sizeCell.Text, "field size", $"the offset range {offsetCell.Text} covers {ranged} bytes");
                continue;
            }

            if ((long)offset + size > int.MaxValue)
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, offsetCell.Span, offsetCell.Text, "offset", "the field must end below 2 GiB");
                continue;
            }

            var reserved = CellValues.IsReserved(nameText) || CellValues.IsReserved(description);
            var mentions = new List<string>();
            string name;
            if (reserved)
            {
                name = "reserved";
            }
            else if (nameText.Length > 0)
            {
                name = NameDeriver.FromNameCell(nameText);
                mentions.Add(nameText);
                if (explicitNames.TryGetValue(name, out var line))
                {
                    diagnostics.Add(SpecDiagnostics.DuplicateName, table.Cell(row, TableSchema.MemberName).Span, nameText, structName, line);
                }

                explicitNames[name] = row.Span.Line;
            }
            else
            {
                var derived = NameDeriver.FromDescription(description);
                name = derived.Identifier;
                mentions.Add(derived.Phrase);
            }

            mentions.Add(name);
            name = NameDeriver.Unique(name, names);
            fields.Add(new FieldDraft(new FieldSpec(offset, size, name, description, reserved, row.Span, nameText.Length > 0 && !reserved ? nameText : null), mentions));
        }

        return fields;
    }
}
