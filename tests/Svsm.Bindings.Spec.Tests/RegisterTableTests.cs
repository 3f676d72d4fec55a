using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

public sealed class RegisterTableTests
{
    private static CallSpec Run(SpecDocument document) => document.Call("SVSM_T_RUN");

    [Fact]
    public void ColumnsReorderedWithNameColumnAndInOutRow()
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters("""
            | In/Out | Description | Name | Register | Alignment | Size (Bytes) |
            |:------:|-------------|------|----------|----------:|-------------:|
            | OUT    | Result value | `status` | rax |  | 8 |
            | IN/OUT | Count of things in, count done out | `count` | `rcx` | | 4 |
            | in     | GPA of the request page | request_gpa | R8 | 4096 | 8 |
            """));
        document.AssertClean();
        Assert.Equal(
            new[]
            {
                ("RAX", RegisterDirection.Out, 8, (int?)null, "status"),
                ("RCX", RegisterDirection.InOut, 4, null, "count"),
                ("R8", RegisterDirection.In, 8, 4096, "requestGpa"),
            },
            Run(document).Registers.Select(r => (r.Register, r.Direction, r.Size, r.Alignment, r.Name)));
    }

    [Theory]
    [InlineData("`R8 `")]
    [InlineData("` r8`")]
    [InlineData("r8")]
    [InlineData("**R8**")]
    [InlineData("%r8")]
    public void RegisterNamesAreNormalised(string cell)
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters($"""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | {cell} | 4 | | IN | Number of bytes to read |
            """));
        Assert.Equal("R8", Assert.Single(Run(document).Registers).Register);
    }

    [Theory]
    [InlineData("XMM0", "")]
    [InlineData("EAX", "write RAX")]
    [InlineData("R16", "")]
    [InlineData("CR3", "")]
    public void NonGeneralPurposeRegisterIsAnError(string register, string hint)
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters($"""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | {register} | 4 | | IN | Value |
            """));
        var error = document.Single("SVSM0006");
        Assert.Equal((17, 3), (error.Span.Line, error.Span.Column));
        Assert.Contains(hint, error.Message);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("16")]
    [InlineData("0")]
    public void SizeMustBeOneTwoFourOrEight(string size)
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters($"""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | {size} | | IN | Value |
            """));
        var error = document.Single("SVSM0007");
        Assert.Equal((17, 9), (error.Span.Line, error.Span.Column));
    }

    [Fact]
    public void SizeWithUnitIsAccepted()
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters("""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 8 bytes | 8 | IN | Value |
            """));
        Assert.Equal(8, Assert.Single(Run(document).Registers).Size);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("12")]
    [InlineData("0")]
    public void AlignmentMustBeAPowerOfTwo(string alignment)
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters($"""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 8 | {alignment} | IN | Value |
            """));
        Assert.Equal(13, document.Single("SVSM0009").Span.Column);
    }

    [Fact]
    public void RepeatedRegisterInOneDirectionIsAnError()
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters("""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 8 | | IN/OUT | Value |
            | RCX | 8 | | OUT | Again |
            | RDX | 8 | | IN | One |
            | rdx | 8 | | in | Two |
            """));
        var errors = document.Diagnostics.Where(d => d.Id == "SVSM0008").ToList();
        Assert.Equal(new[] { 18, 20 }, errors.Select(e => e.Span.Line));
        Assert.Contains("line 17", errors[0].Message);
    }

    [Fact]
    public void RegisterInAndOutInSeparateRowsIsFine()
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters("""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 4 | | IN | First index to return from the array |
            | RCX | 4 | | OUT | Number of array entries returned |
            """));
        document.AssertClean();
        Assert.Equal(2, Run(document).Registers.Count);
    }

    [Theory]
    [InlineData("INPUT", RegisterDirection.In)]
    [InlineData("Out", RegisterDirection.Out)]
    [InlineData("In / Out", RegisterDirection.InOut)]
    [InlineData("INOUT", RegisterDirection.InOut)]
    public void DirectionSpellings(string cell, RegisterDirection direction)
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters($"""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 4 | | {cell} | Value |
            """));
        Assert.Equal(direction, Assert.Single(Run(document).Registers).Direction);
    }

    [Fact]
    public void UnknownDirectionIsAnError()
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters("""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 4 | | sideways | Value |
            """));
        Assert.Contains("'sideways'", document.Single("SVSM0010").Message);
    }

    [Theory]
    [InlineData("GPA of the request")]
    [InlineData("Guest physical address of the buffer")]
    [InlineData("Pointer to the page")]
    public void AddressInANarrowRegisterIsAWarning(string description)
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters($"""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RDX | 4 | | IN | {description} |
            """));
        var warning = document.Single("SVSM0019");
        Assert.Equal(SpecSeverity.Warning, warning.Severity);
        Assert.Equal((17, 9), (warning.Span.Line, warning.Span.Column));
        Assert.Single(Run(document).Registers);
    }

    [Fact]
    public void MissingColumnsAreErrorsEvenUnderARegistersHeadingWithoutARegisterColumn()
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters("""
            | Size (Bytes) | In/Out | Description |
            |---|---|---|
            | 4 | IN | Value |
            """));
        var missing = document.Diagnostics.Where(d => d.Id == "SVSM0001").Select(d => d.Message).ToList();
        Assert.Equal(2, missing.Count);
        Assert.Contains(missing, m => m.Contains("'Register'"));
        Assert.Contains(missing, m => m.Contains("'Alignment'"));
        document.AssertNo("SVSM0011");
    }

    [Fact]
    public void DuplicateNameCellsAreErrorsButDerivedNamesAreNumbered()
    {
        var named = TestSupport.Parse(TestSupport.WithRegisters("""
            | Register | Size (Bytes) | Alignment | In/Out | Description | Name |
            |---|---|---|---|---|---|
            | RCX | 4 | | IN | A | value |
            | RDX | 4 | | IN | B | value |
            """));
        named.Single("SVSM0026");

        var derived = TestSupport.Parse(TestSupport.WithRegisters("""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 4 | | IN | Number of bytes to read |
            | RDX | 4 | | IN | Number of bytes to read |
            | R8 | 4 | | OUT | Number of bytes to read |
            """));
        derived.AssertClean();
        Assert.Equal(new[] { "bytesToRead", "bytesToRead2", "bytesToRead" }, Run(derived).Registers.Select(r => r.Name));
    }

    [Theory]
    [InlineData("4096", "SVSM_ERR_INVALID_PARAMETER", 0x8000_0005u)]
    [InlineData("4096 (SVSM_ERR_INVALID_ADDRESS)", "SVSM_ERR_INVALID_ADDRESS", 0x8000_0003u)]
    [InlineData("4096, else `SVSM_ERR_INVALID_ADDRESS`", "SVSM_ERR_INVALID_ADDRESS", 0x8000_0003u)]
    [InlineData("`8` (SVSM_ERR_BUSY)", "SVSM_ERR_BUSY", 0x8000_0007u)]
    public void AnAlignmentCellNamesWhatAMisalignedInputGets(string cell, string name, uint code)
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters($"""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 8 | {cell} | IN | GPA of the page |
            """));
        document.AssertClean();
        var register = Assert.Single(Run(document).Registers);
        Assert.Equal((cell.StartsWith('`') ? 8 : 4096, new ResultCodeReference(name, code)), (register.Alignment!.Value, register.Misaligned));
    }

    [Theory]
    [InlineData("8 (not checked)")]
    [InlineData("8, unchecked")]
    public void AnAlignmentTheSvsmDoesNotCheckHasNoCode(string cell)
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters($"""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 8 | {cell} | IN | GPA of the list |
            """));
        document.AssertClean();
        Assert.Equal((8, (ResultCodeReference?)null), (Run(document).Registers[0].Alignment!.Value, Run(document).Registers[0].Misaligned));
    }

    [Fact]
    public void ACodeTheSpecDoesNotDefineIsAnErrorAtItsCellAndTheCallIsLeftOut()
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters("""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 8 | 4096 (SVSM_ERR_NO_SUCH_CODE) | IN | GPA of the page |
            """));
        var error = document.Single("SVSM0053");
        Assert.Equal((17, 13), (error.Span.Line, error.Span.Column));
        Assert.Contains("SVSM_ERR_NO_SUCH_CODE", error.Message);
        Assert.DoesNotContain(document.Calls, c => c.Name == "SVSM_T_RUN");
    }

    [Theory]
    [InlineData("4096 bytes please")]
    [InlineData("4096 (invalid address)")]
    public void AnAlignmentCellWithWordsTheReaderDoesNotKnowIsMalformed(string cell)
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters($"""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 8 | {cell} | IN | GPA of the page |
            """));
        Assert.Contains("alignment", document.Single("SVSM0002").Message);
    }

    [Theory]
    [InlineData("OUT (also on error)")]
    [InlineData("out, also on error")]
    [InlineData("IN/OUT (also on error)")]
    public void AnOutputMarkedAlsoOnErrorIsReturnedOnFailure(string cell)
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters($"""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RAX | 4 | | OUT | Result value |
            | RCX | 4 | | {cell} | Size needed |
            | RDX | 4 | | OUT | Size written |
            """));
        document.AssertClean();
        Assert.Equal(new[] { ("RCX", true), ("RDX", false) }, Run(document).Registers.Where(r => r.Register != "RAX").Select(r => (r.Register, r.ReturnedOnError)));
    }

    [Fact]
    public void AnInputCannotBeReturnedOnError()
    {
        var document = TestSupport.Parse(TestSupport.WithRegisters("""
            | Register | Size (Bytes) | Alignment | In/Out | Description |
            |---|---|---|---|---|
            | RCX | 4 | | IN (also on error) | Size |
            """));
        Assert.Contains("only an output is returned on error", document.Single("SVSM0002").Message);
    }
}
