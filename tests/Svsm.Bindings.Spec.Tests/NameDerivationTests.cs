using Svsm.Bindings.Spec.Building;
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
    public void FromDescription(string description, string expected) =>
        Assert.Equal(expected, NameDeriver.FromDescription(description).Identifier);

    [Theory]
    [InlineData("num_entries", "numEntries")]
    [InlineData("FirstIndex", "firstIndex")]
    [InlineData("bufferGPA", "bufferGpa")]
    [InlineData("`msg_version`", "msgVersion")]
    [InlineData("GPA", "gpa")]
    [InlineData("SNPReport", "snpReport")]
    public void FromNameCell(string cell, string expected) => Assert.Equal(expected, NameDeriver.FromNameCell(cell));
}
