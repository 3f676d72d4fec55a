using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace Svsm.Runtime;

/// <summary>
/// Guest RAM held in the process: 4 KiB pages mapped where the guest has memory. Every access is checked whole
/// before a byte moves, so a range that wraps, or straddles an unmapped page, fails without touching memory. Accesses
/// take no lock: pages below 64 GiB are found through a two-level table, and only mapping, unmapping and the rare page
/// above that take one. So an access that races an unmap of its own pages (the guest's own race) can find a page gone
/// after the check, and fail having copied part of the range.
/// </summary>
public sealed class PrivateGuestMemory : IGuestMemory
{
    public const int PageSize = 4096;

    private const int PageBits = 12;
    private const int LeafBits = 10;
    private const int LeafSize = 1 << LeafBits;
    private const ulong TableLimit = 1UL << 36;

    private readonly byte[]?[]?[] directory = new byte[]?[]?[(int)(TableLimit >> (PageBits + LeafBits))];
    private readonly Dictionary<ulong, byte[]> highPages = new();
    private readonly object gate = new();

    /// <summary>Maps zeroed pages over <paramref name="length"/> bytes from page-aligned <paramref name="gpa"/>.</summary>
    public void Map(ulong gpa, ulong length)
    {
        CheckRange(gpa, length, PageSize);
        if (length % PageSize != 0)
        {
            throw new GuestMemoryException(GuestMemoryError.Misaligned, gpa, length, "a mapping is a whole number of 4 KiB pages");
        }

        lock (gate)
        {
            for (ulong i = 0; i < length / PageSize; i++)
            {
                var page = gpa + (i * PageSize);
                if (page >= TableLimit)
                {
                    highPages.TryAdd(page, new byte[PageSize]);
                    continue;
                }

                var index = page >> PageBits;
                var leaf = directory[index >> LeafBits];
                if (leaf is null)
                {
                    leaf = new byte[]?[LeafSize];
                    Volatile.Write(ref directory[index >> LeafBits], leaf);
                }

                if (leaf[index & (LeafSize - 1)] is null)
                {
                    Volatile.Write(ref leaf[index & (LeafSize - 1)], new byte[PageSize]);
                }
            }
        }
    }

    /// <summary>Removes the pages over the range; later accesses to them fail as unmapped.</summary>
    public void Unmap(ulong gpa, ulong length)
    {
        CheckRange(gpa, length, PageSize);
        lock (gate)
        {
            for (ulong i = 0; i < (length + PageSize - 1) / PageSize; i++)
            {
                var page = gpa + (i * PageSize);
                if (page >= TableLimit)
                {
                    highPages.Remove(page);
                }
                else if (directory[page >> (PageBits + LeafBits)] is { } leaf)
                {
                    Volatile.Write(ref leaf[(page >> PageBits) & (LeafSize - 1)], null);
                }
            }
        }
    }

    /// <summary>Whether every byte of the range is mapped (false for a range that wraps).</summary>
    public bool IsMapped(ulong gpa, ulong length)
    {
        if (length != 0 && gpa + length - 1 < gpa)
        {
            return false;
        }

        return FirstMissingPage(gpa, length) is null;
    }

    public void Read(ulong gpa, Span<byte> destination)
    {
        if (InOnePage(gpa, destination.Length) is { } page)
        {
            page.AsSpan((int)(gpa & (PageSize - 1)), destination.Length).CopyTo(destination);
            return;
        }

        CheckMapped(gpa, (ulong)destination.Length);
        var done = 0;
        while (done < destination.Length)
        {
            var address = gpa + (ulong)done;
            var offset = (int)(address % PageSize);
            var count = Math.Min(PageSize - offset, destination.Length - done);
            PageOrThrow(address - (ulong)offset, gpa, destination.Length).AsSpan(offset, count).CopyTo(destination.Slice(done, count));
            done += count;
        }
    }

    public void Write(ulong gpa, ReadOnlySpan<byte> source)
    {
        if (InOnePage(gpa, source.Length) is { } page)
        {
            source.CopyTo(page.AsSpan((int)(gpa & (PageSize - 1))));
            return;
        }

        CheckMapped(gpa, (ulong)source.Length);
        var done = 0;
        while (done < source.Length)
        {
            var address = gpa + (ulong)done;
            var offset = (int)(address % PageSize);
            var count = Math.Min(PageSize - offset, source.Length - done);
            source.Slice(done, count).CopyTo(PageOrThrow(address - (ulong)offset, gpa, source.Length).AsSpan(offset, count));
            done += count;
        }
    }

    /// <summary>
    /// Throws the <see cref="GuestMemoryException"/> a <paramref name="length"/>-byte access at <paramref name="gpa"/>
    /// would: handlers check guest-supplied lengths (up to 2^64) with this before allocating anything.
    /// </summary>
    public void CheckAccess(ulong gpa, ulong length) => CheckMapped(gpa, length);

    private void CheckMapped(ulong gpa, ulong length)
    {
        CheckRange(gpa, length, 1);
        if (FirstMissingPage(gpa, length) is { } page)
        {
            throw new GuestMemoryException(GuestMemoryError.Unmapped, gpa, length, $"page 0x{page:X} is not mapped");
        }
    }

    // Most accesses are within one mapped page: that page, found once; null sends the access the long way round.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte[]? InOnePage(ulong gpa, int length)
    {
        var offset = gpa & (PageSize - 1);
        return length > 0 && offset + (ulong)length <= PageSize && gpa < TableLimit ? Page(gpa - offset) : null;
    }

