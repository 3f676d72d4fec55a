using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Recognising.Tables;

/// <summary>Reads the call table (<c>Call ID</c>, <c>First version supported</c>, <c>Name</c>, <c>Function</c>) into calls.</summary>
internal static class CallTableRecogniser
{
    public static void Read(TableRows table, RawCallTable calls, int position, DiagnosticBag diagnostics)
    {
        foreach (var row in table.Rows)
        {
            var idCell = table.Cell(row, TableSchema.CallId);
            var versionCell = table.Cell(row, TableSchema.FirstVersion);
            var nameCell = table.Cell(row, TableSchema.CallName);
            var name = nameCell.Text.Replace(" ", string.Empty);
            var what = name.Length > 0 ? "call '" + name + "'" : "the call of this row";

            var valid = true;
            if (!CellValues.TryParseInteger(idCell.Text, out var id) || id > uint.MaxValue)
            {
                diagnostics.NoteLeftOut(diagnostics.Add(SpecDiagnostics.MalformedCell, idCell.Span, idCell.Text, "call id", "write a number from 0 to 4294967295 (decimal or 0x hex)"), what);
                valid = false;
            }

            if (!CellValues.TryParseInteger(versionCell.Text, out var version) || version > uint.MaxValue)
            {
                diagnostics.NoteLeftOut(diagnostics.Add(SpecDiagnostics.MalformedCell, versionCell.Span, versionCell.Text, "first version", "write the protocol version that introduced the call, such as 1"), what);
                valid = false;
            }

            if (name.Length == 0)
            {
                diagnostics.NoteLeftOut(diagnostics.Add(SpecDiagnostics.MalformedCell, nameCell.Span, nameCell.Text, "call name", "write the call's name, such as SVSM_OCP_LIST"), what);
                valid = false;
            }

            if (valid)
            {
                calls.Calls.Add(new RawCall(
                    (uint)id, name, (uint)version, table.Cell(row, TableSchema.Function).Text, row.Span, idCell.Span, versionCell.Span, nameCell.Span, DeclarationStyle.Table, position));
            }
        }
    }
}
