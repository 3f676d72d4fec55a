using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Building;

/// <summary>
/// Reads a syscall table (<c>Class</c>, <c>Number</c>, <c>Name</c>, optional <c>Description</c>). A row whose
/// class or number is empty or says it is proposed lists a call without a published number: it is reported and
/// kept out of the calls, so no number is ever invented for it.
/// </summary>
internal static class SyscallTableReader
{
    private static readonly Regex NoNumber = new(@"^(?:|[-\u2013\u2014?]|n/?a|none|tbd|proposed|unassigned|not\s+assigned)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    public static void Read(TableRows table, List<CallEntry> calls, List<ProposedCallSpec> proposed, DiagnosticBag diagnostics)
    {
        foreach (var row in table.Rows)
        {
            var classCell = table.Cell(row, TableSchema.SyscallClass);
            var numberCell = table.Cell(row, TableSchema.SyscallNumber);
            var nameCell = table.Cell(row, TableSchema.SyscallName);
            var name = nameCell.Text.Replace(" ", string.Empty);
            var function = table.Cell(row, TableSchema.SyscallFunction).Text;
            if (name.Length == 0 || !Regex.IsMatch(name, "^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant))
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, nameCell.Span, nameCell.Text, "syscall name", "write the call's name, such as SYS_OPEN");
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
                diagnostics.Add(SpecDiagnostics.MalformedCell, classCell.Span, classCell.Text, "syscall class", "write the class, a number from 0 to 4294967295 (RAX bits 63:32)");
                valid = false;
            }

            if (!CellValues.TryParseInteger(numberCell.Text, out var number) || number > uint.MaxValue)
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, numberCell.Span, numberCell.Text, "syscall number",
                    "write the number within its class (RAX bits 31:0), or leave it empty for a call proposed without one");
                valid = false;
            }

            if (!valid)
            {
                continue;
            }

            var duplicate = calls.Find(c => c.Class == callClass && c.Id == number);
            if (duplicate is not null)
            {
                diagnostics.Add(SpecDiagnostics.DuplicateCallId, numberCell.Span, "(" + callClass + " << 32) | " + number, name, duplicate.Name);
                continue;
            }

            if (calls.Exists(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)) ||
                proposed.Exists(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                diagnostics.Add(SpecDiagnostics.DuplicateCallName, nameCell.Span, name);
                continue;
            }

            calls.Add(new CallEntry((uint)number, name, 0, function, row.Span, numberCell, (uint)callClass));
        }
    }
}
