using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;
using Svsm.Bindings.Spec.Recognising;

namespace Svsm.Bindings.Spec.Building;

/// <summary>What a spec's code says of its protocol: <c>pub const SVSM_UEFI_MM_PROTOCOL: u32 = 4;</c> and a version constant.</summary>
/// <param name="Segment">The words between <c>SVSM_</c> and <c>_PROTOCOL</c> (<c>UEFI_MM</c>): the prefix of the calls' names.</param>
internal sealed record CodeIdentity(uint? Id, SpecSpan IdSpan, string? Segment, uint? Version, SpecSpan VersionSpan);

/// <summary>
/// Finds the protocol's id, version and name: front matter first, then the constants of its code, then the
/// draft's own sentences. A protocol that states no version is version 1 (or its calls' highest first version).
/// </summary>
internal static class ProtocolIdentity
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    private const string Number = @"(0x[0-9a-f]+|\d+)\b";
    private static readonly Regex DraftMarker = new(@"\[?\s*\bdraft\b\s*\]?\s*:?", Options);
    private static readonly Regex CallSegment = new(@"^SVSM_([A-Za-z0-9]+)_", Options);

    // "uses protocol ID value 5", "protocol ID 5", "has the protocol ID of 0x5", "protocol identifier: 5", "is protocol 5".
    private static readonly Regex[] IdSentences =
    {
        new(@"\bprotocol[\s-]+(?:id|identifier|number)\b(?:\s+(?:value|number|of|is|equals|equal\s+to|set\s+to))*\s*[:=]?\s*" + Number, Options),
        new(@"\bis\s+(?:the\s+)?(?:svsm\s+)?protocol\s+" + Number + @"(?!\.\d)", Options),
    };

    // "The current version of the OCP is 2" names the version outright.
    private static readonly Regex CurrentVersionSentence =
        new(@"\b(?:current|latest)\s+version\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,4}?is\s+(?:version\s+)?(\d+)\b", Options);

    // "The initial version of the OCP is 1", "version 2 of the protocol", "protocol version 2": the highest one counts.
    private static readonly Regex[] VersionSentences =
    {
        new(@"\b(?:initial|first)\s+version\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,4}?is\s+(?:version\s+)?(\d+)\b", Options),
        new(@"\bversion\s+(\d+)\s+of\s+(?:the|this)\s+", Options),
        new(@"\bprotocol\s+version\s+(?:is\s+)?(\d+)\b", Options),
    };

    public static ProtocolInfo Read(
        IReadOnlyList<MarkdownBlock> blocks,
        FrontMatter frontMatter,
        CodeIdentity code,
        IReadOnlyList<string> callNames,
        uint highestSinceVersion,
        CallConvention convention,
        DiagnosticBag diagnostics)
    {
        // Only paragraphs that say "protocol" or "version" can state either: the sentences' patterns skip the rest.
        var prose = blocks.OfType<ProseBlock>()
            .Where(b => b.Text.IndexOf("protocol", StringComparison.OrdinalIgnoreCase) >= 0 || b.Text.IndexOf("version", StringComparison.OrdinalIgnoreCase) >= 0)
            .ToList();
        var id = frontMatter.ProtocolId ?? code.Id ?? FindId(prose, diagnostics, null);
        if (frontMatter.ProtocolId is null && code.Id is { } codeId)
        {
            // The prose may state the id too; a different one is reported, the code's is used.
            FindId(prose, diagnostics, (codeId, code.IdSpan));
        }

        var version = frontMatter.Version ?? code.Version ?? FindVersion(prose);

        // A syscall's class takes the place of the protocol id, and the ABI has no version to negotiate.
        if (callNames.Count > 0 && convention == CallConvention.SvsmCall)
        {
            var at = blocks.FirstOrDefault(b => b is HeadingBlockText)?.Span ?? SpecSpan.None;
            if (id is null)
            {
                diagnostics.Add(SpecDiagnostics.ProtocolIdNotFound, at, callNames.Count);
            }

            if (version is null)
            {
                version = Math.Max(1, highestSinceVersion);
                diagnostics.Add(SpecDiagnostics.ProtocolVersionNotFound, at, version);
            }
        }

        var prefix = frontMatter.Prefix ?? (code.Segment is { } segment ? Pascal(segment) : DerivePrefix(callNames));
        return new ProtocolInfo(
            frontMatter.Name ?? FindName(blocks),
            id,
            version,
            prefix,
            frontMatter.Namespace,
            frontMatter.ResultType,
            convention,
            code.Segment is { } calls ? "SVSM_" + calls + "_" : null);
    }

    /// <summary><c>UEFI_MM</c> as <c>UefiMm</c>.</summary>
    private static string Pascal(string segment) =>
        string.Concat(segment.Split('_').Where(w => w.Length > 0).Select(w => char.ToUpperInvariant(w[0]) + w.Substring(1).ToLowerInvariant()));

    private static uint? FindId(List<ProseBlock> prose, DiagnosticBag diagnostics, (uint Value, SpecSpan Span)? first)
    {
        foreach (var block in prose)
        {
            if (block.Text.IndexOf("protocol", StringComparison.OrdinalIgnoreCase) < 0)
            {
                continue;
            }

            foreach (var regex in IdSentences)
            {
                foreach (Match match in regex.Matches(block.Text))
                {
                    if (!CellValues.TryParseInteger(match.Groups[1].Value, out var value) || value > uint.MaxValue)
                    {
                        continue;
                    }

                    if (first is null)
                    {
                        first = ((uint)value, block.Span);
                    }
                    else if (first.Value.Value != value)
                    {
                        diagnostics.Add(SpecDiagnostics.ProtocolSentencesDisagree, block.Span, "id", value, first.Value.Value, first.Value.Span.Line);
                    }
                }
            }
        }

        return first?.Value;
    }

    private static uint? FindVersion(List<ProseBlock> prose)
    {
        // Every version sentence says "version": the patterns need not scan the paragraphs that only say "protocol".
        prose = prose.Where(b => b.Text.IndexOf("version", StringComparison.OrdinalIgnoreCase) >= 0).ToList();
        foreach (var block in prose)
        {
            var current = CurrentVersionSentence.Match(block.Text);
            if (current.Success && uint.TryParse(current.Groups[1].Value, out var stated))
            {
                return stated;
            }
        }

        uint? highest = null;
        foreach (var block in prose)
        {
            foreach (var regex in VersionSentences)
            {
                foreach (Match match in regex.Matches(block.Text))
                {
                    if (uint.TryParse(match.Groups[1].Value, out var value) && (highest is null || value > highest))
                    {
                        highest = value;
                    }
                }
            }
        }

        return highest;
    }

    private static string? FindName(IReadOnlyList<MarkdownBlock> blocks)
    {
        var headings = blocks.OfType<HeadingBlockText>().ToList();
        var title = headings.FirstOrDefault(h => h.Level == 1) ?? headings.FirstOrDefault();
        if (title is null)
        {
            return null;
        }

        var name = title.Text.IndexOf("draft", StringComparison.OrdinalIgnoreCase) < 0 ? title.Text.Trim() : DraftMarker.Replace(title.Text, string.Empty).Trim();
        return name.Length == 0 ? null : name;
    }

    /// <summary>The segment after <c>SVSM_</c> that every call name shares, in PascalCase (<c>SVSM_OCP_LIST</c> gives <c>Ocp</c>).</summary>
    private static string? DerivePrefix(IReadOnlyList<string> callNames)
    {
        string? shared = null;
        foreach (var name in callNames)
        {
            var match = CallSegment.Match(name);
            if (!match.Success)
            {
                return null;
            }

            var segment = match.Groups[1].Value;
            if (shared is null)
            {
                shared = segment;
            }
            else if (!string.Equals(shared, segment, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        return shared is null ? null : char.ToUpperInvariant(shared[0]) + shared.Substring(1).ToLowerInvariant();
    }
}
