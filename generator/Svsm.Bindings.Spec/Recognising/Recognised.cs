using System.Collections.Generic;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;

namespace Svsm.Bindings.Spec.Recognising;

// What the recognisers make of a spec's tables, code blocks and lists: declarations as written, with positions,
// names still unresolved and values still unevaluated. Every style of the same thing (a struct as an offset table,
// a table by C type, a C or a Rust declaration) becomes the same record, so that building knows no style.
// The lists of errors hold indices into the diagnostic bag: the element those errors were found in is left out
// of the generated code, and validation says so in the first of them.

/// <summary>A heading, and where it stands among the spec's blocks.</summary>
internal sealed record RecognisedHeading(int Level, string Text, SpecSpan Span, int Position);

/// <summary>An integer expression as written (a cell, a C or Rust constant expression), evaluated when building.</summary>
internal sealed record RawExpression(string Text, SpecSpan Span, DeclarationStyle Style);

/// <summary>A call of a call table, a syscall table, a <c>const SVSM_X_NAME: u32</c> or a "Call ID" block.</summary>
/// <param name="Class">A syscall's class; null for an SVSM call.</param>
/// <param name="Section">The heading a call declared in code stands under: its parameter list is in that section.</param>
internal sealed record RawCall(
    uint Id,
    string Name,
    uint SinceVersion,
    string Function,
    SpecSpan Span,
    SpecSpan IdSpan,
    SpecSpan VersionSpan,
    SpecSpan NameSpan,
    DeclarationStyle Style,
    int Position,
    uint? Class = null,
    RecognisedHeading? Section = null);

/// <summary>The calls one call table, syscall table or code block lists, with the convention that kind of list implies.</summary>
/// <param name="What">How SVSM0041 names it: "call table", "syscall table", "call constant".</param>
internal sealed class RawCallTable(CallConvention convention, string what, SpecSpan span)
{
    public CallConvention Convention { get; } = convention;

    public string What { get; } = what;

    public SpecSpan Span { get; } = span;

    public List<RawCall> Calls { get; } = new();
}

/// <summary>What a set of registers was read from.</summary>
internal enum RegisterSetKind
{
    RegistersTable,
    ParametersTable,
    ParameterList,
}

/// <summary>The registers of a Registers table, a syscall's Parameters table, or a call's parameter list.</summary>
/// <param name="Ancestors">The headings the set stands under, outermost first: the call's section is among them.</param>
internal sealed class RawRegisterSet(RegisterSetKind kind, IReadOnlyList<RecognisedHeading> ancestors, SpecSpan span, int position)
{
    public RegisterSetKind Kind { get; } = kind;

    public IReadOnlyList<RecognisedHeading> Ancestors { get; } = ancestors;

    public SpecSpan Span { get; } = span;

    public int Position { get; } = position;

    public bool HasNameColumn { get; set; }

    /// <summary>False when the table lacks a required column: it was not read.</summary>
    public bool Readable { get; set; } = true;

    public List<RawRegister> Registers { get; } = new();

    public List<int> Errors { get; } = new();
}

/// <param name="ExplicitName">The <c>Name</c> cell, or null when the name is derived from the description.</param>
/// <param name="SizeAssumed">A parameter list item that states no size: 8 bytes was assumed.</param>
/// <param name="RegisterSpan">Where the register is named (its cell, or its list item).</param>
/// <param name="Misaligned">What the spec says beside the alignment, when it says anything.</param>
/// <param name="ReturnedOnError">The direction says <c>OUT (also on error)</c>.</param>
internal sealed record RawRegister(
    string Register,
    RegisterDirection Direction,
    int Size,
    int? Alignment,
    string? ExplicitName,
    string Description,
    SpecSpan Span,
    SpecSpan SizeSpan,
    SpecSpan RegisterSpan,
    RegisterValueKind Kind = RegisterValueKind.Unsigned,
    bool SizeAssumed = false,
    AlignmentNote? Misaligned = null,
    bool ReturnedOnError = false);

/// <summary>
/// What an Alignment cell or list item says beside the number: the result code the SVSM answers a misaligned value
/// with (<paramref name="Code"/>, null for the default), or that the SVSM does not check it.
/// </summary>
internal sealed record AlignmentNote(string? Code, bool NotChecked, SpecSpan Span);

/// <summary>A struct or union: an offset table, a table by C type, or a C or Rust declaration.</summary>
internal sealed class RawStruct(string name, DeclarationStyle style, SpecSpan span, SpecSpan headerSpan, int position)
{
    /// <summary>The heading's name, the C tag or typedef name, or the Rust name (a C struct left unnamed is named for its place).</summary>
    public string Name { get; set; } = name;

    public DeclarationStyle Style { get; } = style;

    /// <summary>The whole table or declaration.</summary>
    public SpecSpan Span { get; } = span;

    /// <summary>Where a diagnostic about the struct as a whole points: the table's header, or the declaration's name.</summary>
    public SpecSpan HeaderSpan { get; set; } = headerSpan;

