using System;
using System.Collections.Generic;
using System.Linq;
using Svsm.Bindings.Spec.Common;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Recognising;

namespace Svsm.Bindings.Spec.Building;

/// <summary>A member by type with its element type resolved and its array lengths evaluated.</summary>
/// <param name="Count">The number of elements: the product of the lengths, 1 for a scalar, 0 for a flexible array.</param>
internal sealed record LayoutMember(RawMember Raw, ResolvedType Type, long Count, bool Flexible);

/// <summary>
/// Lays out members by type as gcc does on x86-64 System V, for tables by C type, C and Rust (<c>#[repr(C)]</c>)
/// alike: each member at the next multiple of its alignment (capped by packing, raised by an aligned attribute),
/// the size rounded up to the largest alignment, a flexible array last and not counted, every member of a union at
/// 0. Consecutive C bit-fields of one type share a storage unit of that type while their widths fit in it, each unit
/// a field with a bit table bound to it; a bit-field gcc would pack into bytes another field holds is an error.
/// </summary>
internal static class LayoutEngine
{
    // Far above any real ABI struct; keeps every offset computation well inside int.
    public const int MaxStructSize = 1 << 30;

    public static TypeShape Lay(
        BuiltStruct target, IReadOnlyList<LayoutMember> members, int? packLimit, int? alignAttribute, DeclarationStyle style, List<BuiltBits> units, DiagnosticBag diagnostics)
    {
        var structName = target.Name;
        var isUnion = target.Header.IsUnion;
        var packed = packLimit == 1;
        var table = style == DeclarationStyle.TableByCType;
        var names = new NameScope();
        BitUnit? unit = null;
        var offset = 0;
        var size = 0;
        var alignment = 1;
        var sawFlexible = false;
        var anonymous = 0;
        foreach (var member in members)
        {
            var raw = member.Raw;
            var element = member.Type.Shape;
            var cName = raw.Name;
            var description = raw.Description;
            if (raw.BitWidth is { } width)
            {
                if (width == 0 && !table && !isUnion && raw.Type!.Lengths.Count == 0)
                {
                    // An unnamed ":0" ends the unit: the next bit-field starts at its type's next boundary.
                    CloseUnit();
                    offset = Align(offset, element.Alignment);
                    continue;
                }

                if (width == 0 || width > element.Size * 8 || isUnion || member.Count != 1 || member.Flexible || element.Size > 8)
                {
                    target.Errors.Add(Report(table, raw.NameSpan, (cName ?? string.Empty) + ":" + width.ToString(System.Globalization.CultureInfo.InvariantCulture), "bit-field", "a bit-field is 1 to 8 x its type's size bits wide, not in a union, not an array", diagnostics));
                    continue;
                }

                if (unit is null || unit.Element != element || unit.Used + width > element.Size * 8)
                {
                    // gcc starts a bit-field at the next free bit unless it would cross its type's aligned boundary.
                    var gccBit = unit is null ? offset * 8 : (unit.Offset * 8) + unit.Used;
                    var containerBits = element.Size * 8;
                    var gccStart = packed || (gccBit % containerBits) + width <= containerBits ? gccBit : Align(gccBit, element.Alignment * 8);
                    CloseUnit();
                    var unitAlignment = FieldAlignment(element, null, packLimit);
                    var unitOffset = Align(offset, unitAlignment);
                    if (gccStart != unitOffset * 8)
                    {
                        target.Errors.Add(diagnostics.Add(SpecDiagnostics.BitFieldSharesBytes, raw.NameSpan, (cName ?? string.Empty) + ":" + width.ToString(System.Globalization.CultureInfo.InvariantCulture), gccStart / 8, gccStart % 8, "an earlier field"));
                        continue;
                    }

                    alignment = Math.Max(alignment, unitAlignment);
                    var unitName = names.Unique(NameDeriver.FromNameCell(cName ?? "reserved") + "Bits");
                    unit = new BitUnit(element, unitOffset, unitName, member.Type.TypeName, raw.Span);
                    offset = unitOffset + element.Size;
                    size = Math.Max(size, offset);
                }

                var bitName = cName ?? "reserved";
                unit.Bits.Add(new BitSpec(unit.Used, unit.Used + width - 1, bitName, description, cName is null || CellValues.IsReservedIdentifier(bitName) || CellValues.IsReserved(description), raw.Span));
                unit.Used += width;
                continue;
            }

            if (unit is not null && unit.Used < unit.Element.Size * 8)
            {
                // After a partly used unit gcc places the next field at its alignment past the last bit used.
                var gccOffset = Align(((unit.Offset * 8) + unit.Used + 7) / 8, FieldAlignment(element, raw.AlignAttribute, packLimit));
                if (gccOffset < unit.Offset + unit.Element.Size && !isUnion)
                {
                    target.Errors.Add(diagnostics.Add(SpecDiagnostics.BitFieldSharesBytes, raw.NameSpan, Written(raw), gccOffset, 0, "the bit-field unit before it"));
                    CloseUnit();
                    continue;
                }
            }

            CloseUnit();
            if (sawFlexible)
            {
                target.Errors.Add(Report(table, raw.NameSpan, cName ?? "(anonymous)", "field", "a flexible array ([]) must be the last field", diagnostics));
                continue;
            }

            var fieldAlignment = FieldAlignment(element, raw.AlignAttribute, packLimit);
            var fieldOffset = isUnion ? 0 : Align(offset, fieldAlignment);
            if (fieldOffset > offset && !isUnion)
            {
                diagnostics.Add(SpecDiagnostics.ComputedPadding, raw.Span, fieldOffset - offset, CellValues.Hex(offset), cName ?? "(anonymous)", structName);
            }

            if ((long)element.Size * member.Count > MaxStructSize || (long)fieldOffset + ((long)element.Size * member.Count) > MaxStructSize)
            {
                target.Errors.Add(table
                    ? diagnostics.Add(SpecDiagnostics.MalformedCell, raw.Type!.Span, raw.Type.Name, "field type", "the struct must stay below 1 GiB")
                    : diagnostics.Add(SpecDiagnostics.BadLength, raw.Type!.Span, "The size", cName ?? structName, "the struct must stay below 1 GiB"));
                continue;
            }

            var fieldSize = member.Flexible ? 0 : (int)(element.Size * member.Count);
            sawFlexible = member.Flexible;
            alignment = Math.Max(alignment, fieldAlignment);
            offset = fieldOffset + fieldSize;
            size = isUnion ? Math.Max(size, fieldSize) : Math.Max(size, offset);

            var reserved = raw.Reserved;
            var name = names.Unique(reserved ? "reserved" : cName is null ? "anonymous" + (++anonymous > 1 ? anonymous.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty) : NameDeriver.FromNameCell(cName));
            var single = member.Count == 1 && !member.Flexible;
            var field = new FieldSpec(fieldOffset, fieldSize, name, description, reserved, raw.Span, cName, member.Type.TypeName, member.Flexible ? 0 : (int)member.Count);
            target.Fields.Add(new BuiltField(field, cName is null ? new[] { name } : new[] { cName, name })
            {
                Struct = single ? member.Type.Struct : null,
                Enum = single ? member.Type.Enum : null,
            });
        }

        CloseUnit();
        alignment = Math.Max(alignment, alignAttribute ?? 1);
        var total = Align(size, alignment);
        if (total > size && target.Fields.Count > 0)
        {
            diagnostics.Add(SpecDiagnostics.ComputedPadding, target.HeaderSpan, total - size, CellValues.Hex(size), "the end", structName);
        }

        return new TypeShape(total, alignment);

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

            var bitNames = new NameScope(ignoreCase: true);
            var bits = unit.Bits.Select(b => b with { Name = bitNames.Unique(b.Name) }).ToEquatableArray();
            var field = new FieldSpec(unit.Offset, unit.Element.Size, unit.Name, "Bit-fields: " + string.Join(", ", unit.Bits.Select(b => b.Name)), false, unit.Span, null, unit.TypeName, 1);
            var bitField = new BuiltBits(new BitFieldSpec(structName + " " + unit.Name, unit.Element.Size * 8, new BitFieldBinding(BindingKind.StructField, structName, unit.Name), unit.Span, bits));
            units.Add(bitField);
            target.Fields.Add(new BuiltField(field, new[] { unit.Name }) { Bits = bitField });
            unit = null;
        }
    }

    /// <summary>A member as a table's Field cell writes it: its name, with its array length.</summary>
    private static string Written(RawMember member) =>
        (member.Name ?? "(anonymous)") + (member.Type is { Lengths.Count: > 0 } type ? "[" + type.Lengths[0].Text + "]" : string.Empty);

    /// <summary>An alignment attribute on the member wins; else the type's alignment, capped by packing.</summary>
    private static int FieldAlignment(TypeShape element, int? attribute, int? packLimit) =>
        attribute ?? Math.Min(element.Alignment, packLimit ?? int.MaxValue);

    private static int Report(bool table, SpecSpan span, string text, string what, string rule, DiagnosticBag diagnostics) =>
        table
            ? diagnostics.Add(SpecDiagnostics.MalformedCell, span, text, what, rule)
            : diagnostics.Add(SpecDiagnostics.MalformedDeclaration, span, "member", "'" + text + "': " + rule);

    public static int Align(int value, int alignment) => alignment <= 1 ? value : (value + alignment - 1) / alignment * alignment;

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
}
