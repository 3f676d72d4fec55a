using System.Collections.Generic;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;

namespace Svsm.Bindings.Spec.Building;

/// <summary>Reads a call's Registers table and checks each row.</summary>
internal static class RegisterTableReader
{
    public static void Read(TableRows table, string callName, List<RegisterSpec> registers, DiagnosticBag diagnostics)
    {
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
                diagnostics.Add(SpecDiagnostics.NotAGeneralPurposeRegister, registerCell.Span, registerCell.Text, wide is null ? string.Empty : $" (write {wide} for {register})");
                valid = false;
            }

            if (!CellValues.TryParseSize(sizeCell.Text, out var size))
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, sizeCell.Span, sizeCell.Text, "register size", "write 1, 2, 4 or 8");
                valid = false;
            }
            else if (size is not (1 or 2 or 4 or 8))
            {
                diagnostics.Add(SpecDiagnostics.BadRegisterSize, sizeCell.Span, register, size);
                valid = false;
            }

            int? alignment = null;
            if (alignmentCell.Text.Length > 0)
            {
                if (!CellValues.TryParseSize(alignmentCell.Text, out var parsed))
                {
                    diagnostics.Add(SpecDiagnostics.MalformedCell, alignmentCell.Span, alignmentCell.Text, "alignment", "write a power of two in bytes, or leave the cell empty");
                    valid = false;
                }
                else if (!CellValues.IsPowerOfTwo((ulong)parsed))
                {
                    diagnostics.Add(SpecDiagnostics.AlignmentNotPowerOfTwo, alignmentCell.Span, parsed, register);
                    valid = false;
                }
                else
                {
                    alignment = parsed;
                }
            }

            if (!CellValues.TryParseDirection(directionCell.Text, out var direction))
            {
                diagnostics.Add(SpecDiagnostics.BadDirection, directionCell.Span, directionCell.Text);
                valid = false;
            }

            if (!valid)
            {
                continue;
            }

            var repeated = registers.Find(r => r.Register == register && (r.IsInput && direction != RegisterDirection.Out || r.IsOutput && direction != RegisterDirection.In));
            if (repeated is not null)
            {
                var both = repeated.IsInput && direction != RegisterDirection.Out ? "IN" : "OUT";
                diagnostics.Add(SpecDiagnostics.RegisterRepeated, registerCell.Span, register, both, callName, repeated.Span.Line);
                continue;
            }

            if (size < 8 && MentionsAddress(description))
            {
                diagnostics.Add(SpecDiagnostics.NarrowAddressRegister, sizeCell.Span, register, callName, size);
            }

            var nameCell = table.Has(TableSchema.MemberName) ? table.Cell(row, TableSchema.MemberName).Text : string.Empty;
            var name = nameCell.Length > 0 ? NameDeriver.FromNameCell(nameCell) : NameDeriver.FromDescription(description).Identifier;
            registers.Add(new RegisterSpec(register, direction, size, alignment, name, description, row.Span));
        }
    }

    /// <summary>Names are unique among the inputs and among the outputs; a repeated Name cell is an error, a repeated derived name gets a number.</summary>
    public static List<RegisterSpec> NameUniquely(List<RegisterSpec> registers, bool fromNameColumn, string callName, DiagnosticBag diagnostics)
    {
        var inputs = new Dictionary<string, int>(System.StringComparer.Ordinal);
        var outputs = new Dictionary<string, int>(System.StringComparer.Ordinal);
        var result = new List<RegisterSpec>();
        foreach (var register in registers)
        {
            bool Taken(string candidate) =>
                (register.IsInput && inputs.ContainsKey(candidate)) || (register.IsOutput && outputs.ContainsKey(candidate));

            var name = register.Name;
            if (Taken(name) && fromNameColumn)
            {
                var line = (register.IsInput && inputs.ContainsKey(name) ? inputs : outputs)[name];
                diagnostics.Add(SpecDiagnostics.DuplicateName, register.Span, name, callName, line);
            }

            for (var n = 2; Taken(name); n++)
            {
                name = register.Name + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (register.IsInput)
            {
                inputs[name] = register.Span.Line;
            }

            if (register.IsOutput)
            {
                outputs[name] = register.Span.Line;
            }

            result.Add(register with { Name = name });
        }

        return result;
    }

    private static bool MentionsAddress(string description) =>
        System.Text.RegularExpressions.Regex.IsMatch(description, @"\b(?:GPA|GVA|SPA|address|pointer)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
}
