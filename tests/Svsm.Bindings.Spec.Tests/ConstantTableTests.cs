using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>Constant and result-code tables: C values, the kinds a heading gives, and what bad cells get.</summary>
public sealed class ConstantTableTests
{
    private static ConstantTableSpec Table(string markdown) => Assert.Single(TestSupport.Parse(markdown).ConstantTables);

    [Fact]
    public void ReadsCValuesInAnyColumnOrderAndNamesTheTableAfterItsHeading()
    {
        var table = Table("""
            ## Capability flags

            | Description | Value | Name |
            |---|--:|---|
            | First | (1 << 0) | `CAP_A` |
            | Second | (1<<8) | CAP_B |
            | Both | CAP_A \| CAP_B | CAP_AB |
            | Hex with suffix | 0x80000000UL | CAP_TOP |
            | Assembler hex | 10h | CAP_H |
            | Arithmetic | (4088 - 8) / 8 | CAP_COUNT |
            | Complement | ~0 & 0xFF | CAP_MASK |
            """);
        Assert.Equal("Capability flags", table.Name);
        Assert.Equal(ConstantTableKind.Flags, table.Kind);
        Assert.Equal(
            new (string, ulong)[] { ("CAP_A", 1), ("CAP_B", 256), ("CAP_AB", 257), ("CAP_TOP", 0x80000000), ("CAP_H", 16), ("CAP_COUNT", 510), ("CAP_MASK", 255) },
            table.Constants.Select(c => (c.Name, c.Value)));
        Assert.Equal("CAP_A | CAP_B", table.Constants[2].Expression);
        Assert.Equal("Both", table.Constants[2].Description);
    }

    [Theory]
    [InlineData("## Result codes")]
    [InlineData("## Errors")]
    [InlineData("### Return codes of the protocol")]
    [InlineData("## Status codes")]
    public void AHeadingAboutErrorsOrResultsMakesResultCodes(string heading)
    {
        var table = Table(heading + "\n\nName | Value\n--- | ---\nSVSM_ERR_X | 0x80001000\n");
        Assert.Equal(ConstantTableKind.ResultCodes, table.Kind);
    }

    [Fact]
    public void KeyValueTablesInProseAreNotConstants()
    {
        var document = TestSupport.Parse("# Notes\n\n| Key | Value |\n|---|---|\n| a | b |\n");
        Assert.Empty(document.ConstantTables);
        Assert.False(document.HasDefinitions);
    }

    [Fact]
    public void AValueThatIsNotACExpressionIsReportedOnItsCell()
    {
        var document = TestSupport.Parse("## Limits\n\n| Name | Value |\n|---|---|\n| A | 1 << |\n| B | UNKNOWN + 1 |\n| C | 1 << 64 |\n| 9X | 1 |\n");
        var errors = document.Diagnostics.Where(d => d.Id == "SVSM0002").ToList();
        Assert.Equal(4, errors.Count);
        Assert.Equal((5, 7), (errors[0].Span.Line, errors[0].Span.Column));
        Assert.Contains("a value is missing", errors[0].Message);
        Assert.Contains("'UNKNOWN' is not a constant of this spec", errors[1].Message);
        Assert.Contains("leaves nothing of a 64-bit value", errors[2].Message);
        Assert.Equal((8, 3), (errors[3].Span.Line, errors[3].Span.Column));
        // Every constant of the table is left out, so the table is too; each error says what it left out.
        Assert.Empty(document.ConstantTables);
        Assert.EndsWith("Not generated: constant 'B'.", errors[1].Message);
    }

    [Fact]
    public void ResultCodesAreThirtyTwoBitsWideAndOneNamePerValue()
    {
        var document = TestSupport.Parse("## Errors\n\n| Name | Value |\n|---|---|\n| E_A | 0x80001000 |\n| E_B | 0x80001000 |\n| E_C | 0x100000000 |\n| E_A | 0x80001001 |\n");
        var duplicate = document.Single("SVSM0033");
        Assert.Equal(6, duplicate.Span.Line);
        Assert.Contains("'E_B' has the value 0x80001000 of 'E_A' (line 5)", duplicate.Message);
        Assert.Equal(7, document.Single("SVSM0034").Span.Line);
        Assert.Equal(8, document.Single("SVSM0026").Span.Line);
        Assert.Equal(new[] { "E_A", "E_B" }, Assert.Single(document.ConstantTables).Constants.Select(c => c.Name));
    }

    [Fact]
    public void FlagTablesAreKnownByHeadingOrByTheirShiftsAndABrokenPatternIsWarned()
    {
        var byHeading = Table("## Control bits\n\n| Name | Value |\n|---|---|\n| CTL_A | 1 |\n| CTL_B | 4 |\n");
        Assert.Equal(ConstantTableKind.Flags, byHeading.Kind);

        var document = TestSupport.Parse("## Capabilities of the VMM\n\n| Name | Value |\n|---|---|\n| CAP_A | (1 << 0) |\n| CAP_B | (2 << 0) |\n| CAP_C | (1 << 2) |\n| CAP_D | 0x6 |\n");
        var warnings = document.Diagnostics.Where(d => d.Id == "SVSM0037").ToList();
        Assert.Equal(new[] { 6, 8 }, warnings.Select(w => w.Span.Line));
        Assert.Contains("'CAP_B' is (2 << 0) (bit 1), where its siblings are written (1 << bit)", warnings[0].Message);
        Assert.Contains("(not a single bit)", warnings[1].Message);
        Assert.Equal(new ulong[] { 1, 2, 4, 6 }, document.ConstantTables[0].Constants.Select(c => c.Value));

        var byShifts = Table("## Misc\n\n| Name | Value |\n|---|---|\n| X | (1 << 3) |\n| Y | (1 << 9) |\n| Z | 5 |\n");
        Assert.Equal(ConstantTableKind.Flags, byShifts.Kind);
        Assert.Equal(ConstantTableKind.Constants, Table("## Limits\n\n| Name | Value |\n|---|---|\n| MAX | 510 |\n| MIN | 1 |\n").Kind);
    }

    [Fact]
    public void LaterTablesMayUseEarlierConstants()
    {
        var document = TestSupport.Parse("## Bases\n\n| Name | Value |\n|---|---|\n| BASE | 0x80001000 |\n\n## Errors\n\n| Name | Value |\n|---|---|\n| E_SIZE | BASE + 6 |\n");
        document.AssertClean();
        Assert.Equal(0x80001006UL, document.ConstantTables[1].Constants[0].Value);
    }

    [Fact]
    public void TheCoreSpecDefinesTheGenericCodesAsLinuxSpellsThem()
    {
        var document = TestSupport.Parse(TestSupport.ReadRepositoryFile("specs", "core.md"));
        document.AssertClean();
        var results = document.ConstantTables.Where(t => t.Kind == ConstantTableKind.ResultCodes).SelectMany(t => t.Constants).ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal(0UL, results["SVSM_SUCCESS"]);
        Assert.Equal(0x80000000UL, results["SVSM_ERR_INCOMPLETE"]);
        Assert.Equal(0x80000005UL, results["SVSM_ERR_INVALID_PARAMETER"]);
        Assert.Equal(0x80000007UL, results["SVSM_ERR_BUSY"]);
        Assert.Equal(0x80001006UL, results["SVSM_PVALIDATE_FAIL_SIZEMISMATCH"]);
        Assert.Equal("SvsmResult", document.Protocol.ResultType);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (uint)i), document.Calls.Select(c => c.Id));
    }
}
