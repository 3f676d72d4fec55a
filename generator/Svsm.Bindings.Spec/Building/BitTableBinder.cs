using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Svsm.Bindings.Spec.Common;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Recognising;

namespace Svsm.Bindings.Spec.Building;

/// <summary>
/// Names each bit table's bits and binds the table to what the paragraph (else the heading) before it names: first
/// a field of the nearest struct above it, then a register of the call it sits in, then a field of any other
/// struct. The binding is a reference: the field or register is typed by the table from then on.
/// </summary>
internal static class BitTableBinder
{
    public static BuiltBits Bind(RawBitTable table, IReadOnlyList<BuiltStruct> structs, BuiltCall? call, DiagnosticBag diagnostics)
    {
        var result = new BuiltBits(new BitFieldSpec(table.Heading, 0, null, table.Span, NameBits(table, out var errors, diagnostics)));
        result.Errors.AddRange(table.Errors);
        result.Errors.AddRange(errors);

        (BuiltField? Field, BuiltStruct? Owner, string? Register, int Size)? binding = null;
        foreach (var text in new[] { table.Context, table.Heading })
        {
            if (string.IsNullOrEmpty(text) || binding is not null)
            {
                continue;
            }

            foreach (var candidates in CandidateTiers(table, structs, call))
            {
                var best = candidates
                    .Select(c => (Candidate: c, At: c.Mentions.Select(m => MentionIndex(text!, m)).Where(at => at >= 0).DefaultIfEmpty(-1).Min()))
                    .Where(c => c.At >= 0)
                    .OrderBy(c => c.At)
                    .FirstOrDefault();
                if (best.Candidate is not null)
                {
                    binding = (best.Candidate.Field, best.Candidate.Owner, best.Candidate.Register, best.Candidate.Size);
                    break;
                }
            }
        }

        var bits = result.Spec.Bits;
        if (binding is not { } bound)
        {
            var highest = bits.Count == 0 ? 0 : bits.Max(b => b.High);
            var width = highest < 8 ? 8 : highest < 16 ? 16 : highest < 32 ? 32 : 64;
            var name = table.Heading.Length > 0 ? table.Heading : "Bits at line " + table.Span.Line.ToString(CultureInfo.InvariantCulture);
            diagnostics.Add(SpecDiagnostics.StandaloneBitTable, table.Span, name, width);
            result.Spec = result.Spec with { Name = name, Width = width };
            return result;
        }

        if (bound.Field is { } field)
        {
            result.Spec = result.Spec with
            {
                Name = bound.Owner!.Name + " " + field.Spec.Name,
                Width = bound.Size * 8,
                Binding = new BitFieldBinding(BindingKind.StructField, bound.Owner.Name, field.Spec.Name),
            };
            field.Bits ??= result;
        }
        else
        {
            result.Spec = result.Spec with
            {
                Name = call!.Spec.Name + " " + bound.Register,
                Width = bound.Size * 8,
                Binding = new BitFieldBinding(BindingKind.Register, call.Spec.Name, bound.Register!),
            };
            foreach (var register in call.Registers.Where(r => r.Spec.Register == bound.Register && r.Bits is null))
            {
                register.Bits = result;
            }
        }

        return result;
    }

    /// <summary>A bit table's rows named: a Reserved row is <c>Reserved</c>, a Name cell as written, else a name from the description.</summary>
    private static EquatableArray<BitSpec> NameBits(RawBitTable table, out List<int> errors, DiagnosticBag diagnostics)
    {
        errors = new List<int>();
        var names = new NameScope(ignoreCase: true);
        var explicitNames = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var bits = new List<BitSpec>();
        foreach (var raw in table.Bits)
        {
            string name;
            if (raw.Reserved)
            {
                name = "Reserved";
            }
            else if (raw.Name is { } written)
            {
                name = written;
                if (explicitNames.TryGetValue(name, out var line))
                {
                    errors.Add(diagnostics.Add(SpecDiagnostics.DuplicateName, raw.NameSpan, name, table.Heading, line));
                }

                explicitNames[name] = raw.Span.Line;
            }
            else
            {
                name = NameDeriver.IdentifierOf(raw.Description);
            }

            bits.Add(new BitSpec(raw.Low, raw.High, names.Unique(name), raw.Description, raw.Reserved, raw.Span));
        }

        return bits.ToEquatableArray();
    }

    private sealed record Candidate(BuiltField? Field, BuiltStruct? Owner, string? Register, int Size, IReadOnlyList<string> Mentions);

    private static IEnumerable<List<Candidate>> CandidateTiers(RawBitTable table, IReadOnlyList<BuiltStruct> structs, BuiltCall? call)
    {
        var nearest = structs.LastOrDefault(s => s.Position < table.Position);
        if (nearest is not null)
        {
            yield return FieldCandidates(nearest).ToList();
        }

        if (call is not null)
        {
            yield return call.Registers.Select(r => new Candidate(null, null, r.Spec.Register, r.Spec.Size, new[] { r.Spec.Register })).ToList();
        }

        yield return structs.Where(s => s != nearest)
            .OrderBy(s => Math.Abs(s.Position - table.Position))
            .SelectMany(FieldCandidates)
            .ToList();
    }

    // Only fields up to 8 bytes wide hold bit fields.
    private static IEnumerable<Candidate> FieldCandidates(BuiltStruct owner) =>
        owner.Fields
            .Where(f => !f.Spec.Reserved && f.Spec.Size <= 8)
            .Select(f => new Candidate(f, owner, null, f.Spec.Size, f.Mentions));

    /// <summary>
    /// Where <paramref name="phrase"/> (or its plural, with s or es) stands in <paramref name="text"/> as whole words,
    /// ignoring case, any run of white space matching a space; -1 if nowhere.
    /// </summary>
    internal static int MentionIndex(string text, string phrase)
    {
        var parts = phrase.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return -1;
        }

        for (var start = text.IndexOf(parts[0], StringComparison.OrdinalIgnoreCase); start >= 0; start = text.IndexOf(parts[0], start + 1, StringComparison.OrdinalIgnoreCase))
        {
            if (start > 0 && IsWordChar(text[start - 1]))
            {
                continue;
            }

            var end = start + parts[0].Length;
            var matched = true;
            for (var i = 1; i < parts.Length && matched; i++)
            {
                var gap = end;
                while (gap < text.Length && char.IsWhiteSpace(text[gap]))
                {
                    gap++;
                }

                matched = gap > end && string.Compare(text, gap, parts[i], 0, parts[i].Length, StringComparison.OrdinalIgnoreCase) == 0;
                end = gap + parts[i].Length;
            }

            if (matched && (Ends(text, end) || (Suffix(text, end, "s") && Ends(text, end + 1)) || (Suffix(text, end, "es") && Ends(text, end + 2))))
            {
                return start;
            }
        }

        return -1;
    }

    private static bool Suffix(string text, int at, string suffix) =>
        at + suffix.Length <= text.Length && string.Compare(text, at, suffix, 0, suffix.Length, StringComparison.OrdinalIgnoreCase) == 0;

    private static bool Ends(string text, int at) => at >= text.Length || !IsWordChar(text[at]);

    private static bool IsWordChar(char c) => c < 128 && (char.IsLetterOrDigit(c) || c == '_');
}
