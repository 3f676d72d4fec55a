using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Common;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;
using Svsm.Bindings.Spec.Recognising;

namespace Svsm.Bindings.Spec.Building;

/// <summary>
/// The building stage: from what the recognisers found to a model whose names are resolved (a call to its
/// registers, a field to its struct, enum and bit table, a flag set to its field) and whose values are evaluated.
/// </summary>
internal static class SpecBuilder
{
    private const RegexOptions Options = RegexOptions.CultureInvariant;

    private static readonly Regex ProtocolConstant = new(@"^SVSM_(?<segment>[A-Z0-9_]+?)_PROTOCOL$", Options);
    private static readonly Regex VersionConstant = new(@"^(?:SVSM_)?[A-Z0-9_]*PROTOCOL_VERSION(?:_MAX)?$", Options);

    public static BuiltSpec Build(RecognisedSpec spec, DiagnosticBag diagnostics)
    {
        var constants = new ConstantBuilder(spec, diagnostics);
        var consumed = new HashSet<string>(StringComparer.Ordinal);
        var identity = CodeIdentityOf(spec, constants, consumed, diagnostics);

        var callBuilder = new CallBuilder(spec, diagnostics);
        var calls = callBuilder.ReadCallTables();
        var declared = new Dictionary<BuiltCall, RecognisedHeading?>();
        foreach (var table in spec.CallTables.Where(t => t.Convention == callBuilder.Convention))
        {
            foreach (var raw in table.Calls.Where(c => c.Section is not null))
            {
                declared[calls.First(c => c.Spec.Name == raw.Name && c.Spec.Span == raw.Span)] = raw.Section;
            }
        }

        foreach (var (call, section) in CodeCalls(spec, constants, identity, consumed, callBuilder, diagnostics))
        {
            calls.Add(call);
            declared[call] = section;
        }

        callBuilder.JoinRegisters(calls, declared);

        var result = new BuiltSpec(ProtocolIdentity.Read(
            spec.Blocks, spec.FrontMatter, identity, calls.Select(c => c.Spec.Name).ToList(), calls.Count == 0 ? 0 : calls.Max(c => c.Spec.SinceVersion), callBuilder.Convention, diagnostics))
        {
            HasDefinitions = spec.Seen.Recognised > 0,
            Seen = spec.Seen,
            HasContent = spec.Blocks.Any(b => b is not FrontMatterBlock frontMatter || frontMatter.Lines.Count > 0),
        };
        result.Calls.AddRange(calls);
        result.ProposedCalls.AddRange(spec.ProposedCalls);

        var structs = new StructBuilder(spec, constants, diagnostics);
        result.Structs.AddRange(structs.BuildAll());
        result.ConstantTables.AddRange(constants.BuildAll(spec.ConstantGroups.Where(g => g.Kind != ConstantGroupKind.Enum || g.Constants.Count > 0).ToList(), consumed));
        BindFlagSets(spec, result);
        ResolveMisalignedCodes(result, diagnostics);

        foreach (var table in spec.BitTables)
        {
            result.BitFields.Add(BitTableBinder.Bind(table, result.Structs, CallOf(table, calls, callBuilder), diagnostics));
        }

        result.BitFields.AddRange(structs.Units);
        foreach (var raw in spec.Ioctls)
        {
            result.Ioctls.Add(BuildIoctl(raw, structs, constants, diagnostics));
        }

        return result;
    }

    /// <summary>
    /// Gives each aligned input the code a misaligned value gets: the one its Alignment cell names, looked up in the
    /// spec's result codes and then the generic ones, else SVSM_ERR_INVALID_PARAMETER; none when the cell says the
    /// SVSM does not check it. An unknown name is an error of its call.
    /// </summary>
    private static void ResolveMisalignedCodes(BuiltSpec result, DiagnosticBag diagnostics)
    {
        Dictionary<string, ulong>? own = null;
        foreach (var call in result.Calls)
        {
            foreach (var register in call.Registers)
            {
                if (register.Spec.Alignment is not > 1 || !register.Spec.IsInput || register.MisalignedNote is { NotChecked: true })
                {
                    continue;
                }

                var name = register.MisalignedNote?.Code ?? GenericResultCodes.InvalidParameter;
                own ??= result.ConstantTables.Where(t => t.Header.Kind == ConstantTableKind.ResultCodes)
                    .SelectMany(t => t.Constants).GroupBy(c => c.Spec.Name, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.First().Spec.Value, StringComparer.Ordinal);
                if (own.TryGetValue(name, out var value) || GenericResultCodes.TryGet(name, out value))
                {
                    register.Spec = register.Spec with { Misaligned = new ResultCodeReference(name, (uint)value) };
                }
                else
                {
                    call.Errors.Add(diagnostics.Add(SpecDiagnostics.UnknownResultCode, register.MisalignedNote!.Span, name, register.Spec.Register, call.Spec.Name));
                }
            }
        }
    }

