using System;
using System.Collections.Concurrent;
using System.IO;
using System.Security.Cryptography.X509Certificates;

namespace Svsm.Runtime.Attestation;

/// <summary>
/// AMD's public SEV-SNP roots, pinned: per product the ARK, the ASK that signs VCEKs and the ASVK that signs VLEKs,
/// as AMD's KDS serves them (<c>/vcek/v1/{product}/cert_chain</c>, <c>/vlek/v1/{product}/cert_chain</c>). They
/// ship in this assembly; Attestation/AmdRoots/README.md cites where each came from and gives its SHA-256.
/// </summary>
public static class AmdRoots
{
    private static readonly ConcurrentDictionary<string, byte[]> Loaded = new(StringComparer.Ordinal);

    /// <summary>The AMD Root Key of <paramref name="product"/>, self-signed (RSA-4096, RSASSA-PSS with SHA-384).</summary>
    public static X509Certificate2 Ark(SnpProduct product) => Load(product, "ark");

    /// <summary>The AMD SEV Key of <paramref name="product"/>: signs its VCEKs, signed by its ARK.</summary>
    public static X509Certificate2 Ask(SnpProduct product) => Load(product, "ask");

    /// <summary>The AMD SEV VLEK Key of <paramref name="product"/>: signs the VLEKs of cloud providers, signed by its ARK.</summary>
    public static X509Certificate2 Asvk(SnpProduct product) => Load(product, "asvk");

    /// <summary>The certificate that signs <paramref name="kind"/> keys of <paramref name="product"/>: the ASK or the ASVK.</summary>
    public static X509Certificate2 Intermediate(SnpProduct product, SnpSigningKey kind) => kind == SnpSigningKey.Vlek ? Asvk(product) : Ask(product);

    private static X509Certificate2 Load(SnpProduct product, string which)
    {
        var name = product.Name().ToLowerInvariant() + "_" + which + ".pem";
        var der = Loaded.GetOrAdd(name, static resource =>
        {
            using var stream = typeof(AmdRoots).Assembly.GetManifestResourceStream("Svsm.Runtime.AmdRoots." + resource)
                ?? throw new InvalidOperationException("the pinned AMD certificate " + resource + " is missing from Svsm.Runtime");
            using var reader = new StreamReader(stream);
            return X509Certificate2.CreateFromPem(reader.ReadToEnd()).RawData;
        });

        // A new instance each time: callers own and may dispose what they get.
        return new X509Certificate2(der);
    }
}
