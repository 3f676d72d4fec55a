using CsCheck;
using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>
/// A malformed document never throws and always yields a well-formed model: random Markdown built from spec
/// vocabulary, and the seed with its tables' cells dropped, swapped and garbled.
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
            Assert.All(structSpec.Fields, f => Assert.True(f.Size > 0 && f.Offset >= 0 && !string.IsNullOrEmpty(f.Name)));
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
