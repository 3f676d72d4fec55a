using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Recognising.Tables;

/// <summary>
/// Reads a syscall's positional parameter table (<c>Parameter</c>, <c>Type</c>, <c>Description</c>), the form of
/// the COCONUT-SVSM syscall document: the n-th row is the n-th argument, passed in RDI, RSI, R8, R9, R10 in turn
/// (<c>syscall/src/call.rs</c>). A leading ordinal (<c>2. data</c>) is checked against the position, not obeyed.
/// </summary>
internal static class ParameterTableRecogniser
{
    public static readonly string[] ArgumentRegisters = { "RDI", "RSI", "R8", "R9", "R10" };

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    private static readonly Regex Ordinal = new(@"^\s*(?<n>\d+)\s*[.):]\s*(?<rest>.*)$", Options);
    // Pointers, addresses and the pointer-sized integers: 8 bytes. (Fixed-width integers are matched before this.)
    private static readonly Regex PointerSized = new(@"^(?:\*\s*(?:const|mut)\b.*|&.*|.*\*|(?:virt|phys)addr|usize|isize|size_t|ssize_t|off_t|uintptr_t|intptr_t)$", Options);
    private static readonly Regex FixedWidth = new(@"^(?:__)?(?<s>[us])(?<bits>8|16|32|64)$|^(?<s>u?)int(?<bits>8|16|32|64)_t$|^(?<s>[ui])(?<bits>8|16|32|64)$", Options);
    private static readonly Regex SignedPointerSized = new(@"^(?:isize|ssize_t|off_t|intptr_t)$", Options);

    public static void Read(TableRows table, string callName, RawRegisterSet set, DiagnosticBag diagnostics)
    {
        var position = 0;
        foreach (var row in table.Rows)
        {
            position++;
            var parameterCell = table.Cell(row, TableSchema.Parameter);
            var typeCell = table.Cell(row, TableSchema.ParameterType);
            var description = table.Cell(row, TableSchema.OptionalDescription).Text;
            if (position > ArgumentRegisters.Length)
            {
                if (position == ArgumentRegisters.Length + 1)
                {
                    set.Errors.Add(diagnostics.Add(SpecDiagnostics.TooManySyscallParameters, parameterCell.Span, callName, table.Rows.Count()));
                }

                continue;
            }

            var register = ArgumentRegisters[position - 1];
            var text = parameterCell.Text.Replace("`", string.Empty).Trim();
            if (Ordinal.Match(text) is { Success: true } ordinal)
            {
                text = ordinal.Groups["rest"].Value.Trim();
                if (int.TryParse(ordinal.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n != position)
                {
                    diagnostics.Add(SpecDiagnostics.ParameterOutOfPlace, parameterCell.Span, text, n, position, callName, register);
                }
            }

            if (text.Length == 0 || !text.Any(c => c < 128 && char.IsLetter(c)))
            {
                set.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, parameterCell.Span, parameterCell.Text, "parameter name", "write the parameter's name, such as '1. path'"));
                continue;
            }

            if (!TryReadType(typeCell.Text, out var size, out var kind))
            {
                set.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, typeCell.Span, typeCell.Text, "parameter type",
                    "write u8, u16, u32, u64, usize, i8 to i64, isize, bool, VirtAddr, PhysAddr, ObjHandle or a pointer type"));
                continue;
            }

            set.Registers.Add(new RawRegister(register, RegisterDirection.In, size, null, text, description.Length > 0 ? description : text, row.Span, typeCell.Span, parameterCell.Span, kind));
        }
    }

    /// <summary>The register bytes and value kind of a parameter type, in Rust or C spelling.</summary>
    public static bool TryReadType(string text, out int size, out RegisterValueKind kind)
    {
        var type = Common.Words.CollapseSpaces(text.Replace("`", string.Empty));
        kind = RegisterValueKind.Unsigned;
        size = 0;
        switch (type.ToLowerInvariant())
        {
            case "bool":
            case "_bool":
                kind = RegisterValueKind.Boolean;
                size = 1;
                return true;
            case "objhandle":
                size = 4;
                return true;
        }

        if (FixedWidth.Match(type) is { Success: true } integer)
        {
            size = int.Parse(integer.Groups["bits"].Value, CultureInfo.InvariantCulture) / 8;
            var sign = integer.Groups["s"].Value.ToLowerInvariant();
            kind = sign is "s" or "i" || (sign.Length == 0 && !type.StartsWith("u", System.StringComparison.OrdinalIgnoreCase)) ? RegisterValueKind.Signed : RegisterValueKind.Unsigned;
            return true;
        }

        if (PointerSized.IsMatch(type))
        {
            size = 8;
            kind = SignedPointerSized.IsMatch(type) ? RegisterValueKind.Signed : RegisterValueKind.Unsigned;
            return true;
        }

        return false;
    }
}
