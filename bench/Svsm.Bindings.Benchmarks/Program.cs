using BenchmarkDotNet.Running;
using Svsm.Bindings.Benchmarks;

// dotnet run -c Release --project bench/Svsm.Bindings.Benchmarks -- --filter '*'
// The cross-process benchmarks start this program again as their ping-pong peer.
if (args.Length == 2 && args[0] == Peers.PingPongPeer)
{
    return Peers.RunPingPongPeer(args[1]);
}

BenchmarkSwitcher.FromAssembly(typeof(GeneratorBenchmarks).Assembly).Run(args);
return 0;
