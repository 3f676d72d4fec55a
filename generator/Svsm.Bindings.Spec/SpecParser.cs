using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Building;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;
using Svsm.Bindings.Spec.Validation;

namespace Svsm.Bindings.Spec;

/// <summary>Turns a spec document (Markdown, possibly wrapped in an e-mail) into a <see cref="SpecDocument"/>.</summary>
public static class SpecParser
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    private static readonly Regex CallHeading = new(@"^(?:\d+(?:\.\d+)*\.?\s+)?`?(?<name>[A-Za-z_][A-Za-z0-9_]*)`?\s+(?:call|syscall|system\s+call)$", Options);
    private static readonly Regex BareHeading = new(@"^(?:\d+(?:\.\d+)*\.?\s+)?`?(?<name>[A-Za-z_][A-Za-z0-9_]*)`?$", Options);
    private static readonly Regex TypedHeading = new(@"^(?:\d+(?:\.\d+)*\.?\s+)?(?<union>union\s+)?(?:struct\s+)?(?<name>.*?)(?<union2>\s+union)?(?:\s+layout)?$", Options);
    private static readonly Regex TrailingLayout = new(@"\s*\blayout\s*$", Options);
    private static readonly Regex SizeSentence = new(
        @"\b(?:is|are)\s+(?<n>0x[0-9a-f]+|\d+)\s+bytes?\s+(?:in\s+size|in\s+length|long|large)\b|" +
        @"\bsize\s+(?:is|of)\s+(?<n>0x[0-9a-f]+|\d+)\s+bytes?\b|" +
        @"\b(?<n>0x[0-9a-f]+|\d+)\s+bytes?\s+in\s+size\b",
        Options);

    /// <summary>
    /// Parses <paramref name="text"/>. Never throws: a malformed document gives diagnostics. Should the reader
    /// itself fail, that is reported as <c>SVSM0999</c> so a build shows it instead of crashing.
    /// </summary>
    public static SpecDocument Parse(string text)
    {
        try
        {
            return ParseUnguarded(text);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            var diagnostics = new DiagnosticBag();
            diagnostics.Add(SpecDiagnostics.ReaderFailed, SpecSpan.None, exception.GetType().Name + ": " + exception.Message);
            return new SpecDocument(
                new ProtocolInfo(null, null, null, null, null), EquatableArray<CallSpec>.Empty, EquatableArray<StructSpec>.Empty,
                EquatableArray<BitFieldSpec>.Empty, EquatableArray<ConstantTableSpec>.Empty, diagnostics.ToSortedArray(), true);
        }
    }

    /// <summary>Parses without the safety net: the fuzzer and the property tests call this so that any exception is found.</summary>
    public static SpecDocument ParseUnguarded(string text) => new DocumentBuilder(text ?? string.Empty).Build();

    private sealed class CallSection
    {
        public CallSection(string name, int level, SpecSpan span)
        {
            Name = name;
            Level = level;
            Span = span;
        }

        public string Name { get; }

        public int Level { get; }

        public SpecSpan Span { get; }

        public List<RegisterSpec> Registers { get; } = new();

        public bool HasTable { get; set; }

        public bool HasNameColumn { get; set; }
    }

    private sealed record StructDraft(StructSpec Struct, IReadOnlyList<FieldDraft> Fields, int BlockIndex, SpecSpan TableSpan);

    private sealed record BitTableDraft(string Heading, string? Context, string? CallName, int BlockIndex, SpecSpan Span, List<BitSpec> Bits);

    private sealed class DocumentBuilder
    {
        private readonly DiagnosticBag diagnostics = new();
        private readonly List<MarkdownBlock> blocks;
        private readonly int[] sectionOf;
        private readonly List<CallEntry> calls = new();
        private readonly List<CallSection> sections = new();
        private readonly List<StructDraft> structs = new();
        private readonly List<BitTableDraft> bitTables = new();
        private readonly List<ConstantTableSpec> constantTables = new();
        private readonly Dictionary<string, ConstantSpec> constantsByName = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TypeShape> typeShapes = new(StringComparer.Ordinal);
        private readonly List<IoctlSpec> ioctls = new();
        private readonly List<BitFieldSpec> typedBitFields = new();
        private readonly List<ProposedCallSpec> proposedCalls = new();
        private FrontMatter frontMatter = new();
        private CallConvention convention;
        private int? firstCallTableLine;
        private bool hasDefinitions;

        public DocumentBuilder(string text)
        {
            blocks = MarkdownReader.Read(text, new LineMap(text));
            sectionOf = new int[blocks.Count];
            var section = 0;
            for (var i = 0; i < blocks.Count; i++)
            {
                section += blocks[i] is HeadingBlockText ? 1 : 0;
                sectionOf[i] = section;
            }
        }

        public SpecDocument Build()
        {
            frontMatter = FrontMatter.Read(blocks, diagnostics);

            // The call table first: call sections are recognised by the names it lists, wherever it stands.
            convention = frontMatter.Convention ?? CallConvention.SvsmCall;
            for (var i = 0; i < blocks.Count; i++)
            {
                if (blocks[i] is TableBlock table && Classify(table, i) is { Kind: TableKind.Calls or TableKind.Syscalls } schema)
                {
                    hasDefinitions = true;
                    if (!AcceptConvention(schema.Kind == TableKind.Syscalls ? CallConvention.CoconutSyscall : CallConvention.SvsmCall, schema.Title + " table", table.Header.Span, isCallTable: true) ||
                        TableRows.Open(schema, table, diagnostics) is not { } rows)
                    {
                        continue;
                    }

                    if (schema.Kind == TableKind.Syscalls)
                    {
                        SyscallTableReader.Read(rows, calls, proposedCalls, diagnostics);
                    }
                    else
                    {
                        CallTableReader.Read(rows, calls, diagnostics);
                    }
                }
            }

            var protocol = ProtocolIdentityReader.Read(blocks, frontMatter, calls.Select(c => c.Name).ToList(), convention, diagnostics);
            WalkSections();

            var callSpecs = AssembleCalls(protocol);
            var structSpecs = structs.Select(s => s.Struct).ToEquatableArray();
            var bitFields = bitTables.Select(BindBitTable).Concat(typedBitFields).ToEquatableArray();
            foreach (var bitField in bitFields)
            {
                BitFieldValidator.Validate(bitField, diagnostics);
            }

            return new SpecDocument(protocol, callSpecs, structSpecs, bitFields, constantTables.ToEquatableArray(), diagnostics.ToSortedArray(), hasDefinitions, ioctls.ToEquatableArray(),
                proposedCalls.ToEquatableArray());
        }

        /// <summary>
        /// Whether a table of <paramref name="wanted"/>'s convention fits this spec: the first call table (or front
        /// matter) settles the convention, and a table of the other one is an error (SVSM0041).
        /// </summary>
        private bool AcceptConvention(CallConvention wanted, string what, SpecSpan at, bool isCallTable = false)
        {
            if (isCallTable && firstCallTableLine is null && frontMatter.Convention is null)
            {
                firstCallTableLine = at.Line;
                convention = wanted;
                return true;
            }

            if (wanted == convention)
            {
                return true;
            }

            var line = firstCallTableLine ?? FrontMatterStartLine;
            diagnostics.Add(SpecDiagnostics.MixedConventions, at, what, Describe(wanted), Describe(convention), line);
            return false;
        }

        private int FrontMatterStartLine => blocks.OfType<FrontMatterBlock>().Select(b => b.Span.Line).DefaultIfEmpty(1).First();

        private static string Describe(CallConvention value) =>
            value == CallConvention.CoconutSyscall ? "the COCONUT-SVSM syscall ABI" : "SVSM protocol calls";

        private TableSchema? Classify(TableBlock table, int index) => TableSchema.Classify(table.Header, HeadingBefore(index)?.Text);

        private HeadingBlockText? HeadingBefore(int index)
        {
            for (var i = index - 1; i >= 0; i--)
            {
                if (blocks[i] is HeadingBlockText heading)
                {
                    return heading;
                }
            }

            return null;
        }

        private void WalkSections()
        {
            CallSection? call = null;
            for (var i = 0; i < blocks.Count; i++)
            {
                switch (blocks[i])
                {
                    case HeadingBlockText heading:
                        if (call is not null && heading.Level <= call.Level)
                        {
                            call = null;
                        }

                        if (CallHeading.Match(heading.Text) is { Success: true } match)
                        {
                            call = new CallSection(match.Groups["name"].Value, heading.Level, heading.Span);
                            sections.Add(call);
                        }
                        else if (convention == CallConvention.CoconutSyscall && BareHeading.Match(heading.Text) is { Success: true } bare && NamesSyscall(bare.Groups["name"].Value))
                        {
                            // The syscall document heads each call with its bare name ("ACCESS_MSR").
                            call = new CallSection(bare.Groups["name"].Value, heading.Level, heading.Span);
                            sections.Add(call);
                        }

                        break;
                    case TableBlock table:
                        ReadTable(table, i, call);
                        break;
                }
            }
        }

        private bool NamesSyscall(string name) =>
            calls.Exists(c => SameSyscall(c.Name, name)) || proposedCalls.Exists(p => SameSyscall(p.Name, name));

        // "ACCESS_MSR" heads the section of SYS_ACCESS_MSR.
        private static bool SameSyscall(string listed, string heading) =>
            string.Equals(listed, heading, StringComparison.OrdinalIgnoreCase) || string.Equals(listed, "SYS_" + heading, StringComparison.OrdinalIgnoreCase);

        private void ReadTable(TableBlock table, int index, CallSection? call)
        {
            var schema = Classify(table, index);
            if (schema is null || schema.Kind is TableKind.Calls or TableKind.Syscalls)
            {
                return;
            }

            hasDefinitions = true;
            if (schema.Kind is TableKind.Registers or TableKind.Parameters)
            {
                if (call is null)
                {
                    diagnostics.Add(SpecDiagnostics.TableOutsideCall, table.Header.Span, schema.Title);
                    return;
                }

                var needs = schema.Kind == TableKind.Parameters ? CallConvention.CoconutSyscall : CallConvention.SvsmCall;
                if (!AcceptConvention(needs, schema.Title + " table", table.Header.Span))
                {
                    return;
                }

                call.HasTable = true;
            }

            if (TableRows.Open(schema, table, diagnostics) is not { } rows)
            {
                return;
            }

            var heading = HeadingBefore(index)?.Text ?? string.Empty;
            switch (schema.Kind)
            {
                case TableKind.Registers:
                    call!.HasNameColumn |= rows.Has(TableSchema.MemberName);
                    RegisterTableReader.Read(rows, call.Name, call.Registers, diagnostics);
                    break;
                case TableKind.Parameters:
                    ParameterTableReader.Read(rows, call!.Name, call.Registers, diagnostics);
                    break;
                case TableKind.Layout:
                    ReadLayout(rows, index, heading);
                    break;
                case TableKind.Ioctls:
                    IoctlTableReader.Read(rows, typeShapes, ioctls, diagnostics);
                    break;
                case TableKind.TypedLayout:
                    ReadTypedLayout(rows, index, heading);
                    break;
                case TableKind.Constants:
                    constantTables.Add(ConstantTableReader.Read(rows, heading, constantsByName, convention, diagnostics));
                    break;
                case TableKind.Bits:
                    var context = LastProseBefore(index)?.Text;
                    bitTables.Add(new BitTableDraft(heading, context, call?.Name, index, table.Span, BitTableReader.Read(rows, heading, diagnostics)));
                    break;
            }
        }

        private void ReadLayout(TableRows rows, int index, string heading)
        {
            var name = TrailingLayout.Replace(heading, string.Empty);
            if (name.Length == 0)
            {
                name = heading.Length > 0 ? heading : "Layout at line " + rows.Table.Span.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var fields = LayoutTableReader.Read(rows, name, diagnostics);
            var extent = fields.Count == 0 ? 0 : fields.Max(f => f.Field.Offset + f.Field.Size);
            var declared = DeclaredSize(name, index);
            var structSpec = new StructSpec(name, declared ?? extent, declared is not null, rows.Table.Span, fields.Select(f => f.Field).ToEquatableArray());
            if (declared is null)
            {
                diagnostics.Add(SpecDiagnostics.StructSizeNotStated, rows.Table.Header.Span, name, extent);
            }

            if (TryAddStruct(structSpec, fields, index, rows))
            {
                StructValidator.Validate(structSpec, rows.Table.Header.Span, diagnostics);
            }
        }

        /// <summary>
        /// A struct table by C type: laid out here as gcc lays it out on x86-64, packed when its heading or the
        /// paragraph before it says so, a union when its heading says so; a stated size must match.
        /// </summary>
        private void ReadTypedLayout(TableRows rows, int index, string heading)
        {
            var match = TypedHeading.Match(heading.Replace("`", string.Empty).Trim());
            var name = match.Success ? match.Groups["name"].Value.Trim() : heading;
            if (name.Length == 0)
            {
                name = "Struct at line " + rows.Table.Span.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var isUnion = match.Success && (match.Groups["union"].Success || match.Groups["union2"].Success);
            var context = (LastProseBefore(index)?.Text ?? string.Empty) + " " + heading;
            var packed = Regex.IsMatch(context, @"\b(?:__)?packed\b", Options);
            var (fields, shape, unitBits) = TypedLayoutReader.Read(rows, name, packed, isUnion, typeShapes, diagnostics);
            var declared = DeclaredSize(name, index);
            if (declared is { } stated && stated != shape.Size)
            {
                diagnostics.Add(SpecDiagnostics.ComputedSizeDisagrees, rows.Table.Header.Span, name, stated, shape.Size);
            }

            var structSpec = new StructSpec(name, shape.Size, declared is not null, rows.Table.Span, fields.Select(f => f.Field).ToEquatableArray());
            if (TryAddStruct(structSpec, fields, index, rows))
            {
                typeShapes[TableSchema.Key(name)] = shape;
                typedBitFields.AddRange(unitBits);
            }
        }

        /// <summary>Adds a struct of either kind of table, unless the spec already has one of its name (SVSM0026).</summary>
        private bool TryAddStruct(StructSpec structSpec, List<FieldDraft> fields, int index, TableRows rows)
        {
            var duplicate = structs.Find(s => string.Equals(s.Struct.Name, structSpec.Name, StringComparison.OrdinalIgnoreCase));
            if (duplicate is not null)
            {
                diagnostics.Add(SpecDiagnostics.DuplicateName, rows.Table.Header.Span, structSpec.Name, "this spec's structs", duplicate.Struct.Span.Line);
                return false;
            }

            structs.Add(new StructDraft(structSpec, fields, index, rows.Table.Span));
            return true;
        }

        /// <summary>
        /// The size front matter or the section's prose states for a struct. Prose counts from the previous table
        /// of the section (or its heading) to the next one, so two layouts under one heading keep their own sentences.
        /// </summary>
        private int? DeclaredSize(string name, int tableIndex)
        {
            var statements = new List<(int Size, SpecSpan Span, string Where)>();
            if (frontMatter.SizeOf(name) is { } fromFrontMatter)
            {
                statements.Add((fromFrontMatter.Size, fromFrontMatter.Span, "in front matter"));
            }

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
                if (blocks[i] is not ProseBlock prose)
                {
                    continue;
                }

                foreach (Match match in SizeSentence.Matches(prose.Text))
                {
                    if (CellValues.TryParseSize(match.Groups["n"].Value, out var size) && size > 0)
                    {
                        statements.Add((size, prose.Span, "at line " + prose.Span.Line.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    }
                }
            }

            if (statements.Count == 0)
            {
                return null;
            }

            var chosen = statements[0];
            foreach (var other in statements.Skip(1).Where(s => s.Size != chosen.Size))
            {
                diagnostics.Add(SpecDiagnostics.SizeContradicted, other.Span, name, other.Size, chosen.Size, chosen.Where);
            }

            return chosen.Size;
        }

        /// <summary>The paragraph just before a table, if nothing but prose stands between it and the table's heading or previous table.</summary>
        private ProseBlock? LastProseBefore(int tableIndex)
        {
            for (var i = tableIndex - 1; i >= 0; i--)
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

        private EquatableArray<CallSpec> AssembleCalls(ProtocolInfo protocol)
        {
            var result = new List<CallSpec>();
            // A proposed syscall's section documents it, but no call is made of it.
            foreach (var section in sections.Where(s => !NamesSyscall(s.Name)))
            {
                diagnostics.Add(SpecDiagnostics.SectionForUnknownCall, section.Span, section.Name);
            }

            foreach (var call in calls)
            {
                var section = sections.Find(s => SameSyscall(call.Name, s.Name));
                if (section is null)
                {
                    diagnostics.Add(SpecDiagnostics.CallWithoutSection, call.Span, call.Name);
                }
                else if (!section.HasTable)
                {
                    diagnostics.Add(SpecDiagnostics.CallWithoutRegisters, section.Span, call.Name);
                }

                if (protocol.Version is { } version && call.SinceVersion > version)
                {
                    diagnostics.Add(SpecDiagnostics.CallAboveProtocolVersion, call.VersionCell.Span, call.Name, call.SinceVersion, version);
                }

                var registers = section is null
                    ? new List<RegisterSpec>()
                    : RegisterTableReader.NameUniquely(section.Registers, section.HasNameColumn, call.Name, diagnostics);
                result.Add(new CallSpec(call.Id, call.Name, call.SinceVersion, call.Function, call.Span, registers.ToEquatableArray(), call.Class));
            }

            return result.ToEquatableArray();
        }

        /// <summary>
        /// Binds a bit table to what the paragraph (else the heading) before it names: first a field of the
        /// nearest struct above it, then a register of the call it sits in, then a field of any other struct.
        /// </summary>
        private BitFieldSpec BindBitTable(BitTableDraft table)
        {
            BitFieldBinding? binding = null;
            var width = 0;
            foreach (var text in new[] { table.Context, table.Heading })
            {
                if (string.IsNullOrEmpty(text) || binding is not null)
                {
                    continue;
                }

                foreach (var candidates in CandidateTiers(table))
                {
                    var best = candidates
                        .Select(c => (Candidate: c, At: c.Mentions.Select(m => MentionIndex(text!, m)).Where(at => at >= 0).DefaultIfEmpty(-1).Min()))
                        .Where(c => c.At >= 0)
                        .OrderBy(c => c.At)
                        .FirstOrDefault();
                    if (best.Candidate is not null)
                    {
                        binding = best.Candidate.Binding;
                        width = best.Candidate.Size * 8;
                        break;
                    }
                }
            }

            var bits = table.Bits.ToEquatableArray();
            string name;
            if (binding is null)
            {
                var highest = bits.Count == 0 ? 0 : bits.Max(b => b.High);
                width = highest < 8 ? 8 : highest < 16 ? 16 : highest < 32 ? 32 : 64;
                name = table.Heading.Length > 0 ? table.Heading : "Bits at line " + table.Span.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
                diagnostics.Add(SpecDiagnostics.StandaloneBitTable, table.Span, name, width);
            }
            else
            {
                name = binding.Owner + " " + binding.Member;
            }

            return new BitFieldSpec(name, width, binding, table.Span, bits);
        }

        private sealed record BindingCandidate(BitFieldBinding Binding, int Size, IReadOnlyList<string> Mentions);

        private IEnumerable<List<BindingCandidate>> CandidateTiers(BitTableDraft table)
        {
            var nearest = structs.LastOrDefault(s => s.BlockIndex < table.BlockIndex);
            if (nearest is not null)
            {
                yield return FieldCandidates(nearest).ToList();
            }

            var call = table.CallName is null ? null : sections.Find(s => s.Name == table.CallName);
            if (call is not null)
            {
                yield return call.Registers
                    .Select(r => new BindingCandidate(new BitFieldBinding(BindingKind.Register, call.Name, r.Register), r.Size, new[] { r.Register }))
                    .ToList();
            }

            yield return structs.Where(s => s != nearest)
                .OrderBy(s => Math.Abs(s.BlockIndex - table.BlockIndex))
                .SelectMany(FieldCandidates)
                .ToList();
        }

        // Only fields up to 8 bytes wide hold bit fields.
        private static IEnumerable<BindingCandidate> FieldCandidates(StructDraft draft) =>
            draft.Fields
                .Where(f => !f.Field.Reserved && f.Field.Size <= 8)
                .Select(f => new BindingCandidate(new BitFieldBinding(BindingKind.StructField, draft.Struct.Name, f.Field.Name), f.Field.Size, f.Mentions));

        /// <summary>Where <paramref name="phrase"/> (or its plural) stands in <paramref name="text"/> as whole words, ignoring case; -1 if nowhere.</summary>
        private static int MentionIndex(string text, string phrase)
        {
            if (phrase.Length == 0)
            {
                return -1;
            }

            var pattern = @"(?<![A-Za-z0-9_])" + Regex.Escape(phrase).Replace(@"\ ", @"\s+") + @"(?:s|es)?(?![A-Za-z0-9_])";
            var match = Regex.Match(text, pattern, Options);
            return match.Success ? match.Index : -1;
        }
    }
}
