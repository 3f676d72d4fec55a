using System.Diagnostics;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>
/// <c>svsm-emu serve</c> serves every protocol the in-process emulator serves, and a user's own from an assembly, to
/// guests in other processes: the samples, run as a user runs them, against it.
/// </summary>
public sealed class SvsmEmuServeTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("svsm-emu-serve-").FullName;

    private string MemoryPath => Path.Combine(directory, "guest.mem");

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Starts svsm-emu serve and reads the protocols it serves, up to its ready line.</summary>
    private Task<(Process Server, List<string> Protocols)> Serve(params string[] extra) =>
        RepositoryPrograms.StartServe(RepositoryPrograms.Require("tools/Svsm.Emulator.Cli", "svsm-emu.dll"), "serving 1 vCPUs on " + MemoryPath, TestContext.Current.CancellationToken, ["serve", "--memory", MemoryPath, .. extra]);

    private static async Task<(int ExitCode, string Output, string Error)> Run(ProcessStartInfo start)
    {
        var cancel = TestContext.Current.CancellationToken;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancel);
        var error = process.StandardError.ReadToEndAsync(cancel);
        await process.WaitForExitAsync(cancel).WaitAsync(TimeSpan.FromSeconds(120), cancel);
        return (process.ExitCode, await output, await error);
    }


    [Fact]
    public async Task ItServesEveryProtocolAndTheGuestAttestationSampleVerifiesAcrossProcesses()
    {
        var (server, lines) = await Serve();
        try
        {
            foreach (var id in new[] { 0, 1, 2, 3, 4, 5 })
            {
                Assert.Contains(lines, l => l.StartsWith("protocol " + id + ":", StringComparison.Ordinal));
            }

            var (exit, output, error) = await Run(RepositoryPrograms.Command(RepositoryPrograms.Require("samples/GuestAttestation", "GuestAttestation.dll"), "--memory", MemoryPath, "--vtpm"));
            Assert.True(exit == 0, output + error);
            Assert.Contains("svsm-emu through " + MemoryPath, output);
            Assert.Contains("EK RSA-2048", output);
            Assert.Contains("UEFI MM a4453a59-9e1b-4787-a033-1986d6adbe55  8 bytes: persistent NV variables yes, secure boot off", output);
            Assert.Contains("Verified:", output);
            Assert.Contains("from Milan", output);
            Assert.Contains("boot loader 3, tee 0, snp 8, microcode 115", output);
            Assert.Contains("the TPM activated it (TPM2_ActivateCredential, EK by PolicySecret): the same credential", output);
            Assert.Contains("Verified: the report binds the EK, the AK lives in that TPM", output);

            // In process, a Turin chip, and a policy that expects another measurement.
            (exit, output, error) = await Run(RepositoryPrograms.Command(RepositoryPrograms.Require("samples/GuestAttestation", "GuestAttestation.dll"), "--product", "Turin", "--measurement", new string('a', 96)));
            Assert.True(exit == 1, output + error);
            Assert.Contains("version 5 from Turin", output);
            Assert.Contains("fmc 1, boot loader 3", output);
            Assert.Contains("NOT verified (MeasurementMismatch)", output);

            // The OCP sample against the same server, every protocol served.
            (exit, output, error) = await Run(RepositoryPrograms.Command(RepositoryPrograms.Require("samples/OcpExplorer", "OcpExplorer.dll"), "--memory", MemoryPath));
            Assert.True(exit == 0, output + error);
            Assert.Contains("svsm/version", output);
        }
        finally
        {
            await RepositoryPrograms.Kill(server);
        }
    }

    [Fact]
    public async Task ItServesAUsersProtocolFromAnAssemblyThatTheSampleThenCalls()
    {
        var protocols = RepositoryPrograms.Require("samples/CustomProtocol", "CustomProtocol.dll");
        var (server, lines) = await Serve("--no-vtpm", "--protocols", protocols);
        try
        {
            Assert.Contains("protocol 64: SVSM counter protocol, versions 1-1", lines);
            Assert.DoesNotContain(lines, l => l.StartsWith("protocol 2:", StringComparison.Ordinal));
            var (exit, output, error) = await Run(RepositoryPrograms.Command(protocols, "--memory", MemoryPath));
            Assert.True(exit == 0, output + error);
            Assert.Contains("SNAPSHOT: SVSM_SUCCESS (0x00000000): value 42", output);
            Assert.Contains("SNAPSHOT at a misaligned GPA: SVSM_ERR_INVALID_ADDRESS", output);
        }
        finally
        {
            await RepositoryPrograms.Kill(server);
        }
    }

    [Theory]
    [InlineData("missing.dll", "no such file")]
    [InlineData("not-an-assembly.dll", "cannot be loaded as a .NET assembly")]
    [InlineData("Svsm.Runtime.dll", "exports no protocols")]
    public async Task AProtocolsAssemblyThatCannotBeUsedIsOneLineOnStderrAndExit2(string name, string says)
    {
        var path = Path.Combine(directory, name);
        if (name == "not-an-assembly.dll")
        {
            await File.WriteAllTextAsync(path, "not a PE file", TestContext.Current.CancellationToken);
        }
        else if (name == "Svsm.Runtime.dll")
        {
            path = typeof(ISvsmTransport).Assembly.Location;
        }

        var (exit, _, error) = await Run(RepositoryPrograms.Command(RepositoryPrograms.Require("tools/Svsm.Emulator.Cli", "svsm-emu.dll"), "serve", "--memory", MemoryPath, "--no-vtpm", "--protocols", path));
        Assert.Equal(2, exit);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("svsm-emu: --protocols ", line);
        Assert.Contains(says, line);
    }

    [Fact]
    public async Task HelpListsEveryProtocolServed()
    {
        var (exit, output, _) = await Run(RepositoryPrograms.Command(RepositoryPrograms.Require("tools/Svsm.Emulator.Cli", "svsm-emu.dll"), "--help"));
        Assert.Equal(0, exit);
        foreach (var protocol in new[] { "core (0)", "attestation", "(1)", "vTPM", "(2)", "APIC (3)", "UEFI MM", "(4)", "OCP (5)", "--protocols" })
        {
            Assert.Contains(protocol, output.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal));
        }
    }
}
