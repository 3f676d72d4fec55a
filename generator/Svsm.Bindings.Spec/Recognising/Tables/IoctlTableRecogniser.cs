using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Recognising.Tables;

/// <summary>
/// Reads an ioctl table (<c>Name</c>, <c>Direction</c>, <c>Type</c>, <c>Number</c>, <c>Argument</c>, optional
/// <c>Description</c>). Building sizes the argument and computes the request code as Linux's <c>_IOC</c> does.
/// </summary>
internal static class IoctlTableRecogniser
{
    private static readonly Regex Tag = new(@"^(?:struct|union)\s+", RegexOptions.CultureInvariant);

    public static void Read(TableRows table, List<RawIoctl> ioctls, DiagnosticBag diagnostics)
    {
        foreach (var row in table.Rows)
        {
            var nameCell = table.Cell(row, TableSchema.IoctlName);
            var directionCell = table.Cell(row, TableSchema.IoctlDirection);
            var typeCell = table.Cell(row, TableSchema.IoctlType);
            var numberCell = table.Cell(row, TableSchema.IoctlNumber);
            var argumentCell = table.Cell(row, TableSchema.IoctlArgument);
            if (!Common.Words.IsIdentifier(nameCell.Text))
            {
                diagnostics.NoteLeftOut(diagnostics.Add(SpecDiagnostics.MalformedCell, nameCell.Span, nameCell.Text, "ioctl name", "write a C identifier such as SNP_GET_REPORT"), "the ioctl of this row");
                continue;
            }

            var what = "ioctl '" + nameCell.Text + "'";
            if (!TryDirection(directionCell.Text, out var direction))
            {
                diagnostics.NoteLeftOut(diagnostics.Add(SpecDiagnostics.MalformedCell, directionCell.Span, directionCell.Text, "ioctl direction", "write _IO, _IOR, _IOW or _IOWR (or none, read, write, read/write)"), what);
                continue;
            }

            if (!TryType(typeCell.Text, out var type))
            {
                diagnostics.NoteLeftOut(diagnostics.Add(SpecDiagnostics.MalformedCell, typeCell.Span, typeCell.Text, "ioctl type", "write a character such as 'S' or a number below 256"), what);
                continue;
            }

            if (!CellValues.TryParseInteger(numberCell.Text, out var nr) || nr > 0xFF)
            {
                diagnostics.NoteLeftOut(diagnostics.Add(SpecDiagnostics.MalformedCell, numberCell.Span, numberCell.Text, "ioctl number", "write a number below 256 such as 0x0"), what);
                continue;
            }

            var argument = Tag.Replace(argumentCell.Text, string.Empty).Trim();
            if (argument == "-" || argument == "none")
            {
                argument = string.Empty;
            }

            ioctls.Add(new RawIoctl(
                nameCell.Text, direction,
                new RawExpression(type.ToString(CultureInfo.InvariantCulture), typeCell.Span, DeclarationStyle.Table),
                new RawExpression(nr.ToString(CultureInfo.InvariantCulture), numberCell.Span, DeclarationStyle.Table),
                argument, argumentCell.Span, table.Cell(row, TableSchema.OptionalDescription).Text, row.Span));
        }
    }

    /// <summary>A direction as the ioctl macros name it, or in words.</summary>
    public static bool TryDirection(string text, out IoctlDirection direction)
    {
        switch (TableSchema.Key(text))
        {
            case "io": case "none": direction = IoctlDirection.None; return true;
            case "ior": case "read": direction = IoctlDirection.Read; return true;
            case "iow": case "write": direction = IoctlDirection.Write; return true;
            case "iowr": case "readwrite": case "rw": direction = IoctlDirection.ReadWrite; return true;
            default: direction = IoctlDirection.None; return false;
        }
    }

    private static bool TryType(string text, out int type)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 3 && trimmed[0] == '\'' && trimmed[2] == '\'' && trimmed[1] < 128)
        {
            type = trimmed[1];
            return true;
        }

        type = CellValues.TryParseInteger(trimmed, out var value) && value < 256 ? (int)value : -1;
        return type >= 0;
    }
}
