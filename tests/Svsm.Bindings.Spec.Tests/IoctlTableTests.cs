using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>Ioctl tables: request codes computed as Linux's _IOC, and what bad cells get.</summary>
public sealed class IoctlTableTests
{
    private const string Argument = "### struct arg\n\n| Field | Type |\n|---|---|\n| a | u64 |\n| b | u64 |\n| c | u64 |\n| d | u64 |\n\n";

    [Fact]
    public void RequestCodesAreComputedAsIocDoesInAnyColumnOrderAndSpelling()
    {
        var document = TestSupport.Parse(Argument + """
            | Argument | Number | Name | Type | Direction |
            |---|---|---|---|---|
            | struct arg | 0x0 | GET | 'S' | _IOWR |
            | arg | 1 | PUT | 83 | write |
            | | 0x10 | PING | 'S' | _IO |
            | arg | 2 | PEEK | 'S' | read |
            """);
        document.AssertClean();
        Assert.Equal(
            new (string, uint, IoctlDirection, int)[] { ("GET", 0xC0205300, IoctlDirection.ReadWrite, 32), ("PUT", 0x40205301, IoctlDirection.Write, 32), ("PING", 0x5310, IoctlDirection.None, 0), ("PEEK", 0x80205302, IoctlDirection.Read, 32) },
            document.Ioctls.Select(i => (i.Name, i.Number, i.Direction, i.Size)));
    }

    [Fact]
    public void BadCellsAreReportedWhereTheyStand()
    {
        var document = TestSupport.Parse(Argument + """
            | Name | Direction | Type | Number | Argument |
            |---|---|---|---|---|
            | A | sideways | 'S' | 0 | arg |
            | B | _IOR | 'SS' | 0 | arg |
            | C | _IOR | 'S' | 256 | arg |
            | D | _IOR | 'S' | 0 | struct missing |
            | E | _IO | 'S' | 0 | arg |
            """);
        var bad = document.Diagnostics.Where(d => d.Id == "SVSM0002").Select(d => (d.Span.Line, d.Message)).ToList();
        Assert.Equal(5, bad.Count);
        Assert.Contains("ioctl direction", bad[0].Message);
        Assert.Contains("ioctl type", bad[1].Message);
        Assert.Contains("ioctl number", bad[2].Message);
        Assert.Contains("name a struct declared by C type above the table", bad[3].Message);
        Assert.Contains("_IO takes no argument", bad[4].Message);
        Assert.Equal(Enumerable.Range(12, 5), bad.Select(b => b.Line));
        Assert.Empty(document.Ioctls);
    }
}
