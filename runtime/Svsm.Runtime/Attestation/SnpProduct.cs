using System;

namespace Svsm.Runtime.Attestation;

/// <summary>An AMD EPYC generation that signs SEV-SNP reports: it picks the TCB layout and the AMD root of trust.</summary>
public enum SnpProduct
{
    Milan,
    Genoa,
    Turin,
}

/// <summary>Product names as AMD's KDS and its certificates spell them, and the product a report's CPUID names.</summary>
public static class SnpProducts
{
    /// <summary>"Milan", "Genoa" or "Turin": the name in KDS paths and before the "-" of a VCEK's product name.</summary>
    public static string Name(this SnpProduct product) => product switch
    {
        SnpProduct.Milan => "Milan",
        SnpProduct.Genoa => "Genoa",
        SnpProduct.Turin => "Turin",
        _ => throw new ArgumentOutOfRangeException(nameof(product), product, "not an SEV-SNP product"),
    };

    /// <summary>Whether the product's TCB versions have the FMC's SVN in byte 0 (the Turin layout).</summary>
    public static bool HasFmc(this SnpProduct product) => product == SnpProduct.Turin;

    /// <summary>
    /// The product of a report's CPUID family and model (version 3 and later), with the ranges virtee/sev's
    /// <c>identify_cpu</c> uses; null for any other chip, Venice included, which this verifier has no root for.
    /// </summary>
    public static SnpProduct? FromCpuid(byte family, byte model) => (family, model) switch
    {
        (0x19, <= 0x0F) => SnpProduct.Milan,
        (0x19, >= 0x10 and <= 0x1F) or (0x19, >= 0xA0 and <= 0xAF) => SnpProduct.Genoa,
        (0x1A, <= 0x11) => SnpProduct.Turin,
        _ => null,
    };

    /// <summary>
    /// The product of a name such as <c>Milan</c>, <c>Genoa-B1</c> or <c>turin</c> (the part before "-", any case),
    /// as a VCEK's product-name extension or a command line gives it; null for another name.
    /// </summary>
    public static SnpProduct? Parse(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var dash = name.IndexOf('-', StringComparison.Ordinal);
        var family = (dash < 0 ? name : name[..dash]).Trim();
        foreach (var product in Enum.GetValues<SnpProduct>())
        {
            if (string.Equals(family, product.Name(), StringComparison.OrdinalIgnoreCase))
            {
                return product;
            }
        }

        return null;
    }
}
