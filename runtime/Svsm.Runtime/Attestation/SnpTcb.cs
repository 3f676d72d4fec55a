using System;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Svsm.Runtime.Attestation;

/// <summary>
/// A TCB version with its security version numbers by name, read in the product's layout (specs/snp-report.md:
/// <see cref="TcbVersion"/> for Milan and Genoa, <see cref="TurinTcbVersion"/> for Turin, whose FMC the others lack).
/// </summary>
public readonly record struct SnpTcb(byte BootLoader, byte Tee, byte Snp, byte Microcode, byte? Fmc = null)
{
    /// <summary>The parts of the 8-byte TCB version <paramref name="raw"/> (little-endian, as the report stores it) on <paramref name="product"/>.</summary>
    public static SnpTcb Read(ulong raw, SnpProduct product)
    {
        Span<byte> bytes = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, raw);
        if (product.HasFmc())
        {
            var turin = MemoryMarshal.Read<TurinTcbVersion>(bytes);
            return new(turin.BootLoader, turin.Tee, turin.Snp, turin.Microcode, turin.Fmc);
        }

        var tcb = MemoryMarshal.Read<TcbVersion>(bytes);
        return new(tcb.BootLoader, tcb.Tee, tcb.Snp, tcb.Microcode);
    }

    /// <summary>Whether every part is at least <paramref name="minimum"/>'s (the FMC only where both have one).</summary>
    public bool AtLeast(SnpTcb minimum) =>
        BootLoader >= minimum.BootLoader && Tee >= minimum.Tee && Snp >= minimum.Snp && Microcode >= minimum.Microcode &&
        (minimum.Fmc is not { } fmc || (Fmc ?? 0) >= fmc);

    public override string ToString() =>
        (Fmc is { } fmc ? "fmc " + fmc.ToString(CultureInfo.InvariantCulture) + ", " : string.Empty) +
        "boot loader " + BootLoader.ToString(CultureInfo.InvariantCulture) + ", tee " + Tee.ToString(CultureInfo.InvariantCulture) +
        ", snp " + Snp.ToString(CultureInfo.InvariantCulture) + ", microcode " + Microcode.ToString(CultureInfo.InvariantCulture);
}