    public int Position { get; } = position;

    public bool IsUnion { get; set; }

    /// <summary>The largest alignment any member keeps: 1 when packed, N for <c>packed(N)</c> or <c>#pragma pack(N)</c>.</summary>
    public int? PackLimit { get; set; }

    /// <summary><c>__aligned(N)</c>, <c>__attribute__((aligned(N)))</c> or <c>#[repr(align(N))]</c>.</summary>
    public int? AlignAttribute { get; set; }

    /// <summary>A Rust struct without <c>#[repr(C)]</c>, whose layout rustc is free to choose.</summary>
    public bool RustLayout { get; set; }

    /// <summary>A doc comment (Rust <c>///</c>) or the comment above a C declaration.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>Sizes the prose around a table states ("is 128 bytes in size"), in the order they stand.</summary>
    public List<(int Size, SpecSpan Span, string Where)> SizeStatements { get; } = new();

    public List<RawMember> Members { get; } = new();

    public List<int> Errors { get; } = new();

    /// <summary>A struct that a C declaration leaves anonymous inside another; its members belong to the outer one in C.</summary>
    public bool Anonymous { get; set; }
}

internal enum MemberKind
{
    /// <summary>A row of an offset table: its offset and size are written.</summary>
    ByOffset,

    /// <summary>A member by type (table by C type, C or Rust): laid out when building.</summary>
    ByType,
}

/// <summary>A struct member as written.</summary>
/// <param name="Name">The Name cell of an offset table (or null), the C or Rust member name (null for an anonymous member or an unnamed bit-field).</param>
/// <param name="Offset">An offset table's offset; unused for members by type.</param>
/// <param name="Size">An offset table's size; unused for members by type.</param>
/// <param name="Type">A member by type's type; null in an offset table.</param>
/// <param name="BitWidth">A C bit-field's width.</param>
internal sealed record RawMember(
    MemberKind Kind,
    string? Name,
    string Description,
    SpecSpan Span,
    SpecSpan NameSpan,
    int Offset = 0,
    int Size = 0,
    RawType? Type = null,
    int? BitWidth = null,
    int? AlignAttribute = null,
    bool Reserved = false,
    uint FirstVersion = 0);

/// <summary>A member's type as written: a name (<c>__u64</c>, <c>struct snp_report_req</c>, <c>MmCoreHeader</c>) with array lengths.</summary>
/// <param name="Name">The element type without <c>struct</c>/<c>union</c>/<c>enum</c> and without array lengths.</param>
/// <param name="Tag">The keyword before a C type name: <c>struct</c>, <c>union</c> or <c>enum</c>, else null.</param>
/// <param name="Lengths">Array lengths, outermost first (<c>[[u8; 4]; 2]</c> and <c>x[2][4]</c> are both 2 then 4).</param>
/// <param name="Flexible">A flexible array member (<c>[]</c>, or GNU's <c>[0]</c>).</param>
/// <param name="Pointer">A pointer (<c>T *</c>, <c>*const T</c>): 8 bytes whatever it points to.</param>
internal sealed record RawType(string Name, string? Tag, IReadOnlyList<RawExpression> Lengths, bool Flexible, bool Pointer, SpecSpan Span);

/// <summary>A bit table as read: its rows, and the text around it that names what it describes.</summary>
/// <param name="Context">The paragraph just before the table.</param>
internal sealed class RawBitTable(string heading, string? context, IReadOnlyList<RecognisedHeading> ancestors, int position, SpecSpan span)
{
    public string Heading { get; } = heading;

    public string? Context { get; } = context;

    public IReadOnlyList<RecognisedHeading> Ancestors { get; } = ancestors;

    public int Position { get; } = position;

    public SpecSpan Span { get; } = span;

    public List<RawBit> Bits { get; } = new();

    public List<int> Errors { get; } = new();
}

/// <summary>A row of a bit table: bits <paramref name="Low"/> to <paramref name="High"/>, named by its Name cell (or null) or its description.</summary>
internal sealed record RawBit(int Low, int High, string? Name, string Description, bool Reserved, SpecSpan Span, SpecSpan NameSpan);

/// <summary>What a set of named values was written as, which decides what it becomes.</summary>
internal enum ConstantGroupKind
{
    /// <summary>Constants, result codes or flags: the name and the values decide.</summary>
    Values,

    /// <summary>A C or Rust <c>enum</c>.</summary>
    Enum,
}

/// <summary>A constant table, a run of <c>#define</c>s, the constants of a Rust block, or an enum.</summary>
/// <param name="Name">The heading, the group comment, or the enum's name.</param>
/// <param name="BoundField">A field the group comment names (<c>// --- 'flags' field bits ---</c>), whose bits the values are.</param>
/// <param name="EnumSize">An enum's size in bytes when written (<c>#[repr(u8)]</c>); null for C's, which the values decide.</param>
/// <param name="Ancestors">The headings the group stands under: a call declared as a constant takes its parameters from that section.</param>
internal sealed class RawConstantGroup(string name, ConstantGroupKind kind, DeclarationStyle style, SpecSpan span, int position, IReadOnlyList<RecognisedHeading> ancestors)
{
    public IReadOnlyList<RecognisedHeading> Ancestors { get; } = ancestors;

