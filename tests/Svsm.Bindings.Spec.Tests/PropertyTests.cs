using CsCheck;
using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>
/// A malformed document never throws and always yields a well-formed model: random Markdown built from spec
/// vocabulary (tables, C and Rust code blocks, parameter lists), the seed with its tables' cells dropped, swapped
/// and garbled, and the code-written specs with their lines cut, repeated and spliced.
/// </summary>
public sealed class PropertyTests
{
    private static readonly string Seed = TestSupport.ReadRepositoryFile("specs", "ocp.md");

    private static Gen<T> Choose<T>(params T[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    private static readonly string[] Tricky =
    {
        "", " ", "`", "``", "` `", "\\|", "`a \\| b`", "|", "0x", "0x1F", "1Fh", "h", "-", "–", ":", "31:1", "1:31", "63:0", "64", "4096",
        "99999999999999999999", "4294967296", "2147483647", "-1", "0", "8", "IN", "OUT", "IN/OUT", "in / out", "RAX", "`R8 `", "r16",
        "EAX", "Reserved – MBZ", "Reserved", "GPA of a buffer", "Number of bytes to read", "SVSM_OCP_LIST", "SVSM_X_Y", "**bold**",
        "[link](http://x)", "<b>", "&amp;", "é", "\t", "0x00-0x03", "00h–03h", "7 : 2", "[31..1]", "sizes:", "protocol ID 5",
        "(1 << 8)", "(2 << 0)", "1 <<", "((((1))))", "A | B", "~0", "u8", "__u64", "uint32_t[4]", "struct x", "union y", "u8[]",
        "flag:1", "x:99", "_IOWR", "'S'", "union", "packed", "SVSM_ERR_BUSY", "0x80001006",
    };

    private static readonly string[] Headers =
    {
        "| Call ID | First version supported | Name | Function |",
        "| Register | Size (Bytes) | Alignment | In/Out | Description |",
        "| Register | Size (Bytes) | Alignment | In/Out | Description | Name |",
        "| Offset | Size (Bytes) | Description |",
        "| Offset | Size (Bytes) | Description | Name |",
        "| Bit(s) | Name | Description |",
        "Name | Function | Call ID | First version supported",
        "| Size (Bytes) | In/Out |",
        "| Name | Value | Description |",
        "| Field | Type | Description |",
        "| Type | Field |",
        "| Name | Direction | Type | Number | Argument |",
        "## Result codes",
        "### x union",
        "This struct is `__packed`.",
    };

    // What C and Rust blocks and parameter lists are made of, whole and in pieces.
    private static readonly string[] CodeVocabulary =
    {
        "```", "```c", "```rust", "```yaml", "~~~", "#define A (1 << 3)", "#define B BIT(2)", "#define C GENMASK(7, 0)", "#define D _IOWR('S', 1, struct s)",
        "#define E(x) ((x) << 1)", "#define F", "#include <linux/types.h>", "#if X", "#endif", "#pragma pack(push, 1)", "#pragma pack(pop)",
        "struct s {", "struct s", "union {", "};", "}", "{", "} __packed;", "} __attribute__((packed, aligned(8)));", "__u64 a : 2,", "b : 62;",
        "u8 data[N];", "u8 tail[];", "u32 x __aligned(16);", "struct s inner;", "enum e { A = 1, B, C = A + 4 };", "typedef struct { u8 x; } T;",
        "typedef __u8 guid_t[16];", "/* open comment", "*/", "// --- 'flags' field bits ---", "// comment", "char *p; void (*f)(int);",
        "#[repr(C, packed)]", "#[repr(u8)]", "#[repr(C, align(4096))]", "#[derive(Debug)]", "pub struct S {", "pub a: [u8; N],", "b: [[u16; 2]; 3],",
        "c: Inner,", "d: *const u8,", "pub const N: usize = 4096 - 9;", "const SVSM_T_GO: u32 = 1;", "pub const SVSM_T_PROTOCOL: u32 = 9;",
        "const T_PROTOCOL_VERSION_MAX: u32 = 3;", "pub enum K { A = 1, B }", "enum D { A(u32) }", "type W = u32;", "impl S { fn f(&self) -> [u8; 4] { [0; 4] } }",
        "use crate::{a, b};", "/// doc comment", "//! inner", "const _: () = assert!(true);", "x!{ y }", "'", "\"", "[", "(", "<", ">>",
        "pub struct G<T> { t: T }", "struct Tuple(u32);", "const X: u32 = 1 << 64;", "const Y: u32 = Y;", "u8 a[0x80000000];", "u8 b[UNDEFINED];",
    };

    private static readonly string[] ListVocabulary =
    {
        "* RCX: buffer address (guest physical).  Must be page aligned.", "- **RDX**: (OUT) size (u32)", "+ R8: IN/OUT register", "  * (IN) index (low 32 bits)",
        "  * (OUT) entries returned (4 bytes)", "* EAX: result", "* R99: nothing", "* RCX: 3-byte aligned", "* RCX: 99999999999999999999 KiB aligned",
        "1. RSI: first", "Parameters:", "Call ID:", "### protocol request", "## SVSM_T_GO",
    };

    private static readonly Gen<string> Cell = Gen.OneOf(Choose(Tricky), Gen.String[Gen.Char["`|\\-:0123456789abxhRINOUT \t"], 0, 12]);

    private static readonly Gen<string> Row = Gen.Int[0, 7].SelectMany(n => Cell.Array[n]).Select(cells => "| " + string.Join(" | ", cells) + " |");

    private static readonly Gen<string> Line = Gen.Frequency(
        (3, Row),
        (2, Choose(Headers)),
        (2, Choose("|---|---|---|---|", "|--|--|--|", "---|:--:|--:", "|---|---|---|---|---|---|")),
        (2, Choose("# P", "## SVSM_OCP_LIST Call", "### Registers", "### Source entry layout", "## SVSM_X_Y call", "#### Flags bits", "## Appendix")),
        (2, Choose(
            "It uses protocol ID value 5.", "The initial version of the OCP is 1.", "One entry is 128 bytes in size.",
            "The Flags stored in each entry are a bit field.", "The RCX register holds:", "version 99999999999 of the protocol",
            "protocol ID 0xFFFFFFFFFFFF", "Its size is 0 bytes.")),
        (1, Choose("---", "protocol-id: 5", "version: x", "sizes:", "  Source entry: 0", "```", "> quoted", "- item", "")),
        (3, Choose(CodeVocabulary)),
        (2, Choose(ListVocabulary)),
        (1, Gen.String[0, 40]));

    private static readonly Gen<string> Document = Line.Array[0, 40].Select(lines => string.Join("\n", lines));

    [Fact]
    public void RandomMarkdownNeverThrowsAndGivesAWellFormedModel() =>
        Document.Sample(CheckWellFormed, iter: 4000);

    [Fact]
    public void MutatedSeedTablesNeverThrow()
    {
        var lines = Seed.Split('\n');
        var tableLines = Enumerable.Range(0, lines.Length).Where(i => lines[i].TrimStart().StartsWith('|')).ToArray();
        var mutation = Gen.Select(Choose(tableLines), Gen.Int[0, 7], Gen.Int[0, 7], Gen.Int[0, 8], Cell, (line, i, j, op, garble) => (Line: line, I: i, J: j, Op: op, Garble: garble));
        mutation.Array[1, 6].Sample(
            mutations =>
            {
                var copy = (string[])lines.Clone();
                foreach (var m in mutations)
                {
                    copy[m.Line] = Mutate(copy[m.Line], m.I, m.J, m.Op, m.Garble);
                }

                CheckWellFormed(string.Join("\n", copy));
            },
            iter: 3000);
    }

    public static TheoryData<string> CodeSpecs() => new()
    {
        "specs/uefi-mm.md",
        "specs/uefi-variables.md",
        "specs/vmfwupdate.md",
        "tests/Svsm.Bindings.Spec.Tests/TestSpecs/coconut-attest.md",
        "tests/Svsm.Bindings.Spec.Tests/TestSpecs/coconut-vtpm.md",
        "tests/Svsm.Bindings.Tests/TestSpecs/record-store.md",
    };

    [Theory]
    [MemberData(nameof(CodeSpecs))]
    public void CodeWrittenSpecsWithLinesCutRepeatedAndSplicedNeverThrow(string spec)
    {
        var lines = TestSupport.ReadRepositoryFile(spec.Split('/')).Split('\n');
        var mutation = Gen.Select(Gen.Int[0, lines.Length - 1], Gen.Int[0, 200], Gen.Int[0, 5], Choose(CodeVocabulary), (line, at, op, token) => (Line: line, At: at, Op: op, Token: token));
        mutation.Array[1, 8].Sample(
            mutations =>
            {
                var copy = lines.ToList();
                foreach (var m in mutations)
                {
                    var line = m.Line % copy.Count;
                    var text = copy[line];
                    var at = Math.Min(m.At, text.Length);
                    switch (m.Op)
                    {
                        case 0: copy[line] = text.Substring(0, at); break;
                        case 1: copy[line] = text.Substring(at); break;
                        case 2: copy.Insert(line, text); break;
                        case 3: copy.RemoveAt(line); break;
                        case 4: copy[line] = text.Insert(at, m.Token); break;
                        default: copy.Insert(line, m.Token); break;
                    }

                    if (copy.Count == 0)
                    {
                        copy.Add(string.Empty);
                    }
                }

                CheckWellFormed(string.Join("\n", copy));
            },
            iter: 600);
    }

    [Fact]
    public void EveryTableCellOfTheSeedDroppedSwappedAndGarbledInTurn()
    {
        var lines = Seed.Split('\n');
        for (var line = 0; line < lines.Length; line++)
        {
            if (!lines[line].TrimStart().StartsWith('|'))
            {
                continue;
            }

            var cells = lines[line].Split('|').Length;
            for (var cell = 0; cell < cells; cell++)
            {
                for (var op = 0; op <= 8; op++)
                {
                    var copy = (string[])lines.Clone();
                    copy[line] = Mutate(copy[line], cell, (cell + 1) % cells, op, "garbled `x` \\| 0xZZ");
                    CheckWellFormed(string.Join("\n", copy));
                }
            }
        }
    }

    /// <summary>
    /// Applies one edit to a table line: drop, swap, garble or empty a cell, drop or add a pipe, delete or repeat
    /// the line, or cut it short.
    /// </summary>
    private static string Mutate(string line, int i, int j, int op, string garble)
    {
        var cells = line.Split('|').ToList();
        i %= cells.Count;
        j %= cells.Count;
        switch (op)
        {
            case 0:
                cells.RemoveAt(i);
                break;
            case 1:
                (cells[i], cells[j]) = (cells[j], cells[i]);
                break;
            case 2:
                cells[i] = " " + garble + " ";
                break;
            case 3:
                cells[i] = string.Empty;
                break;
            case 4:
                cells.Insert(i, string.Empty);
                break;
            case 5:
                return string.Empty;
            case 6:
                return line + "\n" + line;
            case 7:
                return line.Substring(0, Math.Min(line.Length, i * 5));
            default:
                cells[i] = cells[i] + "\\";
                break;
        }

        return string.Join("|", cells);
    }

    private static void CheckWellFormed(string text)
    {
        var document = SpecParser.ParseUnguarded(text);
        var lineCount = text.Split('\n').Length + text.Count(c => c == '\r');
        foreach (var diagnostic in document.Diagnostics)
        {
            Assert.Matches("^SVSM[0-9]{4}$", diagnostic.Id);
            Assert.NotEqual("SVSM0999", diagnostic.Id);
            Assert.False(string.IsNullOrWhiteSpace(diagnostic.Message));
            CheckSpan(diagnostic.Span, text, lineCount);
        }

        foreach (var structSpec in document.Structs)
        {
            Assert.True(structSpec.Size >= 0);
            // Only a flexible array (or Rust's [T; 0]) takes no bytes; every field lies inside its struct, and what a
            // field references is a record of the same model.
            Assert.All(structSpec.Fields, f => Assert.True(f.Size >= 0 && f.Offset >= 0 && f.Offset + f.Size <= structSpec.Size && !string.IsNullOrEmpty(f.Name)));
            Assert.All(structSpec.Fields, f => Assert.True(f.Struct is null || document.Structs.Any(s => ReferenceEquals(s, f.Struct))));
            Assert.All(structSpec.Fields, f => Assert.True(f.Bits is null || document.BitFields.Any(b => ReferenceEquals(b, f.Bits))));
            Assert.Equal(structSpec.Fields.Count, structSpec.Fields.Select(f => f.Name).Distinct().Count());
        }

        foreach (var bitField in document.BitFields)
        {
            Assert.Contains(bitField.Width, new[] { 8, 16, 24, 32, 40, 48, 56, 64 });
            Assert.All(bitField.Bits, b => Assert.True(b.Low >= 0 && b.Low <= b.High));
        }

        foreach (var call in document.Calls)
        {
            Assert.All(call.Registers, r => Assert.Contains(r.Size, new[] { 1, 2, 4, 8 }));
            Assert.All(call.Registers, r => Assert.True(r.Alignment is null || (r.Alignment > 0 && (r.Alignment & (r.Alignment - 1)) == 0)));
            CheckSpan(call.Span, text, lineCount);
        }

        Assert.Equal(document, SpecParser.ParseUnguarded(text));
    }

    private static void CheckSpan(SpecSpan span, string text, int lineCount)
    {
        Assert.InRange(span.Start, 0, text.Length);
        Assert.InRange(span.Start + span.Length, 0, text.Length);
        Assert.InRange(span.Line, 1, lineCount);
        Assert.True(span.Column >= 1);
        Assert.True(span.EndLine > span.Line || (span.EndLine == span.Line && span.EndColumn >= span.Column));
    }
}
