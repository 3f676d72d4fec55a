using System.Runtime.InteropServices;
using CsCheck;
using Svsm.Runtime;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>Guest memory moves bytes only inside checked ranges: canaries around every access stay intact.</summary>
public sealed class GuestMemoryTests
{
    private const ulong Base = 0x10_0000;
    private const byte Canary = 0xCC;

    private static PrivateGuestMemory WithCanaries(int pages)
    {
        var memory = new PrivateGuestMemory();
        memory.Map(Base, (ulong)pages * PrivateGuestMemory.PageSize);
        memory.Write(Base, Enumerable.Repeat(Canary, pages * PrivateGuestMemory.PageSize).ToArray());
        return memory;
    }

    private static byte[] Snapshot(PrivateGuestMemory memory, int pages)
    {
        var bytes = new byte[pages * PrivateGuestMemory.PageSize];
        memory.Read(Base, bytes);
        return bytes;
    }

    [Fact]
    public void ReadsAndWritesAcrossPageBoundaries()
    {
        var memory = WithCanaries(3);
        var data = Enumerable.Range(0, 6000).Select(i => (byte)i).ToArray();
        memory.Write(Base + 100, data);
        var back = new byte[6000];
        memory.Read(Base + 100, back);
        Assert.Equal(data, back);
        var all = Snapshot(memory, 3);
        Assert.All(all.Take(100), b => Assert.Equal(Canary, b));
        Assert.All(all.Skip(6100), b => Assert.Equal(Canary, b));
    }

    [Fact]
    public void AWriteThatStraddlesAnUnmappedPageChangesNothing()
    {
        var memory = WithCanaries(2);
        memory.Unmap(Base + PrivateGuestMemory.PageSize, PrivateGuestMemory.PageSize);
        var error = Assert.Throws<GuestMemoryException>(() => memory.Write(Base + 4000, new byte[200]));
        Assert.Equal(GuestMemoryError.Unmapped, error.Error);
        Assert.Contains("0x101000", error.Message);
        var first = new byte[PrivateGuestMemory.PageSize];
        memory.Read(Base, first);
        Assert.All(first, b => Assert.Equal(Canary, b));
    }

    [Theory]
    [InlineData(0x10_0000UL, 0x1_0000_0000UL, GuestMemoryError.Unmapped)]
    [InlineData(0x10_0000UL, 0xFFFF_FFFFUL, GuestMemoryError.Unmapped)]
    [InlineData(0x10_1FFFUL, 2UL, GuestMemoryError.Unmapped)]
    [InlineData(0xFFFF_FFFF_FFFF_FF00UL, 0x200UL, GuestMemoryError.OutOfRange)]
    [InlineData(ulong.MaxValue, 2UL, GuestMemoryError.OutOfRange)]
    public void HugeStraddlingAndWrappingRangesFailBeforeTouchingMemory(ulong gpa, ulong length, GuestMemoryError expected)
    {
        var memory = WithCanaries(2);
        Assert.Equal(expected, Assert.Throws<GuestMemoryException>(() => memory.CheckAccess(gpa, length)).Error);
        Assert.False(memory.IsMapped(gpa, length));
        if (length <= 0x1000)
        {
            Assert.Equal(expected, Assert.Throws<GuestMemoryException>(() => memory.Write(gpa, new byte[length])).Error);
        }

        Assert.All(Snapshot(memory, 2), b => Assert.Equal(Canary, b));
    }

    [Fact]
    public void TheLastPageOfTheAddressSpaceWorksToItsLastByte()
    {
        var memory = new PrivateGuestMemory();
        const ulong top = 0xFFFF_FFFF_FFFF_F000;
        memory.Map(top, PrivateGuestMemory.PageSize);
        memory.Write(ulong.MaxValue, new byte[] { 7 });
        Assert.Equal(7, memory.Read<byte>(ulong.MaxValue));
        Assert.True(memory.IsMapped(top, PrivateGuestMemory.PageSize));
        Assert.Equal(GuestMemoryError.OutOfRange, Assert.Throws<GuestMemoryException>(() => memory.Write(ulong.MaxValue, new byte[2])).Error);
    }

