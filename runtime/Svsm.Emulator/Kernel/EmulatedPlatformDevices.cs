using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using Svsm.Runtime;

namespace Svsm.Emulator.Kernel;

/// <summary>Why an emulated MSR, I/O or MMIO access was refused.</summary>
public enum DeviceAccessFailure
{
    /// <summary>No such MSR, or no MMIO region at the address, or a bad size or alignment.</summary>
    Invalid,

    /// <summary>A write to a read-only MSR.</summary>
    NotPermitted,
}

/// <summary>
/// What the proposed ACCESS_MSR, ACCESS_IO and ACCESS_MMIO syscalls reach in the emulator: an MSR file, the
/// 64 KiB I/O port space and MMIO regions. Unclaimed I/O ports read as all ones and ignore writes, as on a PC
/// bus; MSRs and MMIO addresses exist only where the host defines them. Accesses are serialised.
/// </summary>
public sealed class EmulatedPlatformDevices
{
    private readonly object gate = new();
    private readonly Dictionary<uint, (ulong Value, bool Writable)> msrs = new();
    private readonly byte[] ioSpace = new byte[0x10000];
    private readonly bool[] ioClaimed = new bool[0x10000];
    private readonly List<(ulong Base, byte[] Bytes)> mmio = new();

    /// <summary>Defines an MSR with its value; a read-only one refuses writes.</summary>
    public void DefineMsr(uint index, ulong value, bool writable = true)
    {
        lock (gate)
        {
            msrs[index] = (value, writable);
        }
    }

    /// <summary>The value of a defined MSR.</summary>
    public ulong ReadMsr(uint index)
    {
        lock (gate)
        {
            return msrs.TryGetValue(index, out var msr) ? msr.Value : throw new KeyNotFoundException("MSR 0x" + index.ToString("X", System.Globalization.CultureInfo.InvariantCulture) + " is not defined");
        }
    }

    /// <summary>Claims <paramref name="count"/> I/O ports from <paramref name="first"/>: they keep what is written to them.</summary>
    public void ClaimIoPorts(ushort first, int count)
    {
        if (count < 1 || first + count > 0x10000)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "the ports must lie within 0 to 0xFFFF");
        }

        lock (gate)
        {
            Array.Fill(ioClaimed, true, first, count);
        }
    }

    /// <summary>Adds an MMIO region of <paramref name="length"/> zeroed bytes at <paramref name="physicalBase"/>.</summary>
    public void AddMmioRegion(ulong physicalBase, int length)
    {
        if (length < 1 || physicalBase + (ulong)length < physicalBase)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "an MMIO region has at least one byte and does not wrap");
        }

        lock (gate)
        {
            foreach (var (start, bytes) in mmio)
            {
                if (physicalBase < start + (ulong)bytes.Length && start < physicalBase + (ulong)length)
                {
                    throw new ArgumentException("the region overlaps the one at 0x" + start.ToString("X", System.Globalization.CultureInfo.InvariantCulture), nameof(physicalBase));
                }
            }

            mmio.Add((physicalBase, new byte[length]));
        }
    }

    internal DeviceAccessFailure? AccessMsr(uint index, bool read, ref ulong value)
    {
        lock (gate)
        {
            if (!msrs.TryGetValue(index, out var msr))
            {
                return DeviceAccessFailure.Invalid;
            }

            if (read)
            {
                value = msr.Value;
                return null;
            }

            if (!msr.Writable)
            {
                return DeviceAccessFailure.NotPermitted;
            }

            msrs[index] = (value, true);
            return null;
        }
    }

    internal DeviceAccessFailure? AccessIo(ushort port, int size, bool read, ref ulong value)
    {
        if (size is not (1 or 2 or 4) || port + size > 0x10000)
        {
            return DeviceAccessFailure.Invalid;
        }

        lock (gate)
        {
            Span<byte> bytes = stackalloc byte[8];
            for (var i = 0; i < size; i++)
            {
                if (read)
                {
                    bytes[i] = ioClaimed[port + i] ? ioSpace[port + i] : (byte)0xFF;
                }
                else if (ioClaimed[port + i])
                {
                    ioSpace[port + i] = (byte)(value >> (8 * i));
                }
            }

            if (read)
            {
                value = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            }

            return null;
        }
    }

    internal DeviceAccessFailure? AccessMmio(ulong address, int size, bool read, ref ulong value)
    {
        if (size is not (1 or 2 or 4 or 8) || address % (ulong)size != 0)
        {
            return DeviceAccessFailure.Invalid;
        }

        lock (gate)
        {
            if (!TryFindMmio(address, size, out var window))
            {
                return DeviceAccessFailure.Invalid;
            }

            Span<byte> wide = stackalloc byte[8];
            if (read)
            {
                window.CopyTo(wide);
                value = BinaryPrimitives.ReadUInt64LittleEndian(wide);
            }
            else
            {
                BinaryPrimitives.WriteUInt64LittleEndian(wide, value);
                wide[..size].CopyTo(window);
            }

            return null;
        }
    }

    /// <summary>The <paramref name="length"/> bytes at <paramref name="address"/> of the one region that holds them all; call under the lock.</summary>
    private bool TryFindMmio(ulong address, int length, out Span<byte> window)
    {
        foreach (var (start, bytes) in mmio)
        {
            if (address >= start && length <= bytes.Length && address - start <= (ulong)(bytes.Length - length))
            {
                window = bytes.AsSpan((int)(address - start), length);
                return true;
            }
        }

        window = default;
        return false;
    }

    /// <summary>The bytes of the MMIO region that holds <paramref name="address"/>, from that address on (a copy).</summary>
    public byte[] ReadMmio(ulong address, int length)
    {
        lock (gate)
        {
            return TryFindMmio(address, length, out var window)
                ? window.ToArray()
                : throw new ArgumentOutOfRangeException(nameof(address), address, "no MMIO region holds the range");
        }
    }
}
