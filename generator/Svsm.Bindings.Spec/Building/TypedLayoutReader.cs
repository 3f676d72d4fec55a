using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Building;

/// <summary>The size and alignment of a type a typed layout table may name.</summary>
internal readonly record struct TypeShape(int Size, int Alignment);

/// <summary>
/// Reads a struct (or union) table by C field type (<c>Field</c>, <c>Type</c>, optional <c>Description</c>) and lays it
/// out as gcc does on x86-64 System V: each field at the next multiple of its natural alignment (1 when packed), the
/// size rounded up to the largest alignment, a flexible array last and not counted; a union puts every member at 0.
/// </summary>
internal static class TypedLayoutReader
{
    private static readonly Regex TypePattern = new(
        @"^(?:(?:struct|union)\s+)?(?<name>[A-Za-z_][A-Za-z0-9_ ]*?)\s*(?:\[(?<count>[^\]]*)\])?$",
        RegexOptions.CultureInvariant);

    private static readonly Regex FieldPattern = new(@"^(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\[(?<count>[^\]]*)\]|:\s*(?<bits>\d+))?$", RegexOptions.CultureInvariant);

    // Far above any real ABI struct; keeps every offset computation well inside int.
    private const int MaxStructSize = 1 << 30;

    private static readonly Dictionary<string, int> Primitives = new(StringComparer.Ordinal)
    {
        ["u8"] = 1, ["__u8"] = 1, ["uint8_t"] = 1, ["s8"] = 1, ["__s8"] = 1, ["int8_t"] = 1, ["char"] = 1, ["unsigned char"] = 1,
        ["u16"] = 2, ["__u16"] = 2, ["uint16_t"] = 2, ["s16"] = 2, ["__s16"] = 2, ["int16_t"] = 2,
        ["u32"] = 4, ["__u32"] = 4, ["uint32_t"] = 4, ["s32"] = 4, ["__s32"] = 4, ["int32_t"] = 4, ["int"] = 4, ["unsigned int"] = 4,
        ["u64"] = 8, ["__u64"] = 8, ["uint64_t"] = 8, ["s64"] = 8, ["__s64"] = 8, ["int64_t"] = 8,
        ["unsigned long long"] = 8, ["unsigned long"] = 8, ["long"] = 8,
    };

    /// <summary>
    /// The fields with their computed offsets, the struct's size and alignment. <paramref name="known"/> holds the
    /// types defined above (structs and unions of this spec, by name and by C name).
    /// </summary>
    public static (List<FieldDraft> Fields, TypeShape Shape, List<BitFieldSpec> BitFields) Read(
        TableRows table, string structName, bool packed, bool isUnion, IReadOnlyDictionary<string, TypeShape> known, DiagnosticBag diagnostics)
    {
        var fields = new List<FieldDraft>();
        var bitFields = new List<BitFieldSpec>();
        BitUnit? unit = null;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var offset = 0;
        var size = 0;
        var alignment = 1;
        var sawFlexible = false;
        foreach (var row in table.Rows)
        {
            var fieldCell = table.Cell(row, TableSchema.TypedField);
            var typeCell = table.Cell(row, TableSchema.FieldType);
            var description = table.Cell(row, TableSchema.OptionalDescription).Text;
            var fieldMatch = FieldPattern.Match(fieldCell.Text);
            var typeMatch = TypePattern.Match(Regex.Replace(typeCell.Text, @"\s+", " ").Trim());
            if (!fieldMatch.Success)
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, fieldCell.Span, fieldCell.Text, "field name", "write a C identifier, optionally with an array length such as data[64]");
                continue;
            }