    [Fact]
    public void StructAccessChecksAlignment()
    {
        var memory = WithCanaries(1);
        memory.Write(Base + 8, 0x1122334455667788UL, alignment: 8);
        Assert.Equal(0x1122334455667788UL, memory.Read<ulong>(Base + 8, alignment: 8));
        Assert.Equal(GuestMemoryError.Misaligned, Assert.Throws<GuestMemoryException>(() => memory.Read<ulong>(Base + 4, alignment: 8)).Error);
        Assert.Equal(GuestMemoryError.Misaligned, Assert.Throws<GuestMemoryException>(() => memory.Map(Base + 1, PrivateGuestMemory.PageSize)).Error);
    }

    [Fact]
    public void AllocatorHandsOutDistinctPageAlignedMappedBuffers()
    {
        var memory = new PrivateGuestMemory();
        var allocator = new GuestAllocator(memory, 0x20_0000, 4 * PrivateGuestMemory.PageSize);
        var a = allocator.AllocatePages(1);
        var b = allocator.Allocate<Pair>();
        var c = allocator.AllocatePages(2);
        Assert.Equal(new[] { 0x20_0000UL, 0x20_1000UL, 0x20_2000UL }, new[] { a.Gpa, b.Gpa, c.Gpa });
        Assert.True(memory.IsMapped(a.Gpa, 4 * PrivateGuestMemory.PageSize));
        b.Value = new Pair(1, 2);
        Assert.Equal(new Pair(1, 2), b.Value);
        Assert.Throws<InvalidOperationException>(() => allocator.AllocatePages(1));
    }

    [Fact]
    public void RandomAccessesMatchAReferenceModelAndNeverTouchBytesOutsideTheirRange()
    {
        const int pages = 4;
        var window = (ulong)pages * PrivateGuestMemory.PageSize;
        var access = Gen.Select(Gen.ULong[Base - 64, Base + window + 64], Gen.Int[0, 9000], Gen.Byte, Gen.Bool);
        access.Array[1, 30].Sample(accesses =>
        {
            var memory = WithCanaries(pages);
            memory.Unmap(Base + (2 * PrivateGuestMemory.PageSize), PrivateGuestMemory.PageSize);
            var model = Enumerable.Repeat(Canary, (int)window).ToArray();
            foreach (var (gpa, length, value, write) in accesses)
            {
                // An empty access touches no page, so it succeeds wherever it is, mapped or not.
                var inside = gpa >= Base && gpa + (ulong)length <= Base + window;
                var mapped = length == 0 || (inside && !Overlaps(gpa, (ulong)length, Base + (2 * PrivateGuestMemory.PageSize), PrivateGuestMemory.PageSize));
                var buffer = Enumerable.Repeat(value, length).ToArray();
                try
                {
                    if (write)
                    {
                        memory.Write(gpa, buffer);
                    }
                    else
                    {
                        memory.Read(gpa, buffer);
                    }

                    Assert.True(mapped, $"0x{gpa:X}+{length} should have failed");
                    if (write && length > 0)
                    {
                        Array.Fill(model, value, (int)(gpa - Base), length);
                    }
                    else if (length > 0)
                    {
                        Assert.Equal(model.AsSpan((int)(gpa - Base), length).ToArray(), buffer);
                    }
                }
                catch (GuestMemoryException)
                {
                    Assert.False(mapped, $"0x{gpa:X}+{length} should have worked");
                }
            }

            foreach (var page in new[] { 0, 1, 3 })
            {
                var bytes = new byte[PrivateGuestMemory.PageSize];
                memory.Read(Base + (ulong)(page * PrivateGuestMemory.PageSize), bytes);
                Assert.Equal(model.AsSpan(page * PrivateGuestMemory.PageSize, PrivateGuestMemory.PageSize).ToArray(), bytes);
            }
        }, iter: 500);
    }

    private static bool Overlaps(ulong gpa, ulong length, ulong start, ulong size) => gpa < start + size && start < gpa + length;

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Pair(ulong A, ulong B);
}
