using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Emulator.Services.Attestation;
using Svsm.Runtime.Attestation;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>
/// The configfs-tsm backend against a fake kernel that serves a real directory: it keeps report.c's write and read
/// generations, and computes outblob, manifestblob and auxblob from what was written, as sev-guest's
/// <c>sev_svsm_report_new</c> does, by calling the emulated SVSM. Nothing is pre-filled.
/// </summary>
public sealed class ConfigfsTsmTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("tsm-report-").FullName;
    private readonly EmulatedMachine machine = EmulatedMachine.Create();
    private readonly EmulatedSnpFirmware firmware = new();
    private readonly byte[] nonce = RandomNumberGenerator.GetBytes(64);
    private readonly FakeTsmKernel kernel;

    public ConfigfsTsmTests()
    {
        machine.Emulator.AddAttestation(firmware, new AttestedService(SvsmAttestationGuids.Vtpm, "vTPM", () => Encoding.ASCII.GetBytes("ek public area")));
        kernel = new FakeTsmKernel(root, new SvsmAttestationClient(machine.Transport(), machine.Memory, machine.Allocator));
    }

    public void Dispose()
    {
        firmware.Dispose();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void EvidenceComesFromWhatWasWrittenAndTheReportDirectoryIsRemoved()
    {
        var source = new ConfigfsTsmAttestationSource(root, kernel);
        var evidence = source.Attest(nonce);
        Assert.Equal(1, source.LastAttemptCount);
        Assert.Equal(SnpVerification.Valid.Reason, evidence.Verify(firmware.Ark).Reason);
        Assert.Equal("vTPM", Assert.Single(evidence.Services).Name);
        Assert.Equal(3, evidence.Certificates.Count);
        Assert.Equal(["inblob", "service_provider", "service_guid", "service_manifest_version"], kernel.Writes.Select(w => w.Name));
        Assert.Equal(1, kernel.ReportsMade);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));

        var single = source.AttestService(SvsmAttestationGuids.Vtpm, nonce);
        Assert.Equal("ek public area", Encoding.ASCII.GetString(single.Manifest.Span));
        Assert.Equal(SnpVerification.Valid.Reason, single.Verify(firmware.Ark).Reason);
    }

    [Fact]
    public void AConcurrentWriterIsDetectedByTheGenerationAndTheExchangeMadeAgain()
    {
        var source = new ConfigfsTsmAttestationSource(root, kernel);
        kernel.AfterFirstOutblob = directory => kernel.WriteAttribute(Path.Combine(directory, "inblob"), RandomNumberGenerator.GetBytes(64));
        var evidence = source.Attest(nonce);
        Assert.Equal(2, source.LastAttemptCount);

        // The other write made the kernel answer manifestblob from a new report: without the generation check the
        // evidence would pair one report's outblob with another's manifest.
        Assert.Equal(3, kernel.ReportsMade);
        Assert.Equal(SnpVerification.Valid.Reason, evidence.Verify(firmware.Ark).Reason);
        Assert.Equal(nonce, evidence.Nonce.ToArray());
    }

    [Fact]
    public void AnotherProviderOrAMissingConfigfsGetsOneClearError()
    {
        kernel.Provider = "tdx_guest";
        var wrong = Assert.Throws<ConfigfsTsmException>(() => new ConfigfsTsmAttestationSource(root, kernel).Attest(nonce));
        Assert.Contains("'tdx_guest', not 'sev_guest'", wrong.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));

        var absent = Path.Combine(root, "no-tsm");
        var missing = Assert.Throws<ConfigfsTsmException>(() => new ConfigfsTsmAttestationSource(absent).Attest(nonce));
        Assert.Contains(absent + " does not exist", missing.Message);
        Assert.Contains("CONFIG_TSM_REPORTS", missing.Message);
    }

    [Fact]
    public void TheRealFileSystemNeverCreatesAnAttributeConfigfsDoesNotHave()
    {
        // A plain directory is not configfs: the report directory has no attributes, the first read says so, and it is removed.
        var failure = Assert.Throws<ConfigfsTsmException>(() => new ConfigfsTsmAttestationSource(root).Attest(nonce));
        Assert.Contains("generation failed", failure.Message);
        Assert.IsType<FileNotFoundException>(failure.InnerException);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }

    [Fact]
    public void TheKernelsOwnChecksReachTheCaller()
    {
        var directory = Path.Combine(root, "by-hand");
        kernel.CreateDirectory(directory);
        Assert.Throws<IOException>(() => kernel.ReadAttribute(Path.Combine(directory, "outblob")));
        Assert.Throws<IOException>(() => kernel.WriteAttribute(Path.Combine(directory, "inblob"), new byte[65]));
        kernel.WriteAttribute(Path.Combine(directory, "inblob"), new byte[32]);
        Assert.Throws<IOException>(() => kernel.ReadAttribute(Path.Combine(directory, "outblob")));
        Assert.Throws<IOException>(() => kernel.WriteAttribute(Path.Combine(directory, "service_manifest_version"), "x"u8));
        Assert.Throws<IOException>(() => kernel.WriteAttribute(Path.Combine(directory, "service_guid"), "not a guid"u8));
        Assert.Equal("2\n", Encoding.ASCII.GetString(kernel.ReadAttribute(Path.Combine(directory, "generation"))));
        kernel.RemoveDirectory(directory);
    }

    /// <summary>
    /// configfs-tsm and sev-guest in miniature, serving a real directory (every attribute written through to a file):
    /// report.c's generations and cached blobs, and sev-guest's SVSM path computing the blobs through the SVSM client.
    /// </summary>
    private sealed class FakeTsmKernel(string root, SvsmAttestationClient svsm) : IConfigfsFileSystem
    {
        private static readonly string[] Writable = ["inblob", "service_provider", "service_guid", "service_manifest_version", "privlevel"];
        private readonly Dictionary<string, Report> reports = new();

        public string Provider { get; set; } = "sev_guest";

        public List<(string Name, byte[] Value)> Writes { get; } = new();

        public int ReportsMade { get; private set; }

        public Action<string>? AfterFirstOutblob { get; set; }

        public bool DirectoryExists(string path) => Directory.Exists(path);

        public void CreateDirectory(string path)
        {
            Assert.Equal(root, Path.GetDirectoryName(path));
            Directory.CreateDirectory(path);
            reports.Add(path, new Report());
        }

        public void WriteAttribute(string path, ReadOnlySpan<byte> value)
        {
            var (report, name) = Find(path);
            if (!Writable.Contains(name))
            {
                throw new UnauthorizedAccessException(name + " is read-only");
            }

            var text = Encoding.ASCII.GetString(value).TrimEnd('\n');
            switch (name)
            {
                case "inblob" when value.Length > 64:
                    throw new IOException("EFBIG: inblob holds at most 64 bytes");
                case "inblob":
                    report.Inblob = value.ToArray();
                    break;
                case "service_provider":
                    report.ServiceProvider = text;
                    break;
                case "service_guid":
                    // report.c resets the GUID and advances the generation before parsing it.
                    report.ServiceGuid = Guid.Empty;
                    if (!Guid.TryParseExact(text, "D", out var guid))
                    {
                        report.WriteGeneration++;
                        throw new IOException("EINVAL: bad GUID");
                    }

                    report.ServiceGuid = guid;
                    break;
                case "service_manifest_version":
                    report.ManifestVersion = uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : throw new IOException("EINVAL");
                    break;
            }

            report.WriteGeneration++;
            Writes.Add((name, value.ToArray()));
            File.WriteAllBytes(path, value.ToArray());
        }

        public byte[] ReadAttribute(string path)
        {
            var (report, name) = Find(path);
            var value = name switch
            {
                "provider" => Encoding.ASCII.GetBytes(Provider + "\n"),
                "generation" => Encoding.ASCII.GetBytes(report.WriteGeneration.ToString(CultureInfo.InvariantCulture) + "\n"),
                "outblob" or "manifestblob" or "auxblob" => Blob(path, report, name),
                _ => throw new UnauthorizedAccessException(name + " is write-only"),
            };
            File.WriteAllBytes(path, value);
            return value;
        }

        public void RemoveDirectory(string path)
        {
            Find(Path.Combine(path, "inblob"));
            reports.Remove(path);
            Directory.Delete(path, recursive: true);
        }

        // report.c: blobs are cached for a generation; reading any of them after a write makes a new report.
        private byte[] Blob(string path, Report report, string name)
        {
            if (report.Inblob is null)
            {
                throw new IOException("EINVAL: inblob was never written");
            }

            if (report.Evidence is null || report.ReadGeneration != report.WriteGeneration)
            {
                // sev-guest: a 64-byte inblob, and a service provider that is "svsm" when set.
                if (report.Inblob.Length != 64 || report.ServiceProvider is not (null or "svsm"))
                {
                    throw new IOException("EINVAL: sev-guest refuses the request");
                }

                report.Evidence = svsm.Attest(report.Inblob, report.ServiceGuid, report.ManifestVersion);
                report.ReadGeneration = report.WriteGeneration;
                ReportsMade++;
            }

            var blob = name switch
            {
                "outblob" => report.Evidence.Report,
                "manifestblob" => report.Evidence.Manifest,
                _ => report.Evidence.CertificateTable,
            };
            if (name == "outblob" && AfterFirstOutblob is { } writer)
            {
                AfterFirstOutblob = null;
                writer(Path.GetDirectoryName(path)!);
            }

            return blob.ToArray();
        }

        private (Report Report, string Name) Find(string path) =>
            reports.TryGetValue(Path.GetDirectoryName(path)!, out var report)
                ? (report, Path.GetFileName(path))
                : throw new DirectoryNotFoundException(path);

        private sealed class Report
        {
            public byte[]? Inblob { get; set; }

            public string? ServiceProvider { get; set; }

            public Guid ServiceGuid { get; set; }

            public uint ManifestVersion { get; set; }

            public ulong WriteGeneration { get; set; }

            public ulong ReadGeneration { get; set; }

            public AttestationEvidence? Evidence { get; set; }
        }
    }
}
