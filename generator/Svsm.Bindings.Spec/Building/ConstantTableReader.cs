using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Building;

/// <summary>
/// Reads a constant table (<c>Name</c>, <c>Value</c>, optional <c>Description</c>). A table under a heading that
/// speaks of errors, results or return codes holds result codes, which are 32 bits wide as RAX returns them.
/// </summary>
internal static class ConstantTableReader
{
    private static readonly Regex FlagsHeading = new(@"\b(?:flags?|bits|capabilit(?:y|ies))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex Shift = new(@"^\(?\s*(?<k>0x[0-9a-f]+|\d+)[ul]*\s*<<\s*(?<n>\d+)\s*\)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex ResultHeading = new(@"\b(?:errors?|results?|return\s+(?:codes?|values?)|status\s+codes?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>Whether a value is written <c>(1 &lt;&lt; n)</c>, the way flags are.</summary>
    private static bool IsSingleBitShift(ConstantSpec constant) => Shift.Match(constant.Expression) is { Success: true } m && m.Groups["k"].Value == "1";

    /// <summary>Flags: a heading that says flags, bits or capabilities, or most values written <c>(1 &lt;&lt; n)</c>.</summary>
    private static bool IsFlags(string heading, List<ConstantSpec> constants, int singleBits) =>
        constants.Count > 0 && (FlagsHeading.IsMatch(heading) || singleBits * 2 > constants.Count);

    /// <summary>A flag that breaks its siblings' <c>(1 &lt;&lt; bit)</c> pattern (seed 002's <c>(2 &lt;&lt; 0)</c>) is probably a typo.</summary>
    private static void CheckFlagPattern(List<ConstantSpec> constants, int siblings, DiagnosticBag diagnostics)
    {
        if (siblings == 0)
        {
            return;
        }

        foreach (var constant in constants)
        {
            var single = CellValues.IsPowerOfTwo(constant.Value);
            if (!single || (Shift.IsMatch(constant.Expression) && !IsSingleBitShift(constant)))
            {
                var bit = single ? "bit " + Log2(constant.Value).ToString(System.Globalization.CultureInfo.InvariantCulture) : "not a single bit";
                diagnostics.Add(SpecDiagnostics.FlagBreaksPattern, constant.Span, constant.Name, constant.Expression, bit);
            }
        }
    }

    private static int Log2(ulong value)
    {
        var bit = 0;
        while ((value >>= 1) != 0)
        {
            bit++;
        }

        return bit;
    }

    /// <summary>Errors a syscall returns: -1 to -65535, what COCONUT-SVSM's <c>call.rs</c> reads as errors (above u64::MAX - 0xFFFF).</summary>
    public const ulong LowestSyscallError = ulong.MaxValue - 0xFFFE;

    public static ConstantTableSpec Read(TableRows table, string heading, Dictionary<string, ConstantSpec> definedSoFar, CallConvention convention, DiagnosticBag diagnostics)
    {
        var kind = ResultHeading.IsMatch(heading) ? ConstantTableKind.ResultCodes : ConstantTableKind.Constants;
        var name = heading.Length > 0 ? heading : "Constants at line " + table.Table.Span.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var constants = new List<ConstantSpec>();
        var byValue = new Dictionary<ulong, ConstantSpec>();
        foreach (var row in table.Rows)
        {
            var nameCell = table.Cell(row, TableSchema.ConstantName);
            var valueCell = table.Cell(row, TableSchema.Value);
            var description = table.Cell(row, TableSchema.OptionalDescription).Text;
            if (!Regex.IsMatch(nameCell.Text, "^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant))
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, nameCell.Span, nameCell.Text, "constant name", "write a C identifier such as SVSM_ERR_BUSY");
                continue;
            }

            var value = ConstantExpression.Evaluate(valueCell.Text, n => definedSoFar.TryGetValue(n, out var c) ? c.Value : null, out var error);
            if (value is null)
            {
                diagnostics.Add(SpecDiagnostics.MalformedCell, valueCell.Span, valueCell.Text, "constant value", error + "; write a C constant expression such as 0x80000005 or (1 << 8)");
                continue;
            }

            if (definedSoFar.TryGetValue(nameCell.Text, out var earlier))
            {
                diagnostics.Add(SpecDiagnostics.DuplicateName, nameCell.Span, nameCell.Text, "this spec's constants", earlier.Span.Line);
                continue;
            }

            if (kind == ConstantTableKind.ResultCodes && convention == CallConvention.CoconutSyscall)
            {
                if (value < LowestSyscallError)
                {
                    diagnostics.Add(SpecDiagnostics.SyscallErrorOutOfRange, valueCell.Span, nameCell.Text, valueCell.Text);
                    continue;
                }
            }
            else if (kind == ConstantTableKind.ResultCodes && value > uint.MaxValue)
            {
                diagnostics.Add(SpecDiagnostics.ResultCodeTooWide, valueCell.Span, nameCell.Text, value.Value);
                continue;
            }

            var constant = new ConstantSpec(nameCell.Text, value.Value, valueCell.Text, description, row.Span);
            if (kind == ConstantTableKind.ResultCodes)
            {
                if (byValue.TryGetValue(value.Value, out var same))
                {
                    diagnostics.Add(SpecDiagnostics.DuplicateResultCode, valueCell.Span, nameCell.Text, value.Value, same.Name, same.Span.Line);
                }
                else
                {
                    byValue[value.Value] = constant;
                }
            }

            definedSoFar[constant.Name] = constant;
            constants.Add(constant);
        }

        var singleBits = constants.Count(IsSingleBitShift);
        if (kind == ConstantTableKind.Constants && IsFlags(heading, constants, singleBits))
        {
            kind = ConstantTableKind.Flags;
            CheckFlagPattern(constants, singleBits, diagnostics);
        }

        return new ConstantTableSpec(name, kind, table.Table.Span, constants.ToEquatableArray());
    }
}
