using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;

namespace Svsm.Runtime.Attestation;

/// <summary>
/// The file operations configfs-tsm needs. <see cref="ConfigfsFileSystem"/> makes them on the real file system; a
/// test serves them from a fake kernel.
/// </summary>
public interface IConfigfsFileSystem
{
    bool DirectoryExists(string path);

    /// <summary>Makes a report directory; configfs fills it with the attributes.</summary>
    void CreateDirectory(string path);

    /// <summary>Stores an attribute in one write, as configfs wants it.</summary>
    void WriteAttribute(string path, ReadOnlySpan<byte> value);

    /// <summary>Reads an attribute to its end.</summary>
    byte[] ReadAttribute(string path);

    /// <summary>Removes a report directory (rmdir; configfs takes the attributes with it).</summary>
    void RemoveDirectory(string path);
}

/// <summary>configfs through System.IO: attributes opened without creating them, read to EOF (configfs sizes them 0).</summary>
public sealed class ConfigfsFileSystem : IConfigfsFileSystem
{
    public static ConfigfsFileSystem Instance { get; } = new();

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public void WriteAttribute(string path, ReadOnlySpan<byte> value)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        stream.Write(value);
    }

    public byte[] ReadAttribute(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }

    public void RemoveDirectory(string path) => Directory.Delete(path, recursive: false);
}

/// <summary>configfs-tsm cannot be used here, or refused the request; the message says what is missing or wrong.</summary>
public sealed class ConfigfsTsmException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Attests through Linux's configfs-tsm (<c>Documentation/ABI/testing/configfs-tsm-report</c>), the interface a real
/// SEV-SNP guest under an SVSM has: make a report directory, write <c>inblob</c>, <c>service_provider</c> = svsm,
/// <c>service_guid</c> and <c>service_manifest_version</c>, check <c>provider</c>, read <c>outblob</c>,
/// <c>manifestblob</c> and <c>auxblob</c>, and compare <c>generation</c> with the writes made: a difference means
/// another writer changed the request, and the whole exchange is made again. The directory is removed afterwards.
/// </summary>
public sealed class ConfigfsTsmAttestationSource(string reportRoot = ConfigfsTsmAttestationSource.DefaultReportRoot, IConfigfsFileSystem? fileSystem = null)
    : IAttestationSource
{
    public const string DefaultReportRoot = "/sys/kernel/config/tsm/report";

    /// <summary>The provider that reaches the SVSM: the sev-guest driver (its KBUILD_MODNAME).</summary>
    public const string SevGuestProvider = "sev_guest";

    /// <summary>How many times the exchange is made when other writers keep changing the request.</summary>
    public const int MaxAttempts = 3;

    private static int reports;
    private readonly IConfigfsFileSystem fileSystem = fileSystem ?? ConfigfsFileSystem.Instance;

    public string ReportRoot { get; } = reportRoot ?? throw new ArgumentNullException(nameof(reportRoot));

    /// <summary>How many exchanges the last attestation took (1 without a concurrent writer).</summary>
    public int LastAttemptCount { get; private set; }

    public AttestationEvidence Attest(ReadOnlySpan<byte> nonce, Guid service = default, uint manifestVersion = 0)
    {
        if (nonce.Length != AttestConstants.NonceSize)
        {
            throw new ArgumentException($"SEV-SNP takes a {AttestConstants.NonceSize}-byte inblob, not {nonce.Length} bytes", nameof(nonce));
        }

        if (!fileSystem.DirectoryExists(ReportRoot))
        {
            throw new ConfigfsTsmException(
                $"configfs-tsm is not available: {ReportRoot} does not exist. It needs Linux 6.7 or later built with CONFIG_TSM_REPORTS, " +
                "configfs mounted at /sys/kernel/config, and for SVSM services Linux 6.10 or later in an SEV-SNP guest running under an SVSM.");
        }

        var directory = Path.Combine(ReportRoot, $"svsm-bindings-{Environment.ProcessId}-{Interlocked.Increment(ref reports)}");
        Run(() => fileSystem.CreateDirectory(directory), $"mkdir {directory} failed (the kernel refuses it with ENXIO when no TSM provider is loaded)");
        AttestationEvidence evidence;
        try
        {
            evidence = Exchange(directory, nonce.ToArray(), service, manifestVersion);
        }
        catch
        {
            // The first failure is the one to report; a report directory left behind is only untidy.
            try
            {
                fileSystem.RemoveDirectory(directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }

            throw;
        }

        Run(() => fileSystem.RemoveDirectory(directory), $"rmdir {directory} failed");
        return evidence;
    }

    private AttestationEvidence Exchange(string directory, byte[] nonce, Guid service, uint manifestVersion)
    {
        var request = new (string Name, byte[] Value)[]
        {
            ("inblob", nonce),
            ("service_provider", Encoding.ASCII.GetBytes("svsm")),
            ("service_guid", Encoding.ASCII.GetBytes(service.ToString("D"))),
            ("service_manifest_version", Encoding.ASCII.GetBytes(manifestVersion.ToString(CultureInfo.InvariantCulture))),
        };
        for (LastAttemptCount = 1; LastAttemptCount <= MaxAttempts; LastAttemptCount++)
        {
            var before = Generation(directory);
            foreach (var (name, value) in request)
            {
                Run(() => fileSystem.WriteAttribute(Path.Combine(directory, name), value), WriteFailure(directory, name));
            }

            var provider = Text(directory, "provider");
            if (provider != SevGuestProvider)
            {
                throw new ConfigfsTsmException($"the TSM provider is '{provider}', not '{SevGuestProvider}': SVSM attestation needs an SEV-SNP guest");
            }

            var report = Blob(directory, "outblob");
            var manifest = Blob(directory, "manifestblob");
            var certificates = Blob(directory, "auxblob");

            // Each write advances the generation by one; any other count means someone else wrote in between.
            if (Generation(directory) == before + (ulong)request.Length)
            {
                return new AttestationEvidence(nonce, service, report, manifest, certificates);
            }
        }

        throw new ConfigfsTsmException($"{directory}: another writer kept changing the request; gave up after {MaxAttempts} attempts");
    }

    private static string WriteFailure(string directory, string name) =>
        name.StartsWith("service_", StringComparison.Ordinal)
            ? $"writing {Path.Combine(directory, name)} failed: the attribute needs Linux 6.10 or later and a guest that runs under an SVSM (below VMPL 0)"
            : $"writing {Path.Combine(directory, name)} failed";

    private ulong Generation(string directory)
    {
        var text = Text(directory, "generation");
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
            ? generation
            : throw new ConfigfsTsmException($"{Path.Combine(directory, "generation")} holds '{text}', not a number");
    }

    private string Text(string directory, string name) => Encoding.ASCII.GetString(Blob(directory, name)).TrimEnd('\n');

    private byte[] Blob(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        return Run(() => fileSystem.ReadAttribute(path), $"reading {path} failed (the kernel log says why the provider refused)");
    }

    private static void Run(Action action, string failure) => Run(() => { action(); return 0; }, failure);

    private static T Run<T>(Func<T> action, string failure)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigfsTsmException(failure + ": " + e.Message, e);
        }
    }
}