            if (!typeMatch.Success || !TryShape(typeMatch.Groups["name"].Value.Trim(), known, out var element))
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, typeCell.Span, typeCell.Text, "field type", "write u8 ... u64, __u8 ... __u64, uint8_t ... uint64_t, or a struct or union defined above it, optionally with [N] or [] (a flexible array, last)");
                continue;
            }

            var countText = fieldMatch.Groups["count"].Success ? fieldMatch.Groups["count"].Value : typeMatch.Groups["count"].Success ? typeMatch.Groups["count"].Value : null;
            var flexible = countText is not null && countText.Trim().Length == 0;
            var count = 1;
            if (countText is not null && !flexible && (!CellValues.TryParseSize(countText, out count) || count <= 0))
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, typeCell.Span, countText, "array length", "write a positive number of elements");
                continue;
            }

            if (fieldMatch.Groups["bits"].Success)
            {
                // A C bit-field: consecutive ones of one type share a storage unit of that type while they fit in it.
                if (!int.TryParse(fieldMatch.Groups["bits"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var width) || width == 0 || width > element.Size * 8 || isUnion || countText is not null)
                {
                    diagnostics.Add(SpecDiagnostics.MalformedCell, fieldCell.Span, fieldCell.Text, "bit-field", "a bit-field is 1 to 8 x its type's size bits wide, not in a union, not an array");
                    continue;
                }

                if (unit is null || unit.Element != element || unit.Used + width > element.Size * 8)
                {
                    // gcc starts a bit-field at the next free bit unless it would cross its type's aligned boundary.
                    var gccBit = unit is null ? offset * 8 : (unit.Offset * 8) + unit.Used;
                    var containerBits = element.Size * 8;
                    var gccStart = packed || (gccBit % containerBits) + width <= containerBits ? gccBit : Align(gccBit, element.Alignment * 8);
                    CloseUnit();
                    var unitAlignment = packed ? 1 : element.Alignment;
                    var unitOffset = Align(offset, unitAlignment);
                    if (gccStart != unitOffset * 8)
                    {
                        diagnostics.Add(SpecDiagnostics.BitFieldSharesBytes, fieldCell.Span, fieldCell.Text, gccStart / 8, gccStart % 8, "an earlier field");
                        continue;
                    }

                    alignment = Math.Max(alignment, unitAlignment);
                    unit = new BitUnit(element, unitOffset, NameDeriver.Unique(NameDeriver.FromNameCell(fieldMatch.Groups["name"].Value) + "Bits", names), typeMatch.Groups["name"].Value.Trim(), row.Span);
                    offset = unitOffset + element.Size;
                    size = Math.Max(size, offset);
                }

                var bitName = fieldMatch.Groups["name"].Value;
                unit.Bits.Add(new BitSpec(unit.Used, unit.Used + width - 1, bitName, description, CellValues.IsReserved(bitName) || CellValues.IsReserved(description), row.Span));
                unit.Used += width;
                continue;
            }

            if (unit is not null && unit.Used < unit.Element.Size * 8)
            {
                // After a partly used unit gcc places the next field at its alignment past the last bit used.
                var gccOffset = Align(((unit.Offset * 8) + unit.Used + 7) / 8, packed ? 1 : element.Alignment);
                if (gccOffset < unit.Offset + unit.Element.Size && !isUnion)
                {
                    diagnostics.Add(SpecDiagnostics.BitFieldSharesBytes, fieldCell.Span, fieldCell.Text, gccOffset, 0, "the bit-field unit before it");
                    CloseUnit();
                    continue;
                }
            }

            CloseUnit();
            if (sawFlexible)
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, fieldCell.Span, fieldCell.Text, "field", "a flexible array ([]) must be the last field");
                continue;
            }

            var fieldAlignment = packed ? 1 : element.Alignment;
            var fieldOffset = isUnion ? 0 : Align(offset, fieldAlignment);
            if (fieldOffset > offset && !isUnion)
            {
                diagnostics.Add(SpecDiagnostics.ComputedPadding, row.Span, fieldOffset - offset, CellValues.Hex(offset), fieldMatch.Groups["name"].Value, structName);
            }

            if ((long)element.Size * count > MaxStructSize || (long)fieldOffset + ((long)element.Size * count) > MaxStructSize)
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, typeCell.Span, typeCell.Text, "field type", "the struct must stay below 1 GiB");
                continue;
            }

            var fieldSize = flexible ? 0 : element.Size * count;
            sawFlexible = flexible;
            alignment = Math.Max(alignment, fieldAlignment);
            offset = fieldOffset + fieldSize;
            size = Math.Max(size, offset);

            var cName = fieldMatch.Groups["name"].Value;
            var reserved = CellValues.IsReserved(cName) || CellValues.IsReserved(description);
            var name = NameDeriver.Unique(reserved ? "reserved" : NameDeriver.FromNameCell(cName), names);
            var typeName = typeMatch.Groups["name"].Value.Trim();
            fields.Add(new FieldDraft(new FieldSpec(fieldOffset, fieldSize, name, description, reserved, row.Span, cName, typeName, flexible ? 0 : count), new[] { cName, name }));
        }

        CloseUnit();
        var total = Align(size, alignment);
        if (total > size && fields.Count > 0)
        {
            diagnostics.Add(SpecDiagnostics.ComputedPadding, table.Table.Header.Span, total - size, CellValues.Hex(size), "the end", structName);
        }

        return (fields, new TypeShape(total, alignment), bitFields);

        void CloseUnit()
        {
            if (unit is null)
            {
                return;
            }

            if (unit.Used < unit.Element.Size * 8)
            {
                // Bits no bit-field claims are the unit's padding, as gcc leaves them: reserved, not undescribed.
                unit.Bits.Add(new BitSpec(unit.Used, (unit.Element.Size * 8) - 1, "padding", "Padding after the last bit-field", true, unit.Span));
            }

            var field = new FieldSpec(unit.Offset, unit.Element.Size, unit.Name, "Bit-fields: " + string.Join(", ", unit.Bits.Select(b => b.Name)), false, unit.Span, null, unit.TypeName, 1);
            fields.Add(new FieldDraft(field, new[] { unit.Name }));
            bitFields.Add(new BitFieldSpec(structName + " " + unit.Name, unit.Element.Size * 8, new BitFieldBinding(BindingKind.StructField, structName, unit.Name), unit.Span, unit.Bits.ToEquatableArray()));
            unit = null;
        }
    }

    /// <summary>The storage unit consecutive bit-fields of one type share, as gcc allocates it.</summary>
    private sealed class BitUnit(TypeShape element, int offset, string name, string typeName, SpecSpan span)
    {
        public TypeShape Element { get; } = element;

        public int Offset { get; } = offset;

        public string Name { get; } = name;

        public string TypeName { get; } = typeName;

        public SpecSpan Span { get; } = span;

        public int Used { get; set; }

        public List<BitSpec> Bits { get; } = new();
    }

    private static bool TryShape(string name, IReadOnlyDictionary<string, TypeShape> known, out TypeShape shape)
    {
        if (Primitives.TryGetValue(name, out var size))
        {
            shape = new TypeShape(size, size);
            return true;
        }

        return known.TryGetValue(TableSchema.Key(name), out shape);
    }

    private static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