    /// <summary>The call whose section the table stands in: the innermost of its headings that is a call's section.</summary>
    private static BuiltCall? CallOf(RawBitTable table, List<BuiltCall> calls, CallBuilder callBuilder)
    {
        for (var i = table.Ancestors.Count - 1; i >= 0; i--)
        {
            var call = calls.FirstOrDefault(c => callBuilder.Sections.TryGetValue(c, out var section) && section == table.Ancestors[i]);
            if (call is not null)
            {
                return call;
            }
        }

        return null;
    }

    /// <summary>The protocol's id and version as its code states them (<c>pub const SVSM_UEFI_MM_PROTOCOL: u32 = 4;</c>).</summary>
    private static CodeIdentity CodeIdentityOf(RecognisedSpec spec, ConstantBuilder constants, ISet<string> consumed, DiagnosticBag diagnostics)
    {
        uint? id = null;
        string? segment = null;
        var idSpan = SpecSpan.None;
        uint? version = null;
        var versionSpan = SpecSpan.None;
        foreach (var constant in CodeConstants(spec))
        {
            if (constant.Name.EndsWith("_PROTOCOL", StringComparison.Ordinal) && ProtocolConstant.Match(constant.Name) is { Success: true } protocol && constants.Constant(constant.Name, out _) is { } value && value <= uint.MaxValue)
            {
                consumed.Add(constant.Name);
                if (id is null)
                {
                    (id, segment, idSpan) = ((uint)value, protocol.Groups["segment"].Value, constant.Span);
                }
                else if (id != value)
                {
                    diagnostics.Add(SpecDiagnostics.ProtocolSentencesDisagree, constant.Span, "id", value, id, idSpan.Line);
                }
            }
        }

        // A version constant is the protocol's only where the code also names the protocol.
        foreach (var constant in id is null ? Enumerable.Empty<RawConstant>() : CodeConstants(spec))
        {
            if (constant.Name.IndexOf("PROTOCOL_VERSION", StringComparison.Ordinal) >= 0 && VersionConstant.IsMatch(constant.Name) && constants.Constant(constant.Name, out _) is { } stated && stated <= uint.MaxValue)
            {
                consumed.Add(constant.Name);
                if (version is null)
                {
                    (version, versionSpan) = ((uint)stated, constant.Span);
                }
            }
        }

        return new CodeIdentity(id, idSpan, segment, version, versionSpan);
    }

    private static IEnumerable<RawConstant> CodeConstants(RecognisedSpec spec) =>
        spec.ConstantGroups.Where(g => g.Style is DeclarationStyle.C or DeclarationStyle.Rust && g.Kind == ConstantGroupKind.Values).SelectMany(g => g.Constants);

    /// <summary>
    /// The calls a protocol's code declares: the <c>u32</c> constants that share the protocol constant's prefix
    /// (<c>SVSM_UEFI_MM_REQUEST</c> beside <c>SVSM_UEFI_MM_PROTOCOL</c>), each in the section its block stands in.
    /// </summary>
    private static IEnumerable<(BuiltCall Call, RecognisedHeading? Section)> CodeCalls(
        RecognisedSpec spec, ConstantBuilder constants, CodeIdentity identity, ISet<string> consumed, CallBuilder callBuilder, DiagnosticBag diagnostics)
    {
        if (identity.Segment is not { } segment)
        {
            yield break;
        }

        var prefix = "SVSM_" + segment + "_";
        var reported = false;
        foreach (var group in spec.ConstantGroups.Where(g => g.Style is DeclarationStyle.C or DeclarationStyle.Rust && g.Kind == ConstantGroupKind.Values))
        {
            foreach (var constant in group.Constants)
            {
                if (consumed.Contains(constant.Name) || !constant.Name.StartsWith(prefix, StringComparison.Ordinal) || constant.Name.Length == prefix.Length ||
                    constant.Name.IndexOf("VERSION", StringComparison.Ordinal) >= 0 || constant.Type is not (null or "u32"))
                {
                    continue;
                }

                if (constants.Constant(constant.Name, out _) is not { } id || id > uint.MaxValue)
                {
                    continue;
                }

                consumed.Add(constant.Name);
                if (callBuilder.Convention != CallConvention.SvsmCall)
                {
                    if (!reported)
                    {
                        diagnostics.Add(SpecDiagnostics.MixedConventions, constant.Span, "call constant", "SVSM protocol calls", "the COCONUT-SVSM syscall ABI", spec.CallTables.Select(t => t.Span.Line).DefaultIfEmpty(1).First());
                        reported = true;
                    }

                    continue;
                }

                var section = group.Ancestors.Count > 0 ? group.Ancestors[group.Ancestors.Count - 1] : null;
                var function = constant.Description.Length > 0 ? constant.Description : FunctionOf(spec, group, section);
                var call = new BuiltCall(
                    new CallSpec((uint)id, constant.Name, 1, function, constant.Span, EquatableArray<RegisterSpec>.Empty), constant.Value?.Span ?? constant.Span, constant.Span, constant.NameSpan);
                yield return (call, section);
            }
        }
    }

