using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Recognising.Tables;

/// <summary>
/// Reads a syscall table (<c>Class</c>, <c>Number</c>, <c>Name</c>, optional <c>Description</c>). A row whose
/// class or number is empty or says it is proposed lists a call without a published number: it is reported and
/// kept out of the calls, so no number is ever invented for it.
/// </summary>
internal static class SyscallTableRecogniser
{
    private static readonly Regex NoNumber = new(@"^(?:|[-\u2013\u2014?]|n/?a|none|tbd|proposed|unassigned|not\s+assigned)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex Identifier = new("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);

    public static void Read(TableRows table, RawCallTable calls, System.Collections.Generic.List<ProposedCallSpec> proposed, int position, DiagnosticBag diagnostics)
    {
        foreach (var row in table.Rows)
        {
            var classCell = table.Cell(row, TableSchema.SyscallClass);
            var numberCell = table.Cell(row, TableSchema.SyscallNumber);
            var nameCell = table.Cell(row, TableSchema.SyscallName);
            var name = nameCell.Text.Replace(" ", string.Empty);
            var function = table.Cell(row, TableSchema.SyscallFunction).Text;
            if (name.Length == 0 || !Identifier.IsMatch(name))
            {
                diagnostics.NoteLeftOut(diagnostics.Add(SpecDiagnostics.MalformedCell, nameCell.Span, nameCell.Text, "syscall name", "write the call's name, such as SYS_OPEN"), "the syscall of this row");
                continue;
            }

            if (NoNumber.IsMatch(numberCell.Text.Trim()))
            {
                diagnostics.Add(SpecDiagnostics.ProposedWithoutNumber, row.Span, name);
                proposed.Add(new ProposedCallSpec(name, function, row.Span));
                continue;
            }

            var valid = true;
            if (!CellValues.TryParseInteger(classCell.Text, out var callClass) || callClass > uint.MaxValue)
            {
                diagnostics.NoteLeftOut(diagnostics.Add(SpecDiagnostics.MalformedCell, classCell.Span, classCell.Text, "syscall class", "write the class, a number from 0 to 4294967295 (RAX bits 63:32)"), "syscall '" + name + "'");
                valid = false;
            }

            if (!CellValues.TryParseInteger(numberCell.Text, out var number) || number > uint.MaxValue)
            {
                diagnostics.NoteLeftOut(
                    diagnostics.Add(SpecDiagnostics.MalformedCell, numberCell.Span, numberCell.Text, "syscall number", "write the number within its class (RAX bits 31:0), or leave it empty for a call proposed without one"),
                    "syscall '" + name + "'");
                valid = false;
            }

            if (valid)
            {
                calls.Calls.Add(new RawCall((uint)number, name, 0, function, row.Span, numberCell.Span, numberCell.Span, nameCell.Span, DeclarationStyle.Table, position, (uint)callClass));
            }
        }
    }
}
