namespace Svsm.Bindings.Benchmarks;

/// <summary>
/// What a measured benchmark must achieve against its class's baseline, measured in the same run: its mean at most
/// <see cref="MaxRatio"/> times the baseline's. <see cref="FiguresTable"/> writes it, with what was measured, into
/// the README's table (scripts/bench.sh), so that no figure there is typed by hand.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GoalAttribute(double maxRatio, string what) : Attribute
{
    public double MaxRatio { get; } = maxRatio;

    /// <summary>What is measured, as the README's table says it.</summary>
    public string What { get; } = what;

    /// <summary>How the ratio is written: as a percentage of the baseline (the generator beside a compile), else as a factor.</summary>
    public bool AsPercent { get; init; }

    /// <summary>
    /// Judged on the median of the benchmark's launches (each a process of its own), against the median of the
    /// baseline's: for a figure that one process's scheduling moves, as a round trip between processes is.
    /// </summary>
    public bool MedianOfLaunches { get; init; }

    /// <summary>Also requires 0 bytes allocated per operation (the benchmark's class has a memory diagnoser).</summary>
    public bool AllocationFree { get; init; }
}
