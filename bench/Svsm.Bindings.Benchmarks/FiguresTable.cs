using System.Globalization;
using System.Reflection;
using System.Text;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Svsm.Bindings.Benchmarks;

/// <summary>
/// The README's table of figures from a run's summaries: one row per benchmark with a <see cref="GoalAttribute"/>,
/// its mean against the mean of its class's baseline in the same run and with the same parameters.
/// </summary>
internal static class FiguresTable
{
    public static string Write(IEnumerable<Summary> summaries)
    {
        var table = new StringBuilder();
        table.AppendLine("| Benchmark | Baseline (same run) | Goal | Measured | Met |");
        table.AppendLine("|---|---|---|---|---|");
        foreach (var summary in summaries)
        {
            foreach (var report in summary.Reports.Where(r => Goal(r.BenchmarkCase) is not null))
            {
                var goal = Goal(report.BenchmarkCase)!;
                var parameters = report.BenchmarkCase.Parameters.DisplayInfo;
                var baseline = summary.Reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Baseline && r.BenchmarkCase.Parameters.DisplayInfo == parameters);
                var mean = goal.MedianOfLaunches ? MedianOfLaunches(report) : report.ResultStatistics?.Mean;
                var baselineMean = goal.MedianOfLaunches ? (baseline is null ? null : MedianOfLaunches(baseline)) : baseline?.ResultStatistics?.Mean;
                var type = report.BenchmarkCase.Descriptor.Type.Name;
                var name = "`" + type + "`" + (report.BenchmarkCase.HasParameters ? " (" + parameters + ")" : string.Empty) + ": " + goal.What;
                var against = baseline is null ? "none" : Describe(baseline.BenchmarkCase);
                var limit = goal.AsPercent ? "≤ " + Percent(goal.MaxRatio) : "≤ " + Factor(goal.MaxRatio);
                if (mean is not { } measured || baselineMean is not { } reference || reference <= 0)
                {
                    table.AppendLine($"| {name} | {against} | {limit} | not measured (the run failed) | ✗ |");
                    continue;
                }

                var ratio = measured / reference;
                var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
                var figure = (goal.AsPercent ? Percent(ratio) : Factor(ratio)) + " (" + Time(measured) + " vs " + Time(reference) +
                    (goal.MedianOfLaunches ? ", median of " + Launches(report).ToString(CultureInfo.InvariantCulture) + " runs" : string.Empty) +
                    (goal.AllocationFree ? ", " + (allocated is { } bytes ? bytes.ToString(CultureInfo.InvariantCulture) + " B" : "allocation not measured") + " per call" : string.Empty) + ")";
                var met = ratio <= goal.MaxRatio && (!goal.AllocationFree || allocated == 0);
                table.AppendLine($"| {name} | {against} | {(goal.AllocationFree ? limit + ", 0 B" : limit)} | {figure} | {(met ? "✓" : "✗")} |");
            }
        }

        return table.ToString();
    }

    /// <summary>The median of the per-launch means of a benchmark's result measurements (overhead subtracted, per operation).</summary>
    private static double? MedianOfLaunches(BenchmarkReport report)
    {
        var means = report.GetResultRuns().GroupBy(m => m.LaunchIndex).Select(g => g.Average(m => m.Nanoseconds / m.Operations)).OrderBy(m => m).ToList();
        return means.Count == 0 ? null : means.Count % 2 == 1 ? means[means.Count / 2] : (means[(means.Count / 2) - 1] + means[means.Count / 2]) / 2;
    }

    private static int Launches(BenchmarkReport report) => report.GetResultRuns().Select(m => m.LaunchIndex).Distinct().Count();

    private static GoalAttribute? Goal(BenchmarkCase benchmark) => benchmark.Descriptor.WorkloadMethod.GetCustomAttribute<GoalAttribute>();

    private static string Describe(BenchmarkCase benchmark) =>
        benchmark.Descriptor.WorkloadMethodDisplayInfo.Trim('\'');

    private static string Factor(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x";

    private static string Percent(double ratio) => (ratio * 100).ToString(ratio < 0.1 ? "0.0" : "0", CultureInfo.InvariantCulture) + "%";

    private static string Time(double nanoseconds) =>
        nanoseconds >= 1e9 ? (nanoseconds / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " s"
        : nanoseconds >= 1e6 ? (nanoseconds / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " ms"
        : nanoseconds >= 1e3 ? (nanoseconds / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " µs"
        : nanoseconds.ToString("0", CultureInfo.InvariantCulture) + " ns";
}
