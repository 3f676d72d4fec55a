using System.Buffers.Binary;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Svsm.Emulator;
using Svsm.Emulator.Tpm;
using Svsm.Runtime.Tpm;

namespace Svsm.Bindings.Benchmarks;

/// <summary>
/// TPM2_GetRandom(16) as tpm2-tools send it, an mssim frame over TCP to 127.0.0.1, two ways with the same hops: the
/// baseline relays the command straight to swtpm's socket (socket in, socket out, no SVSM); the measured path sends
/// it through the SVSM, the guest side of the vTPM protocol and the emulator, to another swtpm. Goal: at most 1.3x.
/// </summary>
[MemoryDiagnoser]
public class MssimEndpointBenchmarks
{
    private readonly byte[] frame = Frame(TpmWire.GetRandomCommand(16));
    private readonly byte[] response = new byte[4096];
    private SwtpmProcess relayedSwtpm = null!;
    private SwtpmProcess svsmSwtpm = null!;
    private TpmMssimEndpoint relay = null!;
    private TpmMssimEndpoint throughSvsm = null!;
    private NetworkStream relayStream = null!;
    private NetworkStream svsmStream = null!;

    [GlobalSetup]
    public void Setup()
    {
        relayedSwtpm = SwtpmProcess.Start(startupClear: true);
        relay = new TpmMssimEndpoint(relayedSwtpm, port: 0);
        svsmSwtpm = SwtpmProcess.Start(startupClear: true);
        var machine = EmulatedMachine.Create();
        machine.Emulator.AddVtpm(svsmSwtpm);
        throughSvsm = new TpmMssimEndpoint(new SvsmVtpm(machine.Transport(), machine.Memory, machine.Allocator), port: 0);
        relayStream = Connect(relay.Port);
        svsmStream = Connect(throughSvsm.Port);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        relayStream.Dispose();
        svsmStream.Dispose();
        relay.Dispose();
        throughSvsm.Dispose();
        relayedSwtpm.Dispose();
        svsmSwtpm.Dispose();
    }

    [Benchmark(Baseline = true, Description = "an mssim frame relayed straight to swtpm (two socket hops, no SVSM)")]
    public int RelayedToSwtpm() => RoundTrip(relayStream);

    [Goal(1.3, "TPM2_GetRandom from a TPM tool through the mssim endpoint, the SVSM vTPM protocol and the emulator")]
    [Benchmark]
    public int ThroughTheSvsm() => RoundTrip(svsmStream);

    private static NetworkStream Connect(int port)
    {
        var client = new TcpClient { NoDelay = true };
        client.Connect("127.0.0.1", port);
        return client.GetStream();
    }

    private static byte[] Frame(byte[] command)
    {
        var frame = new byte[9 + command.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, TpmMssimEndpoint.SendCommand);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)command.Length);
        command.CopyTo(frame, 9);
        return frame;
    }

    private int RoundTrip(NetworkStream stream)
    {
        stream.Write(frame);
        stream.ReadExactly(response.AsSpan(0, 4));
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(response);
        stream.ReadExactly(response.AsSpan(0, length + 4));
        return length;
    }
}
