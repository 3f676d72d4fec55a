using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Svsm.Runtime.Attestation;

/// <summary>
/// The certificates that go with a report: its signing key (VCEK or VLEK), and where known the intermediate (ASK or
/// ASVK), the ARK and AMD's CRL. They come from a directory (<see cref="FromDirectory"/>), from the certificate table
/// of an extended report or configfs-tsm's auxblob (<see cref="FromCertificateTable"/>), or from AMD's KDS.
/// </summary>
public sealed record SnpCertificates(X509Certificate2 SigningKey, X509Certificate2? Intermediate = null, X509Certificate2? Ark = null, byte[]? Crl = null)
{
    /// <summary>The file names <see cref="FromDirectory"/> reads, each DER or PEM.</summary>
    public static IReadOnlyList<string> DirectoryFileNames { get; } =
        ["vcek.der", "vcek.pem", "vlek.der", "vlek.pem", "cert_chain.pem", "ask.der", "ask.pem", "asvk.der", "asvk.pem", "ark.der", "ark.pem", "crl.der", "crl.pem"];

    /// <summary>
    /// Reads <paramref name="directory"/>: <c>vcek.der</c> or <c>vcek.pem</c> (or <c>vlek.*</c>); optionally
    /// <c>cert_chain.pem</c> (the intermediate then the ARK, as KDS serves it) or <c>ask.*</c>/<c>asvk.*</c> and
    /// <c>ark.*</c>; and <c>crl.der</c> or <c>crl.pem</c>. Throws <see cref="CryptographicException"/> naming a file
    /// that is neither DER nor PEM, and <see cref="FileNotFoundException"/> when there is no signing key.
    /// </summary>
    public static SnpCertificates FromDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException("no certificate directory " + directory);
        }

        var signingKey = LoadFirst(directory, "vcek") ?? LoadFirst(directory, "vlek")
            ?? throw new FileNotFoundException($"{directory} has no vcek.der, vcek.pem, vlek.der or vlek.pem");
        X509Certificate2? intermediate = null, ark = null;
        var chainPath = Path.Combine(directory, "cert_chain.pem");
        if (File.Exists(chainPath))
        {
            var chain = LoadAll(chainPath);
            if (chain.Count != 2)
            {
                throw new CryptographicException($"{chainPath} holds {chain.Count} certificates, not the intermediate and the ARK");
            }

            (intermediate, ark) = (chain[0], chain[1]);
        }

        intermediate = LoadFirst(directory, "ask") ?? LoadFirst(directory, "asvk") ?? intermediate;
        ark = LoadFirst(directory, "ark") ?? ark;
        var crl = ReadCrl(directory);
        return new SnpCertificates(signingKey, intermediate, ark, crl);
    }

    /// <summary>
    /// The certificates of a GHCB certificate table (an extended report's, or configfs-tsm's auxblob): the VLEK when
    /// there is one, else the VCEK; the ASK entry (which also carries an ASVK), the ARK and the CRL.
    /// </summary>
    public static SnpCertificates FromCertificateTable(ReadOnlyMemory<byte> table)
    {
        var entries = AttestationEvidence.ParseCertificateTable(table);
        X509Certificate2? Find(Guid id) => entries.FirstOrDefault(e => e.Id == id) is { } entry ? Load(entry.Der.ToArray(), entry.Name) : null;
        var signingKey = Find(SvsmAttestationGuids.Vlek) ?? Find(SvsmAttestationGuids.Vcek)
            ?? throw new CryptographicException("the certificate table has no VCEK or VLEK");
        return new SnpCertificates(signingKey, Find(SvsmAttestationGuids.Ask), Find(SvsmAttestationGuids.Ark),
            entries.FirstOrDefault(e => e.Id == SvsmAttestationGuids.Crl)?.Der.ToArray());
    }

    /// <summary>A certificate from DER or PEM bytes; <paramref name="name"/> names it in the error when it is neither.</summary>
    public static X509Certificate2 Load(byte[] bytes, string name)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            if (IsPem(bytes))
            {
                return X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(bytes));
            }

            return new X509Certificate2(bytes);
        }
        catch (CryptographicException exception)
        {
            throw new CryptographicException($"{name} is not a DER or PEM certificate: {exception.Message}", exception);
        }
    }

    private static X509Certificate2? LoadFirst(string directory, string stem)
    {
        foreach (var extension in new[] { ".der", ".pem", ".cer", ".crt" })
        {
            var path = Path.Combine(directory, stem + extension);
            if (File.Exists(path))
            {
                return Load(File.ReadAllBytes(path), path);
            }
        }

        return null;
    }

    private static List<X509Certificate2> LoadAll(string path)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(File.ReadAllText(path));
        }
        catch (CryptographicException exception)
        {
            throw new CryptographicException($"{path} is not PEM certificates: {exception.Message}", exception);
        }

        return collection.ToList();
    }

    private static byte[]? ReadCrl(string directory)
    {
        var der = Path.Combine(directory, "crl.der");
        var pem = Path.Combine(directory, "crl.pem");
        if (File.Exists(der))
        {
            return File.ReadAllBytes(der);
        }

        if (!File.Exists(pem))
        {
            return null;
        }

        var text = File.ReadAllText(pem);
        if (!PemEncoding.TryFind(text, out var fields))
        {
            throw new CryptographicException(pem + " is not PEM");
        }

        return Convert.FromBase64String(text[fields.Base64Data]);
    }

    private static bool IsPem(byte[] bytes)
    {
        var start = 0;
        while (start < bytes.Length && bytes[start] is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t')
        {
            start++;
        }

        return bytes.AsSpan(start).StartsWith("-----BEGIN"u8);
    }
}
