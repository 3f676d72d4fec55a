using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Svsm.Runtime;
using Svsm.Runtime.SharedMemory;
using Svsm.Testing;

namespace Svsm.Bindings.Benchmarks;

/// <summary>
/// A call to an SVSM in another process through the calling area (`svsm-emu serve`: registers in the vCPU's block,
/// call_pending, doorbell, futex) against a raw ping-pong between two processes with the same wake mechanism.
/// Goal: at most 1.2x, the median of three runs.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 3)]
public class CrossProcessBenchmarks
{
    private string directory = null!;
    private Process svsm = null!;
    private Process peer = null!;
    private MappedGuestMemory memory = null!;
    private CoreClient core = null!;
    private RawPingPong pingPong = null!;

    [GlobalSetup]
    public void Setup()
    {
        directory = Directory.CreateTempSubdirectory("svsm-bench-").FullName;
        var guestFile = Path.Combine(directory, "guest.mem");
        var pingFile = Path.Combine(directory, "ping.mem");
        svsm = Peers.Start(Peers.SvsmEmu(), "serve", "--memory", guestFile, "--vcpus", "1");
        peer = Peers.Start(typeof(CrossProcessBenchmarks).Assembly.Location, Peers.PingPongPeer, pingFile);
        memory = MappedGuestMemory.Open(guestFile);
        core = new CoreClient(new SharedMemoryTransport(memory, 0, TimeSpan.FromSeconds(10)));
        pingPong = new RawPingPong(pingFile);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var process in new[] { svsm, peer })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }

        pingPong.Dispose();
        memory.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "a raw shared-memory futex ping-pong between two processes")]
    public void RawSharedMemoryPingPong() => pingPong.RoundTrip();

    [Goal(1.2, "a call to svsm-emu in another process through the calling area", MedianOfLaunches = true)]
    [Benchmark]
    public ulong CallingAreaRoundTrip() => core.QueryProtocol(1).Versions;
}

/// <summary>The benchmarks' other processes: svsm-emu, and this program as the ping-pong peer.</summary>
internal static class Peers
{
    public const string PingPongPeer = "--pingpong-peer";

    /// <summary>Runs `dotnet <paramref name="dll"/> args` and waits for the line that says it is ready (svsm-emu lists its protocols first).</summary>
    public static Process Start(string dll, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + dll);
        while (true)
        {
            var ready = process.StandardOutput.ReadLineAsync();
            if (!ready.Wait(TimeSpan.FromSeconds(30)) || ready.Result is null)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException(dll + " did not say it was ready");
            }

            if (!ready.Result.StartsWith("protocol ", StringComparison.Ordinal))
            {
                break;
            }
        }

        return process;
    }

    /// <summary>svsm-emu as the tools project builds it (the benchmarks project builds it first).</summary>
    public static string SvsmEmu() =>
        Repository.FindBuilt("tools/Svsm.Emulator.Cli", "svsm-emu.dll", out var looked) ?? throw new FileNotFoundException("build tools/Svsm.Emulator.Cli first (looked in " + looked + ")");

    /// <summary>The ping-pong peer: echoes rings on the file until killed.</summary>
    public static int RunPingPongPeer(string path)
    {
        using var pingPong = new RawPingPong(path);
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        pingPong.Serve(CancellationToken.None);
        return 0;
    }
}
