using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Recognising.Tables;

/// <summary>Reads a constant table (<c>Name</c>, <c>Value</c>, optional <c>Description</c>) into named expressions.</summary>
internal static class ConstantTableRecogniser
{
    private static readonly Regex Identifier = new("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);

    public static void Read(TableRows table, RawConstantGroup group, DiagnosticBag diagnostics)
    {
        foreach (var row in table.Rows)
        {
            var nameCell = table.Cell(row, TableSchema.ConstantName);
            var valueCell = table.Cell(row, TableSchema.Value);
            var description = table.Cell(row, TableSchema.OptionalDescription).Text;
            if (!Identifier.IsMatch(nameCell.Text))
            {
                diagnostics.NoteLeftOut(
                    diagnostics.Add(SpecDiagnostics.MalformedCell, nameCell.Span, nameCell.Text, "constant name", "write a C identifier such as SVSM_ERR_BUSY"),
                    "the constant of this row");
                continue;
            }

            group.Constants.Add(new RawConstant(nameCell.Text, new RawExpression(valueCell.Text, valueCell.Span, DeclarationStyle.Table), description, row.Span, nameCell.Span));
        }
    }
}
