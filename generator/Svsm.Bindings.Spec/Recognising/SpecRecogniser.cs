using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;
using Svsm.Bindings.Spec.Recognising.Code;
using Svsm.Bindings.Spec.Recognising.Lists;
using Svsm.Bindings.Spec.Recognising.Tables;

namespace Svsm.Bindings.Spec.Recognising;

/// <summary>
/// The recognising stage: one walk over a spec's blocks, handing each table, code block and list to the recogniser
/// of its kind, with the headings it stands under. It reports only what is wrong inside one cell, row or
/// declaration; everything that relates elements to each other is building's and validation's.
/// </summary>
internal sealed class SpecRecogniser
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    private static readonly Regex CallHeading = new(@"^(?:\d+(?:\.\d+)*\.?\s+)?`?(?<name>[A-Za-z_][A-Za-z0-9_]*)`?\s+(?:call|syscall|system\s+call)$", Options);
    private static readonly Regex BareHeading = new(@"^(?:\d+(?:\.\d+)*\.?\s+)?`?(?<name>[A-Za-z_][A-Za-z0-9_]*)`?$", Options);
    private static readonly Regex TypedHeading = new(@"^(?:\d+(?:\.\d+)*\.?\s+)?(?<union>union\s+)?(?:struct\s+)?(?<name>.*?)(?<union2>\s+union)?(?:\s+layout)?$", Options);
    private static readonly Regex TrailingLayout = new(@"\s*\blayout\s*$", Options);
    private static readonly Regex Packed = new(@"\b(?:__)?packed\b", Options);
    private static readonly Regex SizeSentence = new(
        @"\b(?:is|are)\s+(?<n>0x[0-9a-f]+|\d+)\s+bytes?\s+(?:in\s+size|in\s+length|long|large)\b|" +
        @"\bsize\s+(?:is|of)\s+(?<n>0x[0-9a-f]+|\d+)\s+bytes?\b|" +
        @"\b(?<n>0x[0-9a-f]+|\d+)\s+bytes?\s+in\s+size\b",
        Options);

    // A "Call ID" block: the call's number alone, under a heading that names the call.
    private static readonly Regex CallIdContent = new(@"^\s*(?:call\s*id\s*[:=]?\s*)?(?<n>0x[0-9a-f]+|\d+)\s*$", Options);
    private static readonly Regex CallIdHeading = new(@"^(?:\d+(?:\.\d+)*\.?\s+)?`?(?<name>[A-Za-z_][A-Za-z0-9_]*)`?(?:\s+call)?$", Options);
    private static readonly Regex MentionsCallId = new(@"\bcall[\s-]*id\b", Options);

    private readonly IReadOnlyList<MarkdownBlock> blocks;
    private readonly LineMap lines;
    private readonly DiagnosticBag diagnostics;
    private readonly RecognisedSpec spec;
    private readonly int[] sectionOf;
    private readonly List<RecognisedHeading> stack = new();

    private SpecRecogniser(IReadOnlyList<MarkdownBlock> blocks, LineMap lines, DiagnosticBag diagnostics)
    {
        this.blocks = blocks;
        this.lines = lines;
        this.diagnostics = diagnostics;
        spec = new RecognisedSpec(FrontMatter.Read(blocks, diagnostics), blocks);
        sectionOf = new int[blocks.Count];
        var section = 0;
        for (var i = 0; i < blocks.Count; i++)
        {
            section += blocks[i] is HeadingBlockText ? 1 : 0;
            sectionOf[i] = section;
        }
    }

    public static RecognisedSpec Recognise(IReadOnlyList<MarkdownBlock> blocks, LineMap lines, DiagnosticBag diagnostics)
    {
        var recogniser = new SpecRecogniser(blocks, lines, diagnostics);
        recogniser.Walk();
        return recogniser.spec;
    }

    /// <summary>The name a heading gives a call's section: <c>## SVSM_OCP_LIST Call</c>, or (for a syscall) a bare <c>### ACCESS_MSR</c>.</summary>
    public static string? CallNameOf(string heading, bool allowBare) =>
        heading.EndsWith("call", System.StringComparison.OrdinalIgnoreCase) && CallHeading.Match(heading) is { Success: true } match ? match.Groups["name"].Value
        : allowBare && BareHeading.Match(heading) is { Success: true } bare ? bare.Groups["name"].Value
        : null;

    private void Walk()
    {
        for (var i = 0; i < blocks.Count; i++)
        {
            switch (blocks[i])
            {
                case HeadingBlockText heading:
                    while (stack.Count > 0 && stack[stack.Count - 1].Level >= heading.Level)
                    {
                        stack.RemoveAt(stack.Count - 1);
                    }

                    var recognised = new RecognisedHeading(heading.Level, heading.Text, heading.Span, i);
                    stack.Add(recognised);
                    spec.Headings.Add(recognised);
                    break;
                case TableBlock table:
                    spec.Seen.Tables++;
                    ReadTable(table, i);
                    break;
                case CodeBlock code:
                    spec.Seen.CodeBlocks++;
                    ReadCode(code, i);
                    break;
                case ListBlockText list:
                    spec.Seen.Lists++;
                    if (ParameterListRecogniser.Read(list, stack.ToArray(), i, diagnostics) is { } parameters)
                    {
                        spec.Seen.Recognised++;
                        spec.RegisterSets.Add(parameters);
                    }

                    break;
            }
        }
    }

    private string Heading => stack.Count > 0 ? stack[stack.Count - 1].Text : string.Empty;

    /// <summary>The call the innermost call-like heading names, for messages: building decides which call a set belongs to.</summary>
    private string CallNameGuess()
    {
        for (var i = stack.Count - 1; i >= 0; i--)
        {
            if (CallNameOf(stack[i].Text, allowBare: true) is { } name)
            {
                return name;
            }
        }

        return Heading;
    }

    private void ReadTable(TableBlock table, int index)
    {
        var schema = TableSchema.Classify(table.Header, stack.Count > 0 ? Heading : null);
        if (schema is null)
        {
            return;
        }

        spec.Seen.Recognised++;
        switch (schema.Kind)
        {
            case TableKind.Calls:
            case TableKind.Syscalls:
                ReadCallTable(table, schema, index);
                break;
            case TableKind.Registers:
            case TableKind.Parameters:
                var set = new RawRegisterSet(schema.Kind == TableKind.Registers ? RegisterSetKind.RegistersTable : RegisterSetKind.ParametersTable, stack.ToArray(), table.Header.Span, index);
                spec.RegisterSets.Add(set);
                if (!stack.Any(h => CallNameOf(h.Text, allowBare: true) is not null))
                {
                    // Under no heading that could name a call: building reports it as unused, unread.
                    set.Readable = false;
                }
                else if (TableRows.Open(schema, table, diagnostics, set.Errors) is not { } registerRows)
                {
                    set.Readable = false;
                }
                else if (schema.Kind == TableKind.Registers)
                {
                    RegisterTableRecogniser.Read(registerRows, set, diagnostics);
                }
                else
                {
                    ParameterTableRecogniser.Read(registerRows, CallNameGuess(), set, diagnostics);
                }

                break;
            case TableKind.Layout:
                ReadLayout(table, schema, index, typed: false);
                break;
            case TableKind.TypedLayout:
                ReadLayout(table, schema, index, typed: true);
                break;
            case TableKind.Bits:
                var bits = new RawBitTable(Heading, LastProseBefore(index)?.Text, stack.ToArray(), index, table.Span);
                if (TableRows.Open(schema, table, diagnostics, bits.Errors) is { } bitRows)
                {
                    BitTableRecogniser.Read(bitRows, bits, diagnostics);
                    spec.BitTables.Add(bits);
                }
                else
                {
                    LeaveOut(bits.Errors, "bit table '" + (Heading.Length > 0 ? Heading : "at line " + Line(table.Span)) + "'");
                }

                break;
            case TableKind.Constants:
                var name = Heading.Length > 0 ? Heading : "Constants at line " + Line(table.Span);
                var group = new RawConstantGroup(name, ConstantGroupKind.Values, DeclarationStyle.Table, table.Span, index, stack.ToArray());
                if (TableRows.Open(schema, table, diagnostics) is { } constantRows)
                {
                    ConstantTableRecogniser.Read(constantRows, group, diagnostics);
                    spec.ConstantGroups.Add(group);
                }

                break;
            case TableKind.Ioctls:
                if (TableRows.Open(schema, table, diagnostics) is { } ioctlRows)
                {
                    IoctlTableRecogniser.Read(ioctlRows, spec.Ioctls, diagnostics);
                }

                break;
        }
    }

    private void ReadCallTable(TableBlock table, TableSchema schema, int index)
    {
        var syscalls = schema.Kind == TableKind.Syscalls;
        var calls = new RawCallTable(syscalls ? CallConvention.CoconutSyscall : CallConvention.SvsmCall, schema.Title + " table", table.Header.Span);
        spec.CallTables.Add(calls);
        if (TableRows.Open(schema, table, diagnostics) is not { } rows)
        {
            return;
        }

        if (syscalls)
        {
            SyscallTableRecogniser.Read(rows, calls, spec.ProposedCalls, index, diagnostics);
        }
        else
        {
            CallTableRecogniser.Read(rows, calls, index, diagnostics);
        }
    }

    /// <summary>A struct as an offset table, or by C type: laid out as gcc does, packed when the heading or paragraph before it says so.</summary>
    private void ReadLayout(TableBlock table, TableSchema schema, int index, bool typed)
    {
        var heading = Heading;
        string name;
        var isUnion = false;
        if (typed)
        {
            var match = TypedHeading.Match(heading.Replace("`", string.Empty).Trim());
            name = match.Success ? match.Groups["name"].Value.Trim() : heading;
            if (name.Length == 0)
            {
                name = "Struct at line " + Line(table.Span);
            }

            isUnion = match.Success && (match.Groups["union"].Success || match.Groups["union2"].Success);
        }
        else
        {
            name = TrailingLayout.Replace(heading, string.Empty);
            if (name.Length == 0)
            {
                name = heading.Length > 0 ? heading : "Layout at line " + Line(table.Span);
            }
        }

        var structure = new RawStruct(name, typed ? DeclarationStyle.TableByCType : DeclarationStyle.Table, table.Span, table.Header.Span, index) { IsUnion = isUnion };
        if (typed && Packed.IsMatch((LastProseBefore(index)?.Text ?? string.Empty) + " " + heading))
        {
            structure.PackLimit = 1;
        }

        if (TableRows.Open(schema, table, diagnostics, structure.Errors) is not { } rows)
        {
            LeaveOut(structure.Errors, "struct '" + name + "'");
            return;
        }

        ReadSizeStatements(structure, index);
        if (typed)
        {
            TypedTableRecogniser.Read(rows, structure, diagnostics);
        }
        else
        {
            LayoutTableRecogniser.Read(rows, structure, diagnostics);
        }

        spec.Structs.Add(structure);
    }

    /// <summary>
    /// The sizes the section's prose states for a struct. Prose counts from the previous table of the section (or
    /// its heading) to the next one, so two layouts under one heading keep their own sentences.
    /// </summary>
    private void ReadSizeStatements(RawStruct structure, int tableIndex)
    {
        var section = sectionOf[tableIndex];
        var first = tableIndex;
        while (first > 0 && sectionOf[first - 1] == section && blocks[first - 1] is not TableBlock)
        {
            first--;
        }

        var last = tableIndex;
        while (last + 1 < blocks.Count && sectionOf[last + 1] == section && blocks[last + 1] is not TableBlock)
        {
            last++;
        }

        for (var i = first; i <= last; i++)
        {
            // Every size sentence says "byte": prose without the word is not scanned.
            if (blocks[i] is not ProseBlock prose || prose.Text.IndexOf("byte", System.StringComparison.OrdinalIgnoreCase) < 0)
            {
                continue;
            }

            foreach (Match match in SizeSentence.Matches(prose.Text))
            {
                if (CellValues.TryParseSize(match.Groups["n"].Value, out var size) && size > 0)
                {
                    structure.SizeStatements.Add((size, prose.Span, "at line " + prose.Span.Line.ToString(CultureInfo.InvariantCulture)));
                }
            }
        }
    }

    /// <summary>The paragraph just before a table, if nothing but prose stands between it and the table's heading or previous table.</summary>
    private ProseBlock? LastProseBefore(int index)
    {
        for (var i = index - 1; i >= 0; i--)
        {
            switch (blocks[i])
            {
                case ProseBlock prose:
                    return prose;
                case HeadingBlockText:
                case TableBlock:
                    return null;
            }
        }

        return null;
    }

    private void ReadCode(CodeBlock block, int index)
    {
        if (ReadCallIdBlock(block, index))
        {
            return;
        }

        var language = CodeLanguage.Of(block);
        if (language == CodeLanguage.Kind.None)
        {
            return;
        }

        if (language == CodeLanguage.Kind.Rust)
        {
            RustRecogniser.Read(new CodeContext(CodeTokens.ForRust(block, lines), stack.ToArray(), index), spec, diagnostics);
        }
        else
        {
            CRecogniser.Read(new CodeContext(CodeTokens.ForC(block, lines), stack.ToArray(), index), spec, diagnostics);
        }
    }

    /// <summary>A block holding only a number, under a heading that names a call, after words that say it is its Call ID.</summary>
    private bool ReadCallIdBlock(CodeBlock block, int index)
    {
        if (block.Language.Length > 0 || stack.Count == 0)
        {
            return false;
        }

        if (!MayBeCallId(block))
        {
            return false;
        }

        var content = block.Text.Replace('\n', ' ').Trim();
        if (CallIdContent.Match(content) is not { Success: true } number ||
            CallIdHeading.Match(Heading) is not { Success: true } heading ||
            !(MentionsCallId.IsMatch(content) || MentionsCallId.IsMatch(Heading) || (index > 0 && blocks[index - 1] is ProseBlock prose && MentionsCallId.IsMatch(prose.Text))))
        {
            return false;
        }

        var name = heading.Groups["name"].Value;
        var span = block.Span;
        if (!CellValues.TryParseInteger(number.Groups["n"].Value, out var id) || id > uint.MaxValue)
        {
            diagnostics.NoteLeftOut(diagnostics.Add(SpecDiagnostics.MalformedCell, span, number.Groups["n"].Value, "call id", "write a number from 0 to 4294967295 (decimal or 0x hex)"), "call '" + name + "'");
            return true;
        }

        spec.Seen.Recognised++;
        var calls = new RawCallTable(CallConvention.SvsmCall, "Call ID block", span);
        calls.Calls.Add(new RawCall((uint)id, name, 1, string.Empty, stack[stack.Count - 1].Span, span, span, stack[stack.Count - 1].Span, DeclarationStyle.List, index, Section: stack[stack.Count - 1]));
        spec.CallTables.Add(calls);
        return true;
    }

    // Only white space, "call id", ':', '=' and a decimal or 0x number can match CallIdContent: a block of code
    // with anything else is passed over without being joined and matched.
    private static bool MayBeCallId(CodeBlock block)
    {
        // The lines' ends are white space, as the join that CallIdContent is matched on makes them.
        foreach (var c in block.Text)
        {
            if (!(char.IsWhiteSpace(c) || char.IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                c is 'x' or 'X' or 'l' or 'L' or 'i' or 'I' or ':' or '='))
            {
                return false;
            }
        }

        return true;
    }

    private void LeaveOut(List<int> errors, string what)
    {
        if (errors.Count > 0)
        {
            diagnostics.NoteLeftOut(errors[0], what);
        }
    }

    private static string Line(SpecSpan span) => span.Line.ToString(CultureInfo.InvariantCulture);
}
