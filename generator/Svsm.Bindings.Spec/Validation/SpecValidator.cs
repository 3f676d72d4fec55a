using System;
using System.Collections.Generic;
using System.Linq;
using Svsm.Bindings.Spec.Building;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Recognising;

namespace Svsm.Bindings.Spec.Validation;

/// <summary>
/// The validation stage: one pass over the built model holding every check that relates elements to each other
/// (duplicate ids and names, versions, overlaps, sizes, bits). An element with an error is left out, and so is
/// what uses it; the first of its errors says so. What is left becomes the model's records.
/// </summary>
internal sealed class SpecValidator
{
    private readonly BuiltSpec built;
    private readonly DiagnosticBag diagnostics;
    private readonly Dictionary<BuiltStruct, StructSpec?> structs = new();
    private readonly Dictionary<BuiltBits, BitFieldSpec?> bits = new();
    private readonly Dictionary<BuiltConstants, ConstantTableSpec?> tables = new();
    private readonly HashSet<BuiltStruct> materializing = new();

    private SpecValidator(BuiltSpec built, DiagnosticBag diagnostics)
    {
        this.built = built;
        this.diagnostics = diagnostics;
    }

    public static SpecDocument Validate(BuiltSpec built, DiagnosticBag diagnostics) => new SpecValidator(built, diagnostics).Run();

    private SpecDocument Run()
    {
        CheckCalls();
        CheckStructs();
        CheckBits();
        CheckConstants();

        foreach (var table in built.BitFields)
        {
            bits[table] = Keep(table) ? table.Spec : null;
        }

        foreach (var table in built.ConstantTables)
        {
            tables[table] = Materialize(table);
        }

        var structSpecs = built.Structs.Select(Materialize).Where(s => s is not null).Select(s => s!).ToEquatableArray();
        var calls = built.Calls.Where(Keep).Select(Materialize).ToEquatableArray();
        var ioctls = built.Ioctls.Where(Keep).Select(i => i.Spec).ToEquatableArray();
        if (!built.HasDefinitions && built.HasContent)
        {
            diagnostics.Add(SpecDiagnostics.NothingRecognised, SpecSpan.None, Seen(built.Seen));
        }

        return new SpecDocument(
            built.Protocol,
            calls,
            structSpecs,
            built.BitFields.Select(b => bits[b]).Where(b => b is not null).Select(b => b!).ToEquatableArray(),
            built.ConstantTables.Select(t => tables[t]).Where(t => t is not null).Select(t => t!).ToEquatableArray(),
            diagnostics.ToSortedArray(),
            built.HasDefinitions,
            ioctls,
            built.ProposedCalls.ToEquatableArray());
    }

    private static string Seen(SeenConstructs seen)
    {
        var parts = new List<string>();
        void Count(int n, string one, string many)
        {
            if (n > 0)
            {
                parts.Add(n.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many));
            }
        }