    private byte[] PageOrThrow(ulong page, ulong gpa, int length) =>
        Page(page) ?? throw new GuestMemoryException(GuestMemoryError.Unmapped, gpa, (ulong)length, $"page 0x{page:X} was unmapped during the access");

    private byte[]? Page(ulong page)
    {
        if (page < TableLimit)
        {
            var leaf = Volatile.Read(ref directory[page >> (PageBits + LeafBits)]);
            return leaf is null ? null : Volatile.Read(ref leaf[(page >> PageBits) & (LeafSize - 1)]);
        }

        lock (gate)
        {
            return highPages.GetValueOrDefault(page);
        }
    }

    // Counts pages rather than comparing addresses, so a range ending at the top of the address space cannot loop.
    private ulong? FirstMissingPage(ulong gpa, ulong length)
    {
        if (length == 0)
        {
            return null;
        }

        var first = gpa & ~(ulong)(PageSize - 1);
        var count = (((gpa + length - 1) & ~(ulong)(PageSize - 1)) - first) / PageSize + 1;
        for (ulong i = 0; i < count; i++)
        {
            var page = first + (i * PageSize);
            if (Page(page) is null)
            {
                return page;
            }
        }

        return null;
    }

    internal static void CheckRange(ulong gpa, ulong length, int alignment)
    {
        if (length != 0 && gpa + length - 1 < gpa)
        {
            throw new GuestMemoryException(GuestMemoryError.OutOfRange, gpa, length, "the range runs past the top of the address space");
        }

        if (gpa % (ulong)alignment != 0)
        {
            throw new GuestMemoryException(GuestMemoryError.Misaligned, gpa, length, $"the address must be {alignment}-byte aligned");
        }
    }
}

/// <summary>Typed, alignment-checked access to structs in guest memory.</summary>
public static class GuestMemoryExtensions
{
    /// <summary>Reads a <typeparamref name="T"/> at <paramref name="gpa"/>, which must be <paramref name="alignment"/>-aligned.</summary>
    public static T Read<T>(this IGuestMemory memory, ulong gpa, int alignment = 1)
        where T : unmanaged
    {
        PrivateGuestMemory.CheckRange(gpa, (ulong)Unsafe.SizeOf<T>(), alignment);
        T value = default;
        memory.Read(gpa, MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1)));
        return value;
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="gpa"/>, which must be <paramref name="alignment"/>-aligned.</summary>
    public static void Write<T>(this IGuestMemory memory, ulong gpa, in T value, int alignment = 1)
        where T : unmanaged
    {
        PrivateGuestMemory.CheckRange(gpa, (ulong)Unsafe.SizeOf<T>(), alignment);
        memory.Write(gpa, MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(in value, 1)));
    }
}

/// <summary>A page-aligned range of guest memory handed out by a <see cref="GuestAllocator"/>.</summary>
public readonly record struct GuestBuffer(ulong Gpa, ulong Length);

/// <summary>A typed guest buffer holding one <typeparamref name="T"/>, so client code never juggles raw GPAs.</summary>
public readonly record struct GuestBuffer<T>(IGuestMemory Memory, ulong Gpa)
    where T : unmanaged
{
    public T Value
    {
        get => Memory.Read<T>(Gpa);
        set => Memory.Write(Gpa, value);
    }
}

/// <summary>Hands out page-aligned guest buffers from a region of guest memory, mapping them as it goes.</summary>
public sealed class GuestAllocator
{
    private readonly object gate = new();
    private readonly IGuestMemory memory;
    private readonly ulong baseGpa;
    private readonly ulong size;
    private ulong next;

    /// <summary>An allocator over <paramref name="size"/> bytes from <paramref name="baseGpa"/>; private memory is mapped as buffers are handed out, other memory must be there already.</summary>
    public GuestAllocator(IGuestMemory memory, ulong baseGpa, ulong size)
    {
        PrivateGuestMemory.CheckRange(baseGpa, size, PrivateGuestMemory.PageSize);
        this.memory = memory ?? throw new ArgumentNullException(nameof(memory));
        this.baseGpa = baseGpa;
        this.size = size;
        next = baseGpa;
    }

    public GuestBuffer AllocatePages(int count)
    {
        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "allocate one page or more");
        }

        var length = (ulong)count * PrivateGuestMemory.PageSize;
        lock (gate)
        {
            if (length > baseGpa + size - next)
            {
                throw new InvalidOperationException($"the guest region 0x{baseGpa:X}+0x{size:X} has no {count} free pages");
            }

            var gpa = next;
            if (memory is PrivateGuestMemory privateMemory)
            {
                privateMemory.Map(gpa, length);
            }
            else if (!memory.IsMapped(gpa, length))
            {
                throw new InvalidOperationException($"guest memory 0x{gpa:X}+0x{length:X} is not there to allocate");
            }

            memory.Write(gpa, new byte[length]);
            next += length;
            return new GuestBuffer(gpa, length);
        }
    }

    public GuestBuffer<T> Allocate<T>()
        where T : unmanaged
    {
        var pages = (Unsafe.SizeOf<T>() + PrivateGuestMemory.PageSize - 1) / PrivateGuestMemory.PageSize;
        return new GuestBuffer<T>(memory, AllocatePages(Math.Max(1, pages)).Gpa);
    }
}
