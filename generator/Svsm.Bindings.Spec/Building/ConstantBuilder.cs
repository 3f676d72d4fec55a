using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Common;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Recognising;

namespace Svsm.Bindings.Spec.Building;

/// <summary>
/// Evaluates the spec's constants, wherever they stand: a constant may use any other of the spec (Rust and C
/// headers name constants defined further down), and one defined in terms of itself is an error. Builds constant
/// tables, sets of defines and enums, and decides which are result codes and which are flags.
/// </summary>
internal sealed class ConstantBuilder : IExpressionScope
{
    private static readonly Regex ResultHeading = new(@"\b(?:errors?|results?|return\s+(?:codes?|values?)|status\s+codes?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private readonly Dictionary<string, (RawConstant Constant, RawConstantGroup Group)> byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong?> values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> failures = new(StringComparer.Ordinal);
    private readonly HashSet<string> evaluating = new(StringComparer.Ordinal);
    private readonly Dictionary<RawConstantGroup, BuiltConstants> enums = new();
    private readonly Dictionary<string, RawConstantGroup> enumsByKey = new(StringComparer.Ordinal);
    private readonly DiagnosticBag diagnostics;

    /// <summary>How many constants one may be defined through, each by the next; far more than any real header chains.</summary>
    public const int MaxDepth = 200;

    public ConstantBuilder(RecognisedSpec spec, DiagnosticBag diagnostics)
    {
        this.diagnostics = diagnostics;
        foreach (var group in spec.ConstantGroups)
        {
            foreach (var constant in group.Constants)
            {
                if (!byName.ContainsKey(constant.Name))
                {
                    byName[constant.Name] = (constant, group);
                }
            }

            if (group.Kind == ConstantGroupKind.Enum && !enumsByKey.ContainsKey(Words.Key(group.Name)))
            {
                enumsByKey[Words.Key(group.Name)] = group;
            }
        }
    }

    /// <summary>How sizes of types are found for <c>sizeof</c>; set once the structs can be built.</summary>
    public Func<string, int?> SizeOfType { get; set; } = _ => null;

    public ulong? Constant(string name, out string why)
    {
        why = string.Empty;
        if (values.TryGetValue(name, out var known))
        {
            why = known is null ? failures[name] : string.Empty;
            return known;
        }

        if (!byName.TryGetValue(name, out var entry))
        {
            why = "'" + name + "' is not a constant of this spec";
            return null;
        }

        if (!evaluating.Add(name))
        {
            why = "'" + name + "' is defined in terms of itself";
            return null;
        }

        if (evaluating.Count > MaxDepth)
        {
            // A chain of constants each defined by the next is evaluated by recursion: bounded, so no spec exhausts the stack.
            evaluating.Remove(name);
            why = "'" + name + "' is defined through more than " + MaxDepth.ToString(System.Globalization.CultureInfo.InvariantCulture) + " other constants";
            return null;
        }

        try
        {
            var value = ValueOf(entry.Constant, entry.Group, out var error);
            values[name] = value;
            if (value is null)
            {
                failures[name] = why = error;
            }

            return value;
        }
        finally
        {
            evaluating.Remove(name);
        }
    }

    public int? SizeOf(string type) => SizeOfType(type);

    /// <summary>The value of a raw constant; an enumerator without one is the one before it plus one.</summary>
    private ulong? ValueOf(RawConstant constant, RawConstantGroup group, out string error)
    {
        error = string.Empty;
        if (constant.Value is { } expression)
        {
            return ConstantExpression.Evaluate(expression, this, out error);
        }

        var index = group.Constants.IndexOf(constant);
        if (index <= 0)
        {
            return 0;
        }

        var previous = group.Constants[index - 1];
        if (Constant(previous.Name, out var why) is { } before)
        {
            return unchecked(before + 1);
        }

        error = why;
        return null;
    }

    /// <summary>An enum by name or tag (compared without case or underscores), built on first use.</summary>
    public BuiltConstants? EnumNamed(string key) =>
        enumsByKey.TryGetValue(key, out var group) ? EnumOf(group) : null;

    private BuiltConstants EnumOf(RawConstantGroup group)
    {
        if (!enums.TryGetValue(group, out var built))
        {
            enums[group] = built = Build(group);
        }

        return built;
    }

    /// <summary>Every group as a table, in order; <paramref name="consumed"/> are constants that are the protocol's identity or its calls.</summary>
    public List<BuiltConstants> BuildAll(IReadOnlyList<RawConstantGroup> groups, ISet<string> consumed)
    {
        var result = new List<BuiltConstants>();
        foreach (var group in groups)
        {
            var built = group.Kind == ConstantGroupKind.Enum ? EnumOf(group) : Build(group, consumed);
            if (built.Constants.Count > 0 || built.Errors.Count > 0)
            {
                result.Add(built);
            }
        }

        return result;
    }

    private BuiltConstants Build(RawConstantGroup group, ISet<string>? consumed = null)
    {
        var table = new BuiltConstants(new ConstantTableSpec(group.Name, ConstantTableKind.Constants, group.Span, EquatableArray<ConstantSpec>.Empty, Description: group.Description));
        foreach (var raw in group.Constants)
        {
            if (consumed is not null && consumed.Contains(raw.Name))
            {
                continue;
            }

            var value = ReferenceEquals(byName[raw.Name].Constant, raw) ? Constant(raw.Name, out var error) : ValueOf(raw, group, out error);
            var expression = raw.Value?.Text ?? string.Empty;
            var built = new BuiltConstant(new ConstantSpec(raw.Name, value ?? 0, expression, raw.Description, raw.Span), raw.NameSpan, raw.Value?.Span ?? raw.NameSpan);
            if (value is null)
            {
                built.Errors.Add(group.Style is DeclarationStyle.Table
                    ? diagnostics.Add(SpecDiagnostics.MalformedCell, raw.Value!.Span, expression, "constant value", error + "; write a C constant expression such as 0x80000005 or (1 << 8)")
                    : diagnostics.Add(SpecDiagnostics.DeclarationNotRead, raw.NameSpan, "Constant '" + raw.Name + "'", "its value cannot be evaluated: " + error));
            }

            table.Constants.Add(built);
        }

        var constants = table.Constants.Where(c => c.Errors.Count == 0).Select(c => c.Spec).ToList();
        ConstantTableKind kind;
        var size = 0;
        var signed = false;
        if (group.Kind == ConstantGroupKind.Enum)
        {
            kind = ConstantTableKind.Enum;
            signed = constants.Any(c => (long)c.Value < 0);
            size = group.EnumSize ?? (group.EnumSizeUnknown ? 0 : CEnumSize(constants, signed));
        }
        else if (ResultHeading.IsMatch(group.Name))
        {
            kind = ConstantTableKind.ResultCodes;
        }
        else
        {
            kind = ConstantRules.IsFlags(group.Name, constants) ? ConstantTableKind.Flags : ConstantTableKind.Constants;
        }

        table.Header = table.Header with { Kind = kind, Size = size, Signed = signed };
        return table;
    }

    /// <summary>gcc makes an enum an int (4 bytes) unless a value needs 64 bits.</summary>
    private static int CEnumSize(List<ConstantSpec> constants, bool signed) =>
        constants.Any(c => signed ? (long)c.Value < int.MinValue || (long)c.Value > int.MaxValue : c.Value > uint.MaxValue) ? 8 : 4;
}

/// <summary>What makes named values result codes or flags, shared by building and validation.</summary>
internal static class ConstantRules
{
    private static readonly Regex FlagsHeading = new(@"\b(?:flags?|bits|capabilit(?:y|ies))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex Shift = new(@"^\(?\s*(?<k>0x[0-9a-f]+|\d+)[ul]*\s*<<\s*(?<n>\d+)\s*\)?$|^(?:BIT|BIT_ULL)\s*\(\s*\d+\s*\)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>Errors a syscall returns: -1 to -65535, what COCONUT-SVSM's <c>call.rs</c> reads as errors (above u64::MAX - 0xFFFF).</summary>
    public const ulong LowestSyscallError = ulong.MaxValue - 0xFFFE;

    /// <summary>Whether a value is written <c>(1 &lt;&lt; n)</c> or <c>BIT(n)</c>, the way flags are.</summary>
    public static bool IsSingleBitShift(ConstantSpec constant) =>
        Shift.Match(constant.Expression) is { Success: true } m && (!m.Groups["k"].Success || m.Groups["k"].Value == "1");

    public static bool IsShift(ConstantSpec constant) => Shift.IsMatch(constant.Expression);

    /// <summary>Flags: a name that says flags, bits or capabilities, or most values written <c>(1 &lt;&lt; n)</c>.</summary>
    public static bool IsFlags(string name, IReadOnlyCollection<ConstantSpec> constants) =>
        constants.Count > 0 && (FlagsHeading.IsMatch(name) || constants.Count(IsSingleBitShift) * 2 > constants.Count);
}
