using System.Text;
using Svsm.Bindings.Spec.Emitting;
using Svsm.Testing;
using Xunit;

namespace Svsm.Bindings.Generator.Tests;

/// <summary>
/// The generated files of every spec in specs/ against committed baselines in Snapshots/, named by hint name.
/// To accept changes: SVSM_ACCEPT_SNAPSHOTS=1 ./scripts/test.sh (writes the baselines and deletes stale ones).
/// </summary>
public sealed class SnapshotTests
{
    private const string VersionToken = "{{version}}";

    private static readonly string SnapshotFolder = Path.Combine(Repository.Root, "tests", "Svsm.Bindings.Generator.Tests", "Snapshots");

    private static bool Accepting => Environment.GetEnvironmentVariable("SVSM_ACCEPT_SNAPSHOTS") == "1";

    public static TheoryData<string> Specs() => new(GeneratorHost.RepositorySpecs.Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Specs))]
    public void GeneratedFilesMatchTheirBaselines(string specName)
    {
        var spec = GeneratorHost.SpecText.FromRepository(Path.Combine(Repository.Root, "specs", specName));
        var (_, result) = GeneratorHost.Run(new[] { spec });
        var generated = result.Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => Normalize(s.SourceText.ToString()));
        var fileName = HintNames.FileName(HintNames.BaseFor("specs/" + specName));
        var baselines = Directory.Exists(SnapshotFolder)
            ? Directory.GetFiles(SnapshotFolder, fileName).ToDictionary(p => Path.GetFileName(p), p => File.ReadAllText(p).Replace("\r\n", "\n"))
            : new Dictionary<string, string>();

        if (Accepting)
        {
            Directory.CreateDirectory(SnapshotFolder);
            foreach (var stale in baselines.Keys.Except(generated.Keys))
            {
                File.Delete(Path.Combine(SnapshotFolder, stale!));
            }

            foreach (var (hint, text) in generated)
            {
                File.WriteAllText(Path.Combine(SnapshotFolder, hint), text);
                File.Delete(Path.Combine(SnapshotFolder, hint + ".received"));
            }

            return;
        }

        var report = new StringBuilder();
        foreach (var missing in generated.Keys.Except(baselines.Keys!))
        {
            report.AppendLine($"new file {missing} has no baseline");
        }

        foreach (var stale in baselines.Keys.Except(generated.Keys))
        {
            report.AppendLine($"baseline {stale} is no longer generated");
        }

        foreach (var (hint, text) in generated)
        {
            var received = Path.Combine(SnapshotFolder, hint + ".received");
            if (baselines.TryGetValue(hint, out var expected) && expected == text)
            {
                File.Delete(received);
                continue;
            }

            Directory.CreateDirectory(SnapshotFolder);
            File.WriteAllText(received, text);
            report.AppendLine(UnifiedDiff.Of(hint, expected ?? string.Empty, text));
        }

        Assert.True(report.Length == 0, "Generated code differs from the baselines (accept with SVSM_ACCEPT_SNAPSHOTS=1 ./scripts/test.sh):\n" + report);
    }

    [Fact]
    public void EveryBaselineBelongsToASpec()
    {
        var fileNames = GeneratorHost.RepositorySpecs.Select(p => HintNames.FileName(HintNames.BaseFor("specs/" + Path.GetFileName(p)))).ToHashSet(StringComparer.Ordinal);
        var orphans = Directory.Exists(SnapshotFolder)
            ? Directory.GetFiles(SnapshotFolder, "*.g.cs").Select(Path.GetFileName).Where(f => !fileNames.Contains(f!)).ToList()
            : new List<string?>();
        if (Accepting)
        {
            orphans.ForEach(o => File.Delete(Path.Combine(SnapshotFolder, o!)));
            return;
        }

        Assert.True(orphans.Count == 0, "baselines of specs that no longer exist: " + string.Join(", ", orphans));
    }

    private static string Normalize(string text) =>
        text.Replace("\r\n", "\n").Replace("\"" + BindingsEmitter.ToolVersion + "\"", "\"" + VersionToken + "\"")
            .Replace(BindingsEmitter.ToolName + " " + BindingsEmitter.ToolVersion + " ", BindingsEmitter.ToolName + " " + VersionToken + " ");
}

/// <summary>A unified diff of two texts, by lines (longest common subsequence; baselines are small).</summary>
internal static class UnifiedDiff
{
    public static string Of(string name, string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<(char Kind, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', a[x++]));
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                lines.Add(('+', b[y++]));
            }
            else
            {
                lines.Add(('-', a[x++]));
            }
        }

        var output = new StringBuilder($"--- {name} (baseline)\n+++ {name} (generated)\n");
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Kind == ' ')
            {
                continue;
            }

            var start = Math.Max(0, i - 3);
            var end = i;
            while (end < lines.Count && (lines[end].Kind != ' ' || lines.Skip(end).Take(7).Any(l => l.Kind != ' ')))
            {
                end++;
            }

            end = Math.Min(lines.Count, end + 3);
            output.Append("@@ line ").Append(start + 1).Append(" @@\n");
            for (var k = start; k < end; k++)
            {
                output.Append(lines[k].Kind).Append(lines[k].Text).Append('\n');
            }

            i = end;
        }

        return output.ToString();
    }
}
