using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;

namespace Svsm.Bindings.Spec.Recognising.Lists;

/// <summary>
/// Reads a call's parameters from a list, as COCONUT-SVSM's protocol documents write them:
/// <c>* RCX: buffer address (guest physical).  Must be page aligned.</c>. An item names a register and says what it
/// holds; its words give the direction ("(OUT)", "IN/OUT register" with "(IN)" and "(OUT)" sub-items), the
/// alignment ("Must be page aligned", "8-byte aligned") and the size ("u32", "low 32 bits", "(4 bytes)"; else 8
/// bytes, with an info). A list is a parameter list when one of its items names a register this way.
/// </summary>
internal static class ParameterListRecogniser
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    // "RCX: ...", "RCX (OUT): ...", "%rcx - ...": a register name first, then what it holds.
    private static readonly Regex Item = new(@"^\s*%?(?<register>[A-Za-z][A-Za-z0-9]{1,3})\s*(?<marker>\((?:in|out|in\s*/\s*out|inout)\))?\s*[:\u2013\u2014-]\s*(?<text>.*)$", Options);
    private static readonly Regex SubItem = new(@"^\s*\((?<direction>in|out|in\s*/\s*out|inout)\)\s*:?\s*(?<text>.*)$", Options);
    private static readonly Regex ParenthesizedDirection = new(@"\((?<direction>IN|OUT|IN\s*/\s*OUT|INOUT)(?:\s*,\s*also\s+on\s+error)?\)", Options);
    private static readonly Regex DirectionRegister = new(@"\b(?<direction>IN/OUT|INOUT|IN|OUT)\s+register\b", RegexOptions.CultureInvariant);
    private static readonly Regex PageAligned = new(@"\bpage[\s-]*aligned\b", Options);
    private static readonly Regex ByteAligned = new(@"\b(?<n>\d+)\s*(?<unit>k|kb|kib|m|mb|mib)?[\s-]*bytes?[\s-]+aligned\b|\baligned\s+(?:to|on)\s+(?:a\s+)?(?<n>\d+)\s*(?<unit>k|kb|kib|m|mb|mib)?[\s-]*bytes?\b|\b(?<n>\d+)\s*(?<unit>k|kb|kib|m|mb|mib)[\s-]*aligned\b", Options);
    private static readonly Regex TypeSize = new(@"\b[ui](?<bits>8|16|32|64)\b|\b(?:low|lower)\s+(?<bits>8|16|32)\s+bits\b|\b(?<bits>8|16|32|64)[\s-]*bits?\b|\((?<bytes>[1248])\s*bytes?\)", Options);

    /// <summary>The item's match when it names a general-purpose register (or a narrower name of one, which is then reported), else null.</summary>
    private static Match? RegisterItem(ListItemText item) =>
        item.Text.IndexOfAny(ItemSeparators) >= 0 && Item.Match(item.Text) is { Success: true } match && IsRegisterName(CellValues.NormalizeRegister(match.Groups["register"].Value))
            ? match
            : null;

    // The patterns below are tried only on text that holds what each needs (a separator, "align", a size's words,
    // "(in" or "(out", "register"): most items and descriptions hold none of them, and an interpreted pattern that
    // fails still walks the whole text.
    private static readonly char[] ItemSeparators = { ':', '-', '\u2013', '\u2014' };

    // What ParenthesizedDirection needs: "(IN" or "(OUT", in any case.
    private static bool MayMarkDirection(string text) =>
        text.IndexOf("(in", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("(out", StringComparison.OrdinalIgnoreCase) >= 0;

    // What TypeSize needs: "bit" or "byte", or a u or i before the digit of a width (u8, i16, u32, i64).
    private static bool MayStateSize(string text)
    {
        if (text.IndexOf("bit", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("byte", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return true;
        }

        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] is >= '0' and <= '9' && text[i - 1] is 'u' or 'U' or 'i' or 'I')
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsRegisterName(string name) => CellValues.IsGeneralPurposeRegister(name) || CellValues.WideNameOf(name) is not null;

    /// <summary>The list's registers; null when it is no parameter list.</summary>
    public static RawRegisterSet? Read(ListBlockText list, IReadOnlyList<RecognisedHeading> ancestors, int position, DiagnosticBag diagnostics)
    {
        // Each item is matched once: the matches decide whether this is a parameter list, then give its registers.
        var matches = new Match?[list.Items.Count];
        var any = false;
        for (var i = 0; i < matches.Length; i++)
        {
            matches[i] = RegisterItem(list.Items[i]);
            any |= matches[i] is not null;
        }

        if (!any)
        {
            return null;
        }

        var set = new RawRegisterSet(RegisterSetKind.ParameterList, ancestors, list.Span, position);
        for (var i = 0; i < matches.Length; i++)
        {
            var item = list.Items[i];
            if (matches[i] is not { } match)
            {
                continue;
            }

            var register = CellValues.NormalizeRegister(match.Groups["register"].Value);
            if (!CellValues.IsGeneralPurposeRegister(register))
            {
                set.Errors.Add(diagnostics.Add(SpecDiagnostics.NotAGeneralPurposeRegister, item.Span, match.Groups["register"].Value, $" (write {CellValues.WideNameOf(register)} for {register})"));
                continue;
            }

            var text = match.Groups["text"].Value.Trim();
            var direction = DirectionOf(match.Groups["marker"].Value + " " + text) ?? RegisterDirection.In;
            var subItems = item.Children.Select(c => (Item: c, Match: SubItem.Match(c.Text))).Where(c => c.Match.Success).ToList();
            if (subItems.Count > 0)
            {
                // "RCX: IN/OUT register" with "(IN) ..." and "(OUT) ..." below: one row per direction.
                foreach (var (child, sub) in subItems)
                {
                    var subDirection = DirectionOf("(" + sub.Groups["direction"].Value + ")") ?? RegisterDirection.In;
                    Add(set, register, subDirection, sub.Groups["text"].Value.Trim(), child.Span, diagnostics);
                }

                continue;
            }

            Add(set, register, direction, text, item.Span, diagnostics);
        }

        return set;
    }

    private static void Add(RawRegisterSet set, string register, RegisterDirection direction, string text, SpecSpan span, DiagnosticBag diagnostics)
    {
        var description = !MayMarkDirection(text) ? text : ParenthesizedDirection.Replace(text, string.Empty).Trim();
        var mentionsAlignment = text.IndexOf("align", StringComparison.OrdinalIgnoreCase) >= 0;
        int? alignment = null;
        var alignmentEnd = 0;
        if (mentionsAlignment && PageAligned.Match(text) is { Success: true } page)
        {
            alignment = 4096;
            alignmentEnd = page.Index + page.Length;
        }
        else if (mentionsAlignment && ByteAligned.Match(text) is { Success: true } aligned && long.TryParse(aligned.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
        {
            var scale = aligned.Groups["unit"].Value.ToLowerInvariant() switch
            {
                "k" or "kb" or "kib" => 1024L,
                "m" or "mb" or "mib" => 1024L * 1024,
                _ => 1L,
            };
            var value = bytes * scale;
            if (value <= 0 || value > int.MaxValue || (value & (value - 1)) != 0)
            {
                set.Errors.Add(diagnostics.Add(SpecDiagnostics.AlignmentNotPowerOfTwo, span, value, register));
                return;
            }

            alignment = (int)value;
            alignmentEnd = aligned.Index + aligned.Length;
        }

        var note = alignment is null ? null : NoteAfter(text, alignmentEnd, span);
        var returnedOnError = direction != RegisterDirection.In && text.IndexOf(CellValues.AlsoOnError, StringComparison.OrdinalIgnoreCase) >= 0;
        var size = 8;
        var assumed = true;
        if (MayStateSize(text) && TypeSize.Match(text) is { Success: true } stated)
        {
            size = stated.Groups["bytes"].Success
                ? int.Parse(stated.Groups["bytes"].Value, CultureInfo.InvariantCulture)
                : int.Parse(stated.Groups["bits"].Value, CultureInfo.InvariantCulture) / 8;
            assumed = false;
        }

        set.Registers.Add(new RawRegister(register, direction, size, alignment, null, description.Length > 0 ? description : register, span, span, span, SizeAssumed: assumed, Misaligned: note, ReturnedOnError: returnedOnError));
    }

    /// <summary>
    /// What the words after an alignment say a misaligned value gets, read as an Alignment cell's are
    /// (<see cref="CellValues.NoteOf"/>): "page aligned, else `SVSM_ERR_INVALID_ADDRESS`", "8-byte aligned (not checked)".
    /// The sentence ends at a full stop or semicolon; words may stand between the alignment and its "else" or "or".
    /// </summary>
    private static AlignmentNote? NoteAfter(string text, int start, SpecSpan span)
    {
        var end = text.IndexOfAny(SentenceEnds, start);
        var rest = text.Substring(start, (end < 0 ? text.Length : end) - start);
        var alternative = rest.IndexOf(" else ", StringComparison.Ordinal) is var e and >= 0 ? e : rest.IndexOf(" or ", StringComparison.Ordinal);
        var words = new string((alternative >= 0 ? rest.Substring(alternative) : rest).Where(c => "`(),".IndexOf(c) < 0).ToArray()).Trim();
        if (words.StartsWith("or ", StringComparison.Ordinal))
        {
            words = words.Substring(3);
        }

        return words.Length == 0 ? null : CellValues.NoteOf(words, span);
    }

    private static readonly char[] SentenceEnds = { '.', ';' };

    /// <summary>A direction written in words: "(OUT)", "(IN/OUT)", "OUT register"; null when the words give none.</summary>
    private static RegisterDirection? DirectionOf(string text)
    {
        var match = text.IndexOf('(') < 0 ? Match.Empty : ParenthesizedDirection.Match(text);
        var word = match.Success ? match.Groups["direction"].Value
            : text.IndexOf("register", StringComparison.Ordinal) >= 0 && DirectionRegister.Match(text) is { Success: true } named ? named.Groups["direction"].Value
            : null;
        if (word is null)
        {
            return null;
        }

        CellValues.TryParseDirection(word, out var direction);
        return direction;
    }
}