    public string Name { get; set; } = name;

    public ConstantGroupKind Kind { get; set; } = kind;

    /// <summary>Where the group's last <c>#define</c> ends, to find a group comment after it.</summary>
    public int LastEnd { get; set; }

    public DeclarationStyle Style { get; } = style;

    public SpecSpan Span { get; } = span;

    public int Position { get; } = position;

    public string? BoundField { get; set; }

    public int? EnumSize { get; set; }

    /// <summary>A Rust enum without <c>#[repr(uN)]</c>: its size is rustc's choice, so it cannot type a field.</summary>
    public bool EnumSizeUnknown { get; set; }

    public string Description { get; set; } = string.Empty;

    public List<RawConstant> Constants { get; } = new();
}

/// <param name="Type">A Rust constant's type (<c>u32</c>, <c>usize</c>); null for C and tables.</param>
/// <param name="Implicit">An enumerator written without a value: the one before it plus one (the first is 0).</param>
internal sealed record RawConstant(string Name, RawExpression? Value, string Description, SpecSpan Span, SpecSpan NameSpan, string? Type = null, bool Implicit = false);

/// <summary>An ioctl: a row of an ioctl table, or a <c>#define NAME _IOWR(type, nr, struct x)</c>.</summary>
/// <param name="Argument">The argument's type as written, without <c>struct</c>/<c>union</c>; empty for <c>_IO</c>.</param>
internal sealed record RawIoctl(string Name, IoctlDirection Direction, RawExpression Type, RawExpression Number, string Argument, SpecSpan ArgumentSpan, string Description, SpecSpan Span);

/// <summary>A type alias: C's <c>typedef T NAME;</c> or Rust's <c>type NAME = T;</c>.</summary>
internal sealed record RawTypeAlias(string Name, RawType Target, SpecSpan Span);

/// <summary>How many of each construct a spec holds, for the warning that a file defined nothing.</summary>
internal sealed class SeenConstructs
{
    public int Tables { get; set; }

    public int CodeBlocks { get; set; }

    public int Lists { get; set; }

    /// <summary>Tables, code declarations and parameter lists the reader understood as a kind it reads.</summary>
    public int Recognised { get; set; }
}

/// <summary>Everything the recognisers found in one spec, in document order within each kind.</summary>
internal sealed class RecognisedSpec(FrontMatter frontMatter, IReadOnlyList<MarkdownBlock> blocks)
{
    public FrontMatter FrontMatter { get; } = frontMatter;

    /// <summary>The blocks read from the Markdown: prose for the protocol's sentences, headings for its name.</summary>
    public IReadOnlyList<MarkdownBlock> Blocks { get; } = blocks;

    public List<RecognisedHeading> Headings { get; } = new();

    /// <summary>Call tables, syscall tables, and the calls each code block declares, in order: the first settles the convention.</summary>
    public List<RawCallTable> CallTables { get; } = new();

    public List<ProposedCallSpec> ProposedCalls { get; } = new();

    public List<RawRegisterSet> RegisterSets { get; } = new();

    public List<RawStruct> Structs { get; } = new();

    public List<RawBitTable> BitTables { get; } = new();

    public List<RawConstantGroup> ConstantGroups { get; } = new();

    public List<RawIoctl> Ioctls { get; } = new();

    public List<RawTypeAlias> Aliases { get; } = new();

    public SeenConstructs Seen { get; } = new();

    /// <summary>How many declarations of each kind there are now, to take back those of a declaration that turns out unreadable.</summary>
    public (int Structs, int Groups, int Constants, int Aliases, int Ioctls) Mark() =>
        (Structs.Count, ConstantGroups.Count, ConstantGroups.Count > 0 ? ConstantGroups[ConstantGroups.Count - 1].Constants.Count : 0, Aliases.Count, Ioctls.Count);

    public void Restore((int Structs, int Groups, int Constants, int Aliases, int Ioctls) mark)
    {
        Structs.RemoveRange(mark.Structs, Structs.Count - mark.Structs);
        ConstantGroups.RemoveRange(mark.Groups, ConstantGroups.Count - mark.Groups);
        if (mark.Groups > 0)
        {
            var last = ConstantGroups[mark.Groups - 1].Constants;
            last.RemoveRange(mark.Constants, last.Count - mark.Constants);
        }

        Aliases.RemoveRange(mark.Aliases, Aliases.Count - mark.Aliases);
        Ioctls.RemoveRange(mark.Ioctls, Ioctls.Count - mark.Ioctls);
    }
}
