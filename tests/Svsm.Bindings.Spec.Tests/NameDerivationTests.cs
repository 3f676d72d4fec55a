using CsCheck;
using Svsm.Bindings.Spec.Building;
using Svsm.Bindings.Spec.Common;
using Svsm.Bindings.Spec.Emitting;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>The naming rule of docs/spec-format.md, "Names".</summary>
public sealed class NameDerivationTests
{
    [Theory]
    [InlineData("Result value", "result")]
    [InlineData("First index to return from the array", "firstIndex")]
    [InlineData("Number of array entries returned", "entriesReturned")]
    [InlineData("GPA of a buffer to store array entries", "bufferGpa")]
    [InlineData("Number of array entries to return", "maxEntries")]
    [InlineData("Array index of the source to read from", "index")]
    [InlineData("GPA of buffer to copy data into", "bufferGpa")]
    [InlineData("Number of bytes to read", "bytesToRead")]
    [InlineData("Number of bytes copied. If less than requested then end of data has been reached.", "bytesCopied")]
    [InlineData("Byte offset into data to start read from", "offset")]
    [InlineData("Number of bytes written", "bytesWritten")]
    [InlineData("Flags", "flags")]
    [InlineData("Name of the source encoded as UTF-8", "name")]
    [InlineData("Guest physical address of the new calling area", "newCallingAreaGpa")]
    [InlineData("Address of the secrets page", "secretsPageAddress")]
    [InlineData("Number of entries", "numEntries")]
    [InlineData("Pointer to the response page", "responsePageAddress")]
    [InlineData("Reserved, must be zero", "reserved")]
    [InlineData("The requested size (in bytes)", "requestedSize")]
    [InlineData("64-bit value", "_64Bit")]
    [InlineData("", "value")]
    [InlineData("A", "a")]
    [InlineData("The", "the")]
    [InlineData("— ", "value")]
    public void FromDescription(string description, string expected)
    {
        Assert.Equal(expected, NameDeriver.FromDescription(description).Identifier);
        Assert.Equal(expected, NameDeriver.IdentifierOf(description));
    }

    [Theory]
    [InlineData("GPA of a buffer to store array entries", "buffer gpa")]
    [InlineData("Pointer to the response page", "response page address")]
    [InlineData("Number of array entries to return", "max entries")]
    [InlineData("Reserved, must be zero", "Reserved")]
    [InlineData("", "value")]
    [InlineData("the counter's value", "counter")]
    public void ThePhraseANameIsMadeOf(string description, string expected) =>
        Assert.Equal(expected, NameDeriver.FromDescription(description).Phrase);

    [Theory]
    [InlineData("num_entries", "numEntries")]
    [InlineData("FirstIndex", "firstIndex")]
    [InlineData("bufferGPA", "bufferGpa")]
    [InlineData("`msg_version`", "msgVersion")]
    [InlineData("GPA", "gpa")]
    [InlineData("SNPReport", "snpReport")]
    public void FromNameCell(string cell, string expected) => Assert.Equal(expected, NameDeriver.FromNameCell(cell));

    [Theory]
    [InlineData("num_entries", "NumEntries")]
    [InlineData("SNPReport", "SnpReport")]
    [InlineData("bufferGPA", "BufferGpa")]
    [InlineData("SVSM_ERR_INVALID_ADDRESS", "SvsmErrInvalidAddress")]
    [InlineData("64-bit value", "_64BitValue")]
    [InlineData("caf\u00e9 cr\u00e8me", "CafCrMe")]
    [InlineData("AB\u00e9", "AB")]
    [InlineData("-- ", "Value")]
    public void PascalRunsTheCapitalisedWordsTogether(string name, string expected) => Assert.Equal(expected, Naming.Pascal(name));

    /// <summary>Pascal is Words' split, each word capitalised: the one-pass writer and the splitter agree on any text.</summary>
    [Fact]
    public void PascalAgreesWithTheWordSplitOnAnyText()
    {
        // Apostrophes aside: the splitter drops a possessive's "s", which a name never has.
        Gen.String[Gen.Char["aAbBzZ09_ -.\u00e9\u00c9\u0130\u212a\u0131"], 0, 16].Sample(name =>
        {
            var words = Words.Split(name, splitUnderscores: true);
            var expected = string.Concat(words.Select(w => char.ToUpperInvariant(w[0]) + w.Substring(1).ToLowerInvariant()));
            expected = expected.Length == 0 ? "Value" : char.IsDigit(expected[0]) ? "_" + expected : expected;
            Assert.Equal(expected, Naming.Pascal(name));
        }, iter: 20000);
    }
}
