using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Emulator.Tpm;
using Svsm.Runtime.Attestation;
using Svsm.Runtime.SharedMemory;
using Svsm.Runtime.Tpm;
using Svsm.Testing;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>
/// The guest's vTPM driven by tpm2-tools (Debian's, over the mssim TCTI) through the mssim endpoint and the guest
/// side of the SVSM vTPM protocol: every step of COCONUT-SVSM's release test plan, "TPM2 tests", that needs no
/// booted guest (Documentation/docs/developer/RELEASE-TESTPLAN.md), plus getrandom, pcrextend and the EK the SVSM
/// attests. Once with the emulator in this process, once through <c>svsm-emu serve</c> and <c>svsm-emu vtpm-socket</c>.
/// </summary>
public sealed class TpmToolsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("svsm-tpm2-tools-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void TheReleaseTestPlanPassesThroughTheEmulatorInProcess()
    {
        using var swtpm = SwtpmProcess.Start(startupClear: true);
        var machine = EmulatedMachine.Create();
        var vtpmService = machine.Emulator.AddVtpm(swtpm).State;
        using var firmware = new EmulatedSnpFirmware();
        machine.Emulator.AddAttestation(firmware, vtpmService);
        using var endpoint = new TpmMssimEndpoint(new SvsmVtpm(machine.Transport(), machine.Memory, machine.Allocator), port: 0);
        var manifest = new SvsmAttestationClient(machine.Transport(), machine.Memory, machine.Allocator).AttestService(SvsmAttestationGuids.Vtpm, RandomNumberGenerator.GetBytes(64)).Services.Single().Manifest.ToArray();
        RunReleaseTestPlan(endpoint.Tcti, manifest);
    }

    [Fact]
    public async Task TheReleaseTestPlanPassesThroughSvsmEmuServeInAnotherProcess()
    {
        var memory = Path.Combine(directory, "guest.mem");
        var svsmEmu = Repository.FindBuilt("tools/Svsm.Emulator.Cli", "svsm-emu.dll", out var looked);
        Assert.True(svsmEmu is not null, "svsm-emu.dll is not built (looked in " + looked + ")");
        var cancel = TestContext.Current.CancellationToken;
        var (server, _) = await RepositoryPrograms.StartServe(svsmEmu!, "serving 1 vCPUs on " + memory, cancel, "serve", "--memory", memory);
        Process? socket = null;
        try
        {
            socket = Process.Start(RepositoryPrograms.Command(svsmEmu!, "vtpm-socket", "--port", "0", "--memory", memory))!;
            var ready = await socket.StandardOutput.ReadLineAsync(cancel).AsTask().WaitAsync(TimeSpan.FromSeconds(60), cancel);
            Assert.True(ready?.StartsWith("mssim on 127.0.0.1:", StringComparison.Ordinal) == true, ready + (socket.HasExited ? socket.StandardError.ReadToEnd() : string.Empty));
            var tcti = ready![(ready.IndexOf("TPM2TOOLS_TCTI=", StringComparison.Ordinal) + "TPM2TOOLS_TCTI=".Length)..];

            // The EK the SVSM attests, asked through the calling area of vCPU 0 while no tool runs.
            byte[] manifest;
            using (var shared = MappedGuestMemory.Open(memory))
            {
                var free = CallingAreaPage.BootGpa(shared.VcpuCount);
                var client = new SvsmAttestationClient(new SharedMemoryTransport(shared, 0, TimeSpan.FromSeconds(30)), shared, new GuestAllocator(shared, free, 64 * 4096));
                manifest = client.AttestService(SvsmAttestationGuids.Vtpm, RandomNumberGenerator.GetBytes(64)).Services.Single().Manifest.ToArray();
            }

            RunReleaseTestPlan(tcti, manifest);
        }
        finally
        {
            foreach (var process in new[] { socket, server })
            {
                if (process is not null)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(cancel);
                    process.Dispose();
                }
            }
        }
    }

    private void RunReleaseTestPlan(string tcti, byte[] attestedEk)
    {
        // tpm2_startup -c: the SVSM started the vTPM at boot; the TPM answers TPM_RC_INITIALIZE, which tpm2_startup
        // reports as success (TpmMssimEndpointTests checks the response code itself).
        Tool(tcti, "tpm2_startup", "-c");

        // Sealing without PCRs.
        File.WriteAllText(Path.Combine(directory, "secret.txt"), "the release test plan's secret");
        Tool(tcti, "tpm2_createprimary", "-C", "o", "-c", "primary.ctx", "-Q");
        Tool(tcti, "tpm2_create", "-C", "primary.ctx", "-i", "secret.txt", "-u", "seal.pub", "-r", "seal.priv", "-Q");
        Tool(tcti, "tpm2_load", "-C", "primary.ctx", "-u", "seal.pub", "-r", "seal.priv", "-c", "seal.ctx", "-Q");
        Assert.Equal("the release test plan's secret", Tool(tcti, "tpm2_unseal", "-c", "seal.ctx"));

        // Sealing to PCRs: the policy of their values now, and unsealing under it.
        Tool(tcti, "tpm2_pcrread", "-o", "pcr.bin", "sha256:0,1,2,3,16", "-Q");
        Tool(tcti, "tpm2_createpolicy", "--policy-pcr", "-l", "sha256:0,1,2,3,16", "-f", "pcr.bin", "-L", "pcr.policy", "-Q");
        Tool(tcti, "tpm2_create", "-C", "primary.ctx", "-L", "pcr.policy", "-i", "secret.txt", "-u", "pcrseal.pub", "-r", "pcrseal.priv", "-Q");
        Tool(tcti, "tpm2_load", "-C", "primary.ctx", "-u", "pcrseal.pub", "-r", "pcrseal.priv", "-c", "pcrseal.ctx", "-Q");
        Assert.Equal("the release test plan's secret", Tool(tcti, "tpm2_unseal", "-c", "pcrseal.ctx", "-p", "pcr:sha256:0,1,2,3,16"));

        Tool(tcti, "tpm2_selftest", "-f");
        Assert.Matches("^[0-9a-f]{32}$", Tool(tcti, "tpm2_getrandom", "--hex", "16"));

        // PCR 16 extended: its value is SHA-256 of what it held and the digest, and the PCR-sealed secret stays sealed.
        var before = Convert.FromHexString(Tool(tcti, "tpm2_pcrread", "sha256:16").Split("0x")[1].Trim());
        var digest = SHA256.HashData("extended by the test"u8);
        Tool(tcti, "tpm2_pcrextend", "16:sha256=" + Convert.ToHexStringLower(digest));
        var after = Tool(tcti, "tpm2_pcrread", "sha256:16");
        Assert.Contains("0x" + Convert.ToHexString(SHA256.HashData([.. before, .. digest])), after, StringComparison.Ordinal);
        var (exit, _, error) = Run(tcti, "tpm2_unseal", "-c", "pcrseal.ctx", "-p", "pcr:sha256:0,1,2,3,16");
        Assert.NotEqual(0, exit);
        Assert.Contains("policy check failed", error, StringComparison.Ordinal);

        // The EK of the TCG default template is the one the SVSM attests: TPM2B_PUBLIC without its size.
        Tool(tcti, "tpm2_createek", "-c", "ek.ctx", "-G", "rsa", "-u", "ek.pub", "-Q");
        var ek = File.ReadAllBytes(Path.Combine(directory, "ek.pub"));
        Assert.Equal(attestedEk.Length, (ek[0] << 8) | ek[1]);
        Assert.Equal(attestedEk, ek[2..]);
    }

    private string Tool(string tcti, string tool, params string[] args)
    {
        var (exit, output, error) = Run(tcti, tool, args);
        Assert.True(exit == 0, $"{tool} {string.Join(' ', args)} exited {exit}: {error}");
        return output.Trim();
    }

    private (int Exit, string Output, string Error) Run(string tcti, string tool, params string[] args) =>
        ToolProcess.Run(tool, args, directory, new Dictionary<string, string> { ["TPM2TOOLS_TCTI"] = tcti });
}
