using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Svsm.Bindings.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Svsm.Bindings.Benchmarks.GeneratorBenchmarks).Assembly).Run(args);
