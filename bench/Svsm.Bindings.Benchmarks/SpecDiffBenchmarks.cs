using System.Text;
using BenchmarkDotNet.Attributes;
using Svsm.Bindings.Spec;
using Svsm.Bindings.Spec.Comparing;

namespace Svsm.Bindings.Benchmarks;

/// <summary>
/// <c>svsm-bindgen diff</c>'s work on two versions of a 500-call protocol (each call with three registers, the
/// newer one adding 50 calls in version 2 and renumbering one), against reading both specs alone. Goal: the diff,
/// reading included, at most 1.5x the reading.
/// </summary>
[MemoryDiagnoser]
public class SpecDiffBenchmarks
{
    private const int Calls = 500;
    private string older = string.Empty;
    private string newer = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        older = Protocol(version: 1, calls: Calls, renumber: false);
        newer = Protocol(version: 2, calls: Calls + 50, renumber: true);
        var changes = SpecDiff.Compare(ProtocolSurface.From(SpecParser.Parse(older)), ProtocolSurface.From(SpecParser.Parse(newer)));
        if (changes.Count != 51 || changes.Count(c => c.IsBreaking) != 1)
        {
            throw new InvalidOperationException($"the synthetic versions diff as {changes.Count} changes, not 50 additive and 1 breaking");
        }
    }

    [Benchmark(Baseline = true, Description = "reading both 500-call specs")]
    public int ReadBoth() => SpecParser.Parse(older).Calls.Count + SpecParser.Parse(newer).Calls.Count;

    [Goal(1.5, "svsm-bindgen diff of two 500-call specs")]
    [Benchmark]
    public int Diff() => SpecDiff.Compare(ProtocolSurface.From(SpecParser.Parse(older)), ProtocolSurface.From(SpecParser.Parse(newer))).Count;

    // A protocol in the OCP draft's table style: a call table, then a Registers table per call.
    private static string Protocol(int version, int calls, bool renumber)
    {
        var text = new StringBuilder($"---\nprotocol-id: 77\nversion: {version}\nname: Synthetic protocol\n---\n\n# Synthetic protocol\n\n| Call ID | First version supported | Name | Function |\n|--:|--:|---|---|\n");
        for (var i = 0; i < calls; i++)
        {
            var id = renumber && i == 7 ? calls + 7 : i;
            text.Append($"| {id} | {(i < Calls ? 1 : 2)} | `SVSM_SYN_CALL_{i}` | Call number {i}. |\n");
        }

        for (var i = 0; i < calls; i++)
        {
            text.Append($"\n## SVSM_SYN_CALL_{i} Call\n\n| Register | Size (Bytes) | Alignment | In/Out | Description |\n|---|--:|--:|:-:|---|\n")
                .Append("| `RCX` | 4 | | IN | Index of the entry |\n| `RDX` | 8 | 8 | IN | GPA of the buffer |\n| `R8` | 4 | | OUT | Number of bytes written |\n");
        }

        return text.ToString();
    }
}
