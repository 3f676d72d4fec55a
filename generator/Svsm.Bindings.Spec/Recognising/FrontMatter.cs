using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Common;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;

namespace Svsm.Bindings.Spec.Recognising;

/// <summary>
/// The YAML front matter keys the reader uses: <c>protocol-id</c>, <c>version</c>, <c>name</c>, <c>prefix</c>,
/// <c>namespace</c>, <c>result-type</c>, <c>convention</c>, <c>sizes</c> (a map of struct name to size) and
/// <c>version-fields</c> (a map of struct name to the field that holds its version). Other keys are ignored.
/// </summary>
internal sealed class FrontMatter
{
    private static readonly Regex Identifier = new(@"^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);
    private static readonly Regex DottedIdentifier = new(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$", RegexOptions.CultureInvariant);

    private readonly Dictionary<string, (int Size, SpecSpan Span)> sizes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Field, SpecSpan Span)> versionFields = new(StringComparer.Ordinal);

    public uint? ProtocolId { get; private set; }

    public uint? Version { get; private set; }

    public string? Name { get; private set; }

    public string? Prefix { get; private set; }

    public string? Namespace { get; private set; }

    public string? ResultType { get; private set; }

    /// <summary><c>convention: coconut-syscall</c> (or <c>svsm-call</c>, the default).</summary>
    public CallConvention? Convention { get; private set; }

    public static FrontMatter Read(IReadOnlyList<MarkdownBlock> blocks, DiagnosticBag diagnostics)
    {
        var result = new FrontMatter();
        foreach (var block in blocks)
        {
            if (block is FrontMatterBlock frontMatter)
            {
                result.ReadLines(frontMatter.Lines, diagnostics);
                break;
            }
        }

        return result;
    }

    /// <summary>The size front matter gives a struct, if any.</summary>
    public (int Size, SpecSpan Span)? SizeOf(string structName) =>
        sizes.TryGetValue(Words.Key(structName), out var entry) ? entry : null;

    /// <summary>The field front matter names as the struct's version field, if any.</summary>
    public (string Field, SpecSpan Span)? VersionFieldOf(string structName) =>
        versionFields.TryGetValue(Words.Key(structName), out var entry) ? entry : null;

    private void ReadLines(IReadOnlyList<FrontMatterLine> lines, DiagnosticBag diagnostics)
    {
        string? parent = null;
        foreach (var line in lines)
        {
            if (line.Indent == 0)
            {
                parent = line.Value.Length == 0 ? Words.Key(line.Key) : null;
                ReadTopLevel(line, diagnostics);
            }
            else if (parent == "sizes")
            {
                if (CellValues.TryParseSize(line.Value, out var size) && size > 0)
                {
                    sizes[Words.Key(line.Key)] = (size, line.Span);
                }
                else
                {
                    diagnostics.Add(SpecDiagnostics.BadFrontMatter, line.Span, line.Key, line.Value, "a struct size is a positive number of bytes");
                }
            }
            else if (parent == "versionfields")
            {
                if (line.Value.Length > 0)
                {
                    versionFields[Words.Key(line.Key)] = (line.Value.Trim('`'), line.Span);
                }
                else
                {
                    diagnostics.Add(SpecDiagnostics.BadFrontMatter, line.Span, line.Key, line.Value, "name the field that holds the struct's version, such as version");
                }
            }
        }
    }

    private void ReadTopLevel(FrontMatterLine line, DiagnosticBag diagnostics)
    {
        switch (Words.Key(line.Key))
        {
            case "protocolid":
            case "protocol":
                ProtocolId = ReadNumber(line, diagnostics, "the protocol id is a number such as 5 or 0x5");
                break;
            case "version":
            case "protocolversion":
                Version = ReadNumber(line, diagnostics, "the version is a number such as 1");
                break;
            case "name":
                Name = line.Value.Length == 0 ? null : line.Value;
                break;
            case "prefix":
                Prefix = ReadIdentifier(line, diagnostics, Identifier, "a prefix is a C# identifier such as Ocp");
                break;
            case "namespace":
                Namespace = ReadIdentifier(line, diagnostics, DottedIdentifier, "a namespace is dotted C# identifiers such as Contoso.Svsm");
                break;
            case "convention":
            case "callingconvention":
                Convention = Words.Key(line.Value) switch
                {
                    "svsmcall" or "svsm" => CallConvention.SvsmCall,
                    "coconutsyscall" or "syscall" or "coconutsvsmsyscall" => CallConvention.CoconutSyscall,
                    _ => ReportConvention(line, diagnostics),
                };
                break;
            case "resulttype":
                ResultType = ReadIdentifier(line, diagnostics, Identifier, "a result type is the name of a partial struct in the spec's namespace, such as SvsmResult");
                break;
        }
    }

    private static CallConvention? ReportConvention(FrontMatterLine line, DiagnosticBag diagnostics)
    {
        diagnostics.Add(SpecDiagnostics.BadFrontMatter, line.Span, line.Key, line.Value, "the convention is svsm-call or coconut-syscall");
        return null;
    }

    private static uint? ReadNumber(FrontMatterLine line, DiagnosticBag diagnostics, string rule)
    {
        if (CellValues.TryParseInteger(line.Value, out var value) && value <= uint.MaxValue)
        {
            return (uint)value;
        }

        diagnostics.Add(SpecDiagnostics.BadFrontMatter, line.Span, line.Key, line.Value, rule);
        return null;
    }

    private static string? ReadIdentifier(FrontMatterLine line, DiagnosticBag diagnostics, Regex pattern, string rule)
    {
        if (pattern.IsMatch(line.Value))
        {
            return line.Value;
        }

        diagnostics.Add(SpecDiagnostics.BadFrontMatter, line.Span, line.Key, line.Value, rule);
        return null;
    }
}
