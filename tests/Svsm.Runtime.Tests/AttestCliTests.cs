using System.Text.Json;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>Runs the built svsm-attest as a user does: real reports offline, tampered ones, KDS on 127.0.0.1, and bad input.</summary>
public sealed class AttestCliTests
{
    internal static (int Exit, string Out, string Error) Run(string? stdin, params string[] args) =>
        ToolProcess.Run(RepositoryPrograms.DotnetHost(), [Path.Combine(AppContext.BaseDirectory, "svsm-attest.dll"), .. args], stdin: stdin);

    private static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "Snp", name);

    private static string CertificateDirectory(string signingKey)
    {
        var directory = Directory.CreateTempSubdirectory("svsm-attest-").FullName;
        File.Copy(Data(signingKey), Path.Combine(directory, signingKey.EndsWith("_vlek.der", StringComparison.Ordinal) ? "vlek.der" : "vcek.der"));
        return directory;
    }

    private static string Temp(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), "svsm-attest-" + Guid.NewGuid().ToString("N") + ".bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void VerifyAcceptsEachRealReportOfflineAndRejectsItTampered()
    {
        foreach (var row in SnpRealReportTests.Reports)
        {
            var (report, certificate, product, _, _) = row.Data;
            var certs = CertificateDirectory(certificate);
            var (exit, output, error) = Run(null, "verify", Data(report), "--certs", certs, "--json", "--allow-debug");
            Assert.True(exit == 0, $"{report}: exit {exit}: {output}{error}");
            using (var json = JsonDocument.Parse(output))
            {
                Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
                Assert.Equal(product.ToString(), json.RootElement.GetProperty("product").GetString());
            }

            var tampered = File.ReadAllBytes(Data(report));
            tampered[0x90] ^= 1;
            (exit, output, _) = Run(null, "verify", Temp(tampered), "--certs", certs, "--json");
            Assert.Equal(1, exit);
            using (var json = JsonDocument.Parse(output))
            {
                Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
                Assert.Equal("badSignature", json.RootElement.GetProperty("failure").GetString());
            }
        }
    }

    [Fact]
    public void VerifyChecksThePolicyAndNamesTheField()
    {
        var certs = CertificateDirectory("oak_genoa_vcek.der");
        var (exit, output, _) = Run(null, "verify", Data("oak_genoa_v5_report.bin"), "--certs", certs, "--min-tcb", "bl=200,tee=0,snp=0,ucode=0");
        Assert.Equal(1, exit);
        Assert.Contains("TcbTooOld", output, StringComparison.Ordinal);
        Assert.Contains("boot loader", output, StringComparison.Ordinal);

        (exit, output, _) = Run(null, "verify", Data("go-sev-guest_milan_v2_report.bin"), "--certs", CertificateDirectory("go-sev-guest_milan_vcek.der"));
        Assert.Equal(1, exit);
        Assert.Contains("debugging", output, StringComparison.Ordinal);
        (exit, _, _) = Run(null, "verify", Data("go-sev-guest_milan_v2_report.bin"), "--certs", CertificateDirectory("go-sev-guest_milan_vcek.der"), "--allow-debug");
        Assert.Equal(0, exit);
    }

    [Fact]
    public void ShowJsonOfTheTurinReportGivesItsTcbInTheTurinLayout()
    {
        var (exit, output, error) = Run(null, "show", Data("oak_turin_v5_report.bin"), "--json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("Turin", root.GetProperty("product").GetString());
        Assert.Equal(5, root.GetProperty("version").GetInt32());
        var tcb = root.GetProperty("reportedTcb");
        Assert.Equal("0x4700000002000100", tcb.GetProperty("raw").GetString());
        Assert.Equal(0, tcb.GetProperty("fmc").GetInt32());
        Assert.Equal(1, tcb.GetProperty("bootLoader").GetInt32());
        Assert.Equal(0, tcb.GetProperty("tee").GetInt32());
        Assert.Equal(2, tcb.GetProperty("snp").GetInt32());
        Assert.Equal(71, tcb.GetProperty("microcode").GetInt32());
        Assert.Equal(6, Assert.Single(root.GetProperty("platformInfo").GetProperty("unknownBits").EnumerateArray()).GetInt32());

        // A Milan TCB has no FMC.
        (_, output, _) = Run(null, "show", Data("oak-cb_milan_v3_report.bin"), "--json");
        using var milan = JsonDocument.Parse(output);
        Assert.False(milan.RootElement.GetProperty("reportedTcb").TryGetProperty("fmc", out _));
    }

    [Fact]
    public void ShowReadsHexFromStandardInput()
    {
        var hex = Convert.ToHexString(File.ReadAllBytes(Data("virtee-sev_milan_v2_report.bin")));
        var (exit, output, error) = Run(hex + "\n", "show", "-");
        Assert.True(exit == 0, error);
        Assert.Contains("version:            2", output, StringComparison.Ordinal);
        Assert.Contains("Milan or Genoa", output, StringComparison.Ordinal);
    }

    [Fact]
    public void UnusableInputIsExit2WithOneLine()
    {
        var report = File.ReadAllBytes(Data("oak_turin_v5_report.bin"));
        var algorithm = (byte[])report.Clone();
        algorithm[0x34] = 2;
        var notACertificate = Directory.CreateTempSubdirectory("svsm-attest-").FullName;
        File.WriteAllText(Path.Combine(notACertificate, "vcek.pem"), "not a certificate");
        foreach (var (stdin, args, says) in new (string?, string[], string)[]
        {
            (null, ["show", Temp(report[..100])], "100 bytes"),
            (null, ["show", Temp(report.Concat(new byte[] { 0 }).ToArray())], "1185 bytes"),
            ("00zz", ["show", "-"], "not a hex digit"),
            (null, ["show", Temp(algorithm)], "algorithm 2"),
            (null, ["verify", Data("oak_turin_v5_report.bin"), "--certs", notACertificate], "vcek.pem is not a DER or PEM certificate"),
            (null, ["verify", Data("oak_turin_v5_report.bin")], "exactly one of --certs DIR and --kds"),
            (null, ["verify", Data("oak_turin_v5_report.bin"), "--kds", "--product", "Venice"], "'Venice' is not a product"),
            (null, ["show", "/no/such/report"], "cannot read /no/such/report"),
        })
        {
            var (exit, output, error) = Run(stdin, args);
            Assert.True(exit == 2, $"{string.Join(' ', args)}: exit {exit}: {output}{error}");
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(says, line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FetchAndVerifyThroughKdsOn127001()
    {
        var (server, _) = AmdKdsClientTests.TurinKds(tooMany: 1);
        using (server)
        {
            var output = Directory.CreateTempSubdirectory("svsm-attest-").FullName;
            var (exit, stdout, error) = Run(null, "fetch", Data("oak_turin_v5_report.bin"), "--out", output, "--kds-url", server.BaseUri.ToString());
            Assert.True(exit == 0, stdout + error);
            Assert.True(File.Exists(Path.Combine(output, "vcek.der")));

            (exit, stdout, error) = Run(null, "verify", Data("oak_turin_v5_report.bin"), "--certs", output);
            Assert.True(exit == 0, stdout + error);
            (exit, stdout, error) = Run(null, "verify", Data("oak_turin_v5_report.bin"), "--kds", "--kds-url", server.BaseUri.ToString());
            Assert.True(exit == 0, stdout + error);

            (exit, _, error) = Run(null, "fetch", Data("trustee-snp_milan_v3_vlek_report.bin"), "--out", output, "--kds-url", server.BaseUri.ToString());
            Assert.Equal(2, exit);
            Assert.Contains("VLEK", error, StringComparison.Ordinal);
        }
    }
}
