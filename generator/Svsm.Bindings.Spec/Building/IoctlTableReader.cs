using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Building;

/// <summary>
/// Reads an ioctl table (<c>Name</c>, <c>Direction</c>, <c>Type</c>, <c>Number</c>, <c>Argument</c>, optional
/// <c>Description</c>) and computes each request code as Linux's <c>_IOC</c>: direction in bits 31:30, the argument's
/// size in 29:16, the type character in 15:8 and the number in 7:0.
/// </summary>
internal static class IoctlTableReader
{
    public static void Read(TableRows table, IReadOnlyDictionary<string, TypeShape> types, List<IoctlSpec> ioctls, DiagnosticBag diagnostics)
    {
        foreach (var row in table.Rows)
        {
            var nameCell = table.Cell(row, TableSchema.IoctlName);
            var directionCell = table.Cell(row, TableSchema.IoctlDirection);
            var typeCell = table.Cell(row, TableSchema.IoctlType);
            var numberCell = table.Cell(row, TableSchema.IoctlNumber);
            var argumentCell = table.Cell(row, TableSchema.IoctlArgument);
            if (!Regex.IsMatch(nameCell.Text, "^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant))
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, nameCell.Span, nameCell.Text, "ioctl name", "write a C identifier such as SNP_GET_REPORT");
                continue;
            }

            if (!TryDirection(directionCell.Text, out var direction))
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, directionCell.Span, directionCell.Text, "ioctl direction", "write _IO, _IOR, _IOW or _IOWR (or none, read, write, read/write)");
                continue;
            }

            if (!TryType(typeCell.Text, out var type))
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, typeCell.Span, typeCell.Text, "ioctl type", "write a character such as 'S' or a number below 256");
                continue;
            }

            if (!CellValues.TryParseInteger(numberCell.Text, out var nr) || nr > 0xFF)
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, numberCell.Span, numberCell.Text, "ioctl number", "write a number below 256 such as 0x0");
                continue;
            }

            var argument = Regex.Replace(argumentCell.Text, @"^(?:struct|union)\s+", string.Empty).Trim();
            var size = 0;
            if (argument.Length == 0 || argument == "-" || argument == "none")
            {
                argument = string.Empty;
            }
            else if (types.TryGetValue(TableSchema.Key(argument), out var shape))
            {
                size = shape.Size;
            }
            else
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, argumentCell.Span, argumentCell.Text, "ioctl argument", "name a struct declared by C type above the table, or leave it empty for _IO");
                continue;
            }

            if (size > 0x3FFF || (direction != IoctlDirection.None) != (size > 0))
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, argumentCell.Span, argumentCell.Text, "ioctl argument", "_IO takes no argument, the others one of at most 16383 bytes");
                continue;
            }

            var number = ((uint)direction << 30) | ((uint)size << 16) | ((uint)type << 8) | (uint)nr;
            ioctls.Add(new IoctlSpec(nameCell.Text, direction, type, (int)nr, argument.Length == 0 ? null : argument, size, number, table.Cell(row, TableSchema.OptionalDescription).Text, row.Span));
        }
    }

    private static bool TryDirection(string text, out IoctlDirection direction)
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