    /// <summary>What a call declared in code does: the first sentence of its section after the declaration that introduces nothing (ends in no colon).</summary>
    private static string FunctionOf(RecognisedSpec spec, RawConstantGroup group, RecognisedHeading? section)
    {
        for (var i = group.Position + 1; i < spec.Blocks.Count && spec.Blocks[i] is not HeadingBlockText; i++)
        {
            if (spec.Blocks[i] is ProseBlock { InList: false } prose && !prose.Text.TrimEnd().EndsWith(":", StringComparison.Ordinal))
            {
                return prose.Text;
            }
        }

        return section?.Text ?? string.Empty;
    }

    /// <summary>A set of flags whose group comment names a field (<c>// --- 'flags' field bits ---</c>) is named as that field's bit table would be.</summary>
    private static void BindFlagSets(RecognisedSpec spec, BuiltSpec result)
    {
        var groups = spec.ConstantGroups.Where(g => g.BoundField is not null).ToList();
        foreach (var table in result.ConstantTables)
        {
            var group = groups.FirstOrDefault(g => g.Name == table.Header.Name && g.Span == table.Header.Span);
            if (group is null)
            {
                continue;
            }

            var owners = result.Structs.Where(s => s.Position <= group.Position).Reverse().Concat(result.Structs.Where(s => s.Position > group.Position));
            foreach (var owner in owners)
            {
                var field = owner.Fields.FirstOrDefault(f => string.Equals(f.Spec.SourceName, group.BoundField, StringComparison.Ordinal));
                if (field is not null)
                {
                    table.Header = table.Header with { Name = owner.Name + " " + field.Spec.Name, BoundTo = owner.Name + "." + (field.Spec.SourceName ?? field.Spec.Name) };
                    break;
                }
            }
        }
    }

    private static BuiltIoctl BuildIoctl(RawIoctl raw, StructBuilder structs, ConstantBuilder constants, DiagnosticBag diagnostics)
    {
        var errors = new List<int>();
        var type = Evaluate(raw.Type, "type", constants, errors, diagnostics);
        var nr = Evaluate(raw.Number, "number", constants, errors, diagnostics);
        var size = 0;
        if (raw.Argument.Length > 0)
        {
            var words = raw.Argument.Split(' ');
            var resolved = structs.Types.Resolve(words.Length > 1 && words[0] is "struct" or "union" ? string.Join(" ", words.Skip(1)) : raw.Argument, null, pointer: raw.Argument.EndsWith("*", StringComparison.Ordinal));
            if (resolved is null)
            {
                errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, raw.ArgumentSpan, raw.Argument, "ioctl argument", "name a struct declared by C type above the table, or leave it empty for _IO"));
            }
            else
            {
                size = resolved.Shape.Size;
            }
        }

        if (errors.Count == 0 && (size > 0x3FFF || (raw.Direction != IoctlDirection.None) != (size > 0)))
        {
            errors.Add(diagnostics.Add(SpecDiagnostics.MalformedCell, raw.ArgumentSpan, raw.Argument, "ioctl argument", "_IO takes no argument, the others one of at most 16383 bytes"));
        }

        var number = ((uint)raw.Direction << 30) | ((uint)size << 16) | ((uint)(type & 0xFF) << 8) | (uint)(nr & 0xFF);
        var ioctl = new BuiltIoctl(new IoctlSpec(raw.Name, raw.Direction, (int)(type & 0xFF), (int)(nr & 0xFF), raw.Argument.Length == 0 ? null : raw.Argument, size, number, raw.Description, raw.Span));
        ioctl.Errors.AddRange(errors);
        return ioctl;
    }

    private static ulong Evaluate(RawExpression expression, string what, ConstantBuilder constants, List<int> errors, DiagnosticBag diagnostics)
    {
        var value = ConstantExpression.Evaluate(expression, constants, out var why);
        if (value is null || value > 0xFF)
        {
            errors.Add(diagnostics.Add(SpecDiagnostics.MalformedDeclaration, expression.Span, "ioctl", "its " + what + " '" + expression.Text + "' " + (value is null ? "cannot be evaluated: " + why : "is not below 256")));
            return 0;
        }

        return value.Value;
    }
}
