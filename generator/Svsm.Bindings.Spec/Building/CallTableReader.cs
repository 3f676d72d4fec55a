using System.Collections.Generic;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;

namespace Svsm.Bindings.Spec.Building;

/// <summary>A call-table (or syscall-table) row before its registers are joined to it.</summary>
/// <param name="Class">A syscall's class; null for an SVSM call.</param>
internal sealed record CallEntry(uint Id, string Name, uint SinceVersion, string Function, SpecSpan Span, TableCellText VersionCell, uint? Class = null);

/// <summary>Reads the call table (<c>Call ID</c>, <c>First version supported</c>, <c>Name</c>, <c>Function</c>).</summary>
internal static class CallTableReader
{
    public static void Read(TableRows table, List<CallEntry> calls, DiagnosticBag diagnostics)
    {
        foreach (var row in table.Rows)
        {
            var idCell = table.Cell(row, TableSchema.CallId);
            var versionCell = table.Cell(row, TableSchema.FirstVersion);
            var nameCell = table.Cell(row, TableSchema.CallName);
            var name = nameCell.Text.Replace(" ", string.Empty);

            var valid = true;
            if (!CellValues.TryParseInteger(idCell.Text, out var id) || id > uint.MaxValue)
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, idCell.Span, idCell.Text, "call id", "write a number from 0 to 4294967295 (decimal or 0x hex)");
                valid = false;
            }

            if (!CellValues.TryParseInteger(versionCell.Text, out var version) || version > uint.MaxValue)
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, versionCell.Span, versionCell.Text, "first version", "write the protocol version that introduced the call, such as 1");
                valid = false;
            }

            if (name.Length == 0)
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, nameCell.Span, nameCell.Text, "call name", "write the call's name, such as SVSM_OCP_LIST");
                valid = false;
            }

            if (!valid)
            {
                continue;
            }

            var duplicateId = calls.Find(c => c.Id == id);
            if (duplicateId is not null)
            {
                diagnostics.Add(SpecDiagnostics.DuplicateCallId, idCell.Span, id, name, duplicateId.Name);
                continue;
            }

            if (calls.Exists(c => string.Equals(c.Name, name, System.StringComparison.OrdinalIgnoreCase)))
            {
                diagnostics.Add(SpecDiagnostics.DuplicateCallName, nameCell.Span, name);
                continue;
            }

            calls.Add(new CallEntry((uint)id, name, (uint)version, table.Cell(row, TableSchema.Function).Text, row.Span, versionCell));
        }
    }
}
