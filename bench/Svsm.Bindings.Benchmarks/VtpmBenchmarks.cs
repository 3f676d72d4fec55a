using BenchmarkDotNet.Attributes;
using Svsm.Emulator;
using Svsm.Emulator.Tpm;
using Svsm.Runtime.Tpm;

namespace Svsm.Bindings.Benchmarks;

/// <summary>
/// TPM2_GetRandom(16) on a real swtpm, two ways: straight over swtpm's socket (the baseline), and as a guest sends it,
/// through the SVSM vTPM protocol: the request header and command written to the guest buffer, SVSM_VTPM_CMD, the
/// emulator's checks and read of the 4096-byte buffer, the same socket round trip, and the response written back and
/// read. Goal: at most 1.5x.
/// </summary>
[MemoryDiagnoser]
public class VtpmBenchmarks
{
    private readonly byte[] command = TpmWire.GetRandomCommand(16);
    private readonly byte[] response = new byte[4096];
    private SwtpmProcess swtpm = null!;
    private SvsmVtpm vtpm = null!;

    [GlobalSetup]
    public void Setup()
    {
        swtpm = SwtpmProcess.Start(startupClear: true);
        var machine = EmulatedMachine.Create();
        machine.Emulator.AddVtpm(swtpm);
        vtpm = new SvsmVtpm(machine.Transport(), machine.Memory, machine.Allocator);
    }

    [GlobalCleanup]
    public void Cleanup() => swtpm.Dispose();

    [Benchmark(Baseline = true, Description = "the same command straight over swtpm's socket")]
    public int DirectSwtpmRoundTrip() => swtpm.Execute(command, response);

    [Goal(1.5, "TPM2_GetRandom through the SVSM vTPM protocol to swtpm")]
    [Benchmark]
    public int ThroughTheSvsmVtpmProtocol() => vtpm.Execute(command, response);
}
