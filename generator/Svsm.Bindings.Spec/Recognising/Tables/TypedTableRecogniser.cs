using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Recognising.Tables;

/// <summary>
/// Reads a struct table by C type (<c>Field</c>, <c>Type</c>, optional <c>Description</c>) into members by type:
/// <c>user_data[64]</c> or <c>__u8[64]</c> for arrays, <c>[]</c> for a flexible array, <c>name:N</c> for a bit-field.
/// Building lays them out, with C and Rust declarations, as gcc does.
/// </summary>
internal static class TypedTableRecogniser
{
    private static readonly Regex TypePattern = new(
        @"^(?:(?<tag>struct|union|enum)\s+)?(?<name>[A-Za-z_][A-Za-z0-9_ ]*?)\s*(?:\[(?<count>[^\]]*)\])?$",
        RegexOptions.CultureInvariant);

    private static readonly Regex FieldPattern = new(@"^(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\[(?<count>[^\]]*)\]|:\s*(?<bits>\d+))?$", RegexOptions.CultureInvariant);

    public static void Read(TableRows table, RawStruct structure, DiagnosticBag diagnostics)
    {
        foreach (var row in table.Rows)
        {
            var fieldCell = table.Cell(row, TableSchema.TypedField);
            var typeCell = table.Cell(row, TableSchema.FieldType);
            var description = table.Cell(row, TableSchema.OptionalDescription).Text;
            var fieldMatch = FieldPattern.Match(fieldCell.Text);
            var typeMatch = TypePattern.Match(Common.Words.CollapseSpaces(typeCell.Text));
            if (!fieldMatch.Success)
            {
                structure.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, fieldCell.Span, fieldCell.Text, "field name", "write a C identifier, optionally with an array length such as data[64]"));
                continue;
            }

            if (!typeMatch.Success)
            {
                structure.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, typeCell.Span, typeCell.Text, "field type", TypeRule));
                continue;
            }

            var countText = fieldMatch.Groups["count"].Success ? fieldMatch.Groups["count"].Value : typeMatch.Groups["count"].Success ? typeMatch.Groups["count"].Value : null;
            var flexible = countText is not null && countText.Trim().Length == 0;
            var lengths = new System.Collections.Generic.List<RawExpression>();
            if (countText is not null && !flexible)
            {
                if (!CellValues.TryParseSize(countText, out var count) || count <= 0)
                {
                    structure.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, typeCell.Span, countText, "array length", "write a positive number of elements"));
                    continue;
                }

                lengths.Add(new RawExpression(count.ToString(System.Globalization.CultureInfo.InvariantCulture), typeCell.Span, DeclarationStyle.TableByCType));
            }

            int? bits = null;
            if (fieldMatch.Groups["bits"].Success)
            {
                bits = int.TryParse(fieldMatch.Groups["bits"].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var width) ? width : 0;
            }

            var name = fieldMatch.Groups["name"].Value;
            var tag = typeMatch.Groups["tag"].Success ? typeMatch.Groups["tag"].Value : null;
            var type = new RawType(typeMatch.Groups["name"].Value.Trim(), tag, lengths, flexible, Pointer: false, typeCell.Span);
            structure.Members.Add(new RawMember(
                MemberKind.ByType, name, description, row.Span, fieldCell.Span, Type: type, BitWidth: bits,
                Reserved: CellValues.IsReserved(name) || CellValues.IsReserved(description)));
        }
    }

    /// <summary>What a table's Type cell may hold, for the message of a type it does not.</summary>
    public const string TypeRule = "write u8 ... u64, __u8 ... __u64, uint8_t ... uint64_t, or a struct or union defined above it, optionally with [N] or [] (a flexible array, last)";
}
