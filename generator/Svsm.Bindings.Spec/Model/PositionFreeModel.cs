using System.Collections.Generic;
using System.Linq;
using Svsm.Bindings.Spec.Common;

namespace Svsm.Bindings.Spec.Model;

/// <summary>
/// A document with every position set to <see cref="SpecSpan.None"/> and no diagnostics: what code is generated
/// from. Two specs that differ only where their elements stand (a blank line added above a table) give equal
/// models, so the generator's emitting step stays cached while their diagnostics move.
/// </summary>
public static class PositionFreeModel
{
    public static SpecDocument WithoutPositions(this SpecDocument document) => new Stripper().Strip(document);

    private sealed class Stripper
    {
        // Records shared between the document and the fields that reference them stay shared.
        private readonly Dictionary<StructSpec, StructSpec> structs = new(ReferenceComparer<StructSpec>.Instance);
        private readonly Dictionary<BitFieldSpec, BitFieldSpec> bits = new(ReferenceComparer<BitFieldSpec>.Instance);
        private readonly Dictionary<ConstantTableSpec, ConstantTableSpec> tables = new(ReferenceComparer<ConstantTableSpec>.Instance);

        public SpecDocument Strip(SpecDocument document) => document with
        {
            Calls = document.Calls.Map(c => c with { Span = SpecSpan.None, Registers = c.Registers.Map(Strip) }),
            Structs = document.Structs.Map(Strip),
            BitFields = document.BitFields.Map(Strip),
            ConstantTables = document.ConstantTables.Map(Strip),
            Diagnostics = EquatableArray<SpecDiagnostic>.Empty,
            Ioctls = document.Ioctls.Map(i => i with { Span = SpecSpan.None }),
            ProposedCalls = document.ProposedCalls.Map(p => p with { Span = SpecSpan.None }),
        };

        private RegisterSpec Strip(RegisterSpec register) =>
            register with { Span = SpecSpan.None, Bits = register.Bits is { } b ? Strip(b) : null };

        private StructSpec Strip(StructSpec structure)
        {
            if (!structs.TryGetValue(structure, out var stripped))
            {
                var fields = structure.Fields.Map(f => f with
                {
                    Span = SpecSpan.None,
                    Struct = f.Struct is { } s ? Strip(s) : null,
                    Bits = f.Bits is { } b ? Strip(b) : null,
                    Enum = f.Enum is { } e ? Strip(e) : null,
                });
                stripped = structure with
                {
                    Span = SpecSpan.None,
                    Fields = fields,
                    VersionField = structure.VersionField is { } version ? fields.First(f => f.Offset == version.Offset && f.Name == version.Name) : null,
                };
                structs[structure] = stripped;
            }

            return stripped;
        }

        private BitFieldSpec Strip(BitFieldSpec bitField)
        {
            if (!bits.TryGetValue(bitField, out var stripped))
            {
                stripped = bitField with { Span = SpecSpan.None, Bits = bitField.Bits.Map(b => b with { Span = SpecSpan.None }) };
                bits[bitField] = stripped;
            }

            return stripped;
        }

        private ConstantTableSpec Strip(ConstantTableSpec table)
        {
            if (!tables.TryGetValue(table, out var stripped))
            {
                stripped = table with { Span = SpecSpan.None, Constants = table.Constants.Map(c => c with { Span = SpecSpan.None }) };
                tables[table] = stripped;
            }

            return stripped;
        }
    }
}
