using BenchmarkDotNet.Running;
using Svsm.Bindings.Benchmarks;

// dotnet run -c Release --project bench/Svsm.Bindings.Benchmarks -- --filter '*'
// scripts/bench.sh runs them all and puts the table of figures (SVSM_BENCH_TABLE) into the README.
// The cross-process benchmarks start this program again as their ping-pong peer.
if (args.Length == 2 && args[0] == Peers.PingPongPeer)
{
    return Peers.RunPingPongPeer(args[1]);
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(GeneratorBenchmarks).Assembly).Run(args).ToList();
if (Environment.GetEnvironmentVariable("SVSM_BENCH_TABLE") is { Length: > 0 } tablePath)
{
    File.WriteAllText(tablePath, FiguresTable.Write(summaries));
}

return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