        Count(seen.Tables, "table", "tables");
        Count(seen.CodeBlocks, "code block", "code blocks");
        Count(seen.Lists, "list", "lists");
        return parts.Count == 0 ? "only prose" : parts.Count == 1 ? parts[0] : string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[parts.Count - 1];
    }

    /// <summary>Whether an element has no error; when it has, the first says it is left out.</summary>
    private bool Keep(BuiltElement element)
    {
        if (element.Errors.Count == 0)
        {
            return true;
        }

        diagnostics.NoteLeftOut(element.Errors[0], element.What);
        return false;
    }

    private void CheckCalls()
    {
        var version = built.Protocol.Version;
        var kept = new List<BuiltCall>();
        foreach (var call in built.Calls)
        {
            var spec = call.Spec;
            var sameId = kept.FirstOrDefault(c => c.Spec.Id == spec.Id && c.Spec.Class == spec.Class);
            if (sameId is not null)
            {
                var id = spec.Class is { } callClass ? "(" + callClass + " << 32) | " + spec.Id : (object)spec.Id;
                call.Errors.Add(diagnostics.Add(SpecDiagnostics.DuplicateCallId, call.IdSpan, id, spec.Name, sameId.Spec.Name));
            }
            else if (kept.Exists(c => string.Equals(c.Spec.Name, spec.Name, StringComparison.OrdinalIgnoreCase)) ||
                (spec.Class is not null && built.ProposedCalls.Exists(p => string.Equals(p.Name, spec.Name, StringComparison.OrdinalIgnoreCase))))
            {
                call.Errors.Add(diagnostics.Add(SpecDiagnostics.DuplicateCallName, call.NameSpan, spec.Name));
            }
            else
            {
                kept.Add(call);
            }

            if (spec.Class is null && version is { } protocolVersion && spec.SinceVersion > protocolVersion)
            {
                call.Errors.Add(diagnostics.Add(SpecDiagnostics.CallAboveProtocolVersion, call.VersionSpan, spec.Name, spec.SinceVersion, protocolVersion));
            }

            for (var i = 0; i < call.Registers.Count; i++)
            {
                var register = call.Registers[i].Spec;
                if (EarlierUse(call, i) is { } repeated)
                {
                    var both = repeated.IsInput && register.IsInput ? "IN" : "OUT";
                    call.Errors.Add(diagnostics.Add(SpecDiagnostics.RegisterRepeated, call.Registers[i].RegisterSpan, register.Register, both, spec.Name, repeated.Span.Line));
                }

                if (register.Size < 8 && MentionsAddress(register.Description))
                {
                    diagnostics.Add(SpecDiagnostics.NarrowAddressRegister, call.Registers[i].SizeSpan, register.Register, spec.Name, register.Size);
                }
            }
        }
    }

    /// <summary>The first register before <paramref name="index"/> that is the same register in the same direction, or null.</summary>
    private static RegisterSpec? EarlierUse(BuiltCall call, int index)
    {
        var register = call.Registers[index].Spec;
        for (var i = 0; i < index; i++)
        {
            var earlier = call.Registers[i].Spec;
            if (earlier.Register == register.Register && ((earlier.IsInput && register.IsInput) || (earlier.IsOutput && register.IsOutput)))
            {
                return earlier;
            }
        }

        return null;
    }

    private static readonly System.Text.RegularExpressions.Regex AddressWords =
        new(@"\b(?:GPA|GVA|SPA|address|pointer)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static bool MentionsAddress(string description) => AddressWords.IsMatch(description);

    private void CheckStructs()
    {
        var seen = new List<BuiltStruct>();
        foreach (var structure in built.Structs)
        {
            var duplicate = seen.Find(s => string.Equals(s.Name, structure.Name, StringComparison.OrdinalIgnoreCase));
            if (duplicate is not null)
            {
                structure.Errors.Add(diagnostics.Add(SpecDiagnostics.DuplicateName, structure.HeaderSpan, structure.Name, "this spec's structs", duplicate.Header.Span.Line));
                continue;
            }

            seen.Add(structure);
            CheckSizeStatements(structure);
            if (!structure.LaidOut)
            {
                CheckOffsets(structure);
            }
        }
    }

    /// <summary>Two stated sizes that disagree; a laid-out struct whose stated size is not the one gcc gives.</summary>
    private void CheckSizeStatements(BuiltStruct structure)
    {
        if (structure.SizeStatements.Count == 0)
        {
            return;
        }

        var chosen = structure.SizeStatements[0];
        foreach (var other in structure.SizeStatements.Skip(1).Where(s => s.Size != chosen.Size))
        {
            structure.Errors.Add(diagnostics.Add(SpecDiagnostics.SizeContradicted, other.Span, structure.Name, other.Size, chosen.Size, chosen.Where));
        }

        if (structure.LaidOut && chosen.Size != structure.Header.Size)
        {
            structure.Errors.Add(diagnostics.Add(SpecDiagnostics.ComputedSizeDisagrees, structure.HeaderSpan, structure.Name, chosen.Size, structure.Header.Size));
        }
    }

    /// <summary>
    /// An offset table's fields against each other and its size: overlaps, overruns and undocumented bytes. A field
    /// that a later version adds may stand in bytes a Reserved row keeps for the older versions.
    /// </summary>
    private void CheckOffsets(BuiltStruct structure)
    {
        var fields = structure.Fields.Select(f => f.Spec).OrderBy(f => f.Offset).ThenBy(f => f.Span.Start).ToList();
        var size = structure.Header.Size;
        var declared = structure.Header.SizeDeclared;
        var covered = 0;
        FieldSpec? previous = null;
        foreach (var field in fields)
        {
            if (previous is not null && field.Offset < covered &&
                fields.TakeWhile(f => f != field).LastOrDefault(f => f.Offset + f.Size > field.Offset && !AddedInReservedBytes(f, field)) is { } other)
            {
                structure.Errors.Add(diagnostics.Add(
                    SpecDiagnostics.FieldsOverlap, field.Span, field.Name, CellValues.ByteRange(field.Offset, field.Size),
                    other.Name, CellValues.ByteRange(other.Offset, other.Size), structure.Name));
            }
            else if (field.Offset > covered)
            {
                diagnostics.Add(SpecDiagnostics.FieldGap, field.Span, CellValues.ByteRange(covered, field.Offset - covered), field.Offset - covered, structure.Name);
            }

            if (declared && field.Offset + field.Size > size)
            {
                structure.Errors.Add(diagnostics.Add(SpecDiagnostics.FieldPastSize, field.Span, field.Name, CellValues.Hex(field.Offset + field.Size), structure.Name, size));
            }

            covered = Math.Max(covered, field.Offset + field.Size);
            previous = field;
        }

        if (declared && covered < size && fields.Count > 0)
        {
            diagnostics.Add(SpecDiagnostics.FieldGap, structure.HeaderSpan, CellValues.ByteRange(covered, size - covered), size - covered, structure.Name);
        }
    }

    private static bool AddedInReservedBytes(FieldSpec one, FieldSpec other) =>
        (one.Reserved && !other.Reserved && other.FirstVersion > 0) || (other.Reserved && !one.Reserved && one.FirstVersion > 0);

    /// <summary>Each bit table: no bit described twice, none past the width, none left undescribed.</summary>
    private void CheckBits()
    {
        foreach (var table in built.BitFields)
        {
            var bitField = table.Spec;
            var ordered = bitField.Bits.OrderBy(b => b.Low).ThenBy(b => b.Span.Start).ToList();
            var owner = bitField.BoundTo is null ? string.Empty : $" (the size of {bitField.BoundTo})";
            var described = new bool[Math.Max(0, bitField.Width)];
            BitSpec? reach = null;
            foreach (var bit in ordered)
            {
                if (reach is not null && bit.Low <= reach.High)
                {
                    table.Errors.Add(diagnostics.Add(
                        SpecDiagnostics.BitsOverlap, bit.Span, CellValues.BitRange(bit.Low, bit.High), bit.Name,
                        CellValues.BitRange(reach.Low, reach.High), reach.Name, bitField.Name));
                }

                if (bit.High >= bitField.Width)
                {
                    table.Errors.Add(diagnostics.Add(SpecDiagnostics.BitsPastWidth, bit.Span, CellValues.BitRange(bit.Low, bit.High), bit.Name, bitField.Name, bitField.Width, owner));
                }

                for (var i = bit.Low; i <= bit.High && i < bitField.Width; i++)
                {
                    described[i] = true;
                }

                if (reach is null || bit.High > reach.High)
                {
                    reach = bit;
                }
            }

            var gaps = Gaps(described);
            if (gaps.Count > 0)
            {
                diagnostics.Add(SpecDiagnostics.BitsUndefined, bitField.Span, string.Join(", ", gaps), bitField.Name);
            }
        }
    }

    private static List<string> Gaps(bool[] described)
    {
        var gaps = new List<string>();
        for (var i = 0; i < described.Length; i++)
        {
            if (described[i])
            {
                continue;
            }

            var start = i;
            while (i + 1 < described.Length && !described[i + 1])
            {
                i++;
            }

            gaps.Add(CellValues.BitRange(start, i));
        }

        return gaps;
    }

    /// <summary>Names unique across the spec, result codes in range and named once per value, flags single bits.</summary>
    private void CheckConstants()
    {
        var defined = new Dictionary<string, BuiltConstant>(StringComparer.Ordinal);
        var syscalls = built.Protocol.IsSyscallAbi;
        foreach (var table in built.ConstantTables)
        {
            var byValue = new Dictionary<ulong, BuiltConstant>();
            foreach (var constant in table.Constants.Where(c => c.Errors.Count == 0))
            {
                var spec = constant.Spec;
                if (defined.TryGetValue(spec.Name, out var earlier))
                {
                    constant.Errors.Add(diagnostics.Add(SpecDiagnostics.DuplicateName, constant.NameSpan, spec.Name, "this spec's constants", earlier.Spec.Span.Line));
                    continue;
                }

                defined[spec.Name] = constant;
                if (table.Header.Kind != ConstantTableKind.ResultCodes)
                {
                    continue;
                }

                if (syscalls)
                {
                    if (spec.Value < ConstantRules.LowestSyscallError)
                    {
                        constant.Errors.Add(diagnostics.Add(SpecDiagnostics.SyscallErrorOutOfRange, constant.ValueSpan, spec.Name, spec.Expression));
                        continue;
                    }
                }
                else if (spec.Value > uint.MaxValue)
                {
                    constant.Errors.Add(diagnostics.Add(SpecDiagnostics.ResultCodeTooWide, constant.ValueSpan, spec.Name, spec.Value));
                    continue;
                }

                if (byValue.TryGetValue(spec.Value, out var same))
                {
                    diagnostics.Add(SpecDiagnostics.DuplicateResultCode, constant.ValueSpan, spec.Name, spec.Value, same.Spec.Name, same.Spec.Span.Line);
                }
                else
                {
                    byValue[spec.Value] = constant;
                }
            }

            if (table.Header.Kind == ConstantTableKind.Flags)
            {
                CheckFlagPattern(table.Constants.Where(c => c.Errors.Count == 0).Select(c => c.Spec).ToList());
            }
        }
    }

    /// <summary>A flag that breaks its siblings' <c>(1 &lt;&lt; bit)</c> pattern (seed 002's <c>(2 &lt;&lt; 0)</c>) is probably a typo.</summary>
    private void CheckFlagPattern(List<ConstantSpec> constants)
    {
        if (!constants.Any(ConstantRules.IsSingleBitShift))
        {
            return;
        }

        foreach (var constant in constants)
        {
            var single = CellValues.IsPowerOfTwo(constant.Value);
            if (!single || (ConstantRules.IsShift(constant) && !ConstantRules.IsSingleBitShift(constant)))
            {
                var bit = single ? "bit " + Log2(constant.Value).ToString(System.Globalization.CultureInfo.InvariantCulture) : "not a single bit";
                diagnostics.Add(SpecDiagnostics.FlagBreaksPattern, constant.Span, constant.Name, constant.Expression, bit);
            }
        }
    }

    private static int Log2(ulong value)
    {
        var bit = 0;
        while ((value >>= 1) != 0)
        {
            bit++;
        }

        return bit;
    }

    private ConstantTableSpec? Materialize(BuiltConstants table)
    {
        var kept = table.Constants.Where(Keep).Select(c => c.Spec).ToList();
        if (!Keep(table) || kept.Count == 0)
        {
            return null;
        }

        return table.Header with { Constants = kept.ToEquatableArray() };
    }

    /// <summary>A struct's record, with its fields' references made records too; null when it, or a struct it holds, is left out.</summary>
    private StructSpec? Materialize(BuiltStruct structure)
    {
        if (structs.TryGetValue(structure, out var done))
        {
            return done;
        }

        if (!materializing.Add(structure))
        {
            return null;
        }

        StructSpec? result = null;
        if (Keep(structure))
        {
            var fields = new List<FieldSpec>();
            foreach (var field in structure.Fields)
            {
                var inner = field.Struct is { } nested ? Materialize(nested) : null;
                if (field.Struct is not null && inner is null)
                {
                    // What it holds is left out: so is it, and the inner struct's error says so.
                    if (field.Struct.Errors.Count > 0)
                    {
                        diagnostics.NoteLeftOut(field.Struct.Errors[0], structure.What);
                    }

                    fields = null;
                    break;
                }

                var enumeration = field.Enum is { } e && tables.TryGetValue(e, out var table) ? table : null;
                fields.Add(field.Spec with
                {
                    Struct = inner,
                    Bits = field.Bits is { } b && bits.TryGetValue(b, out var bitField) ? bitField : null,
                    Enum = enumeration is { Kind: ConstantTableKind.Enum } ? enumeration : null,
                });
            }

            if (fields is not null)
            {
                result = structure.Header with { Fields = fields.ToEquatableArray() };
            }
        }

        materializing.Remove(structure);
        structs[structure] = result;
        return result;
    }

    private CallSpec Materialize(BuiltCall call) =>
        call.Spec with
        {
            Registers = call.Registers.Select(r => r.Spec with { Bits = r.Bits is { } b && bits.TryGetValue(b, out var bitField) ? bitField : null }).ToEquatableArray(),
        };
}
