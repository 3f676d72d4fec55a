using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Svsm.Testing;
using Xunit;
using SpecText = Svsm.Bindings.Generator.Tests.GeneratorHost.SpecText;

namespace Svsm.Bindings.Generator.Tests;

/// <summary>The pipeline caches: an unrelated edit reruns nothing, a spec edit reruns only that spec.</summary>
public sealed class IncrementalityTests
{
    private static readonly string[] TrackedSteps =
    {
        TrackingNames.SpecFiles, TrackingNames.SpecModels, TrackingNames.SpecDiagnostics, TrackingNames.SpecEmissions, TrackingNames.SpecSources,
        TrackingNames.ProjectSettings, TrackingNames.TargetSupport, TrackingNames.BaselinePaths,
    };

    private static List<SpecText> RepositorySpecs() => GeneratorHost.RepositorySpecs.Select(SpecText.FromRepository).ToList();

    [Fact]
    public void UnrelatedCSharpEditLeavesEveryStepCachedOrUnchanged()
    {
        var compilation = GeneratorHost.Compilation();
        var driver = GeneratorHost.Driver(RepositorySpecs()).RunGenerators(compilation);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App { internal static class Unrelated { public const int X = 1; } }", new CSharpParseOptions(LanguageVersion.CSharp12)));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var step in TrackedSteps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), step + " is not tracked");
            foreach (var run in result.TrackedSteps[step])
            {
                Assert.All(run.Outputs, output => Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"{step} output was {output.Reason}"));
            }
        }

        Assert.All(result.TrackedOutputSteps.SelectMany(o => o.Value).SelectMany(r => r.Outputs), output =>
            Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "output step " + output.Reason));
    }

    [Fact]
    public void EditingOneSpecRegeneratesOnlyThatSpec()
    {
        var specs = new List<SpecText>
        {
            new("/project/a.md", "---\nprotocol-id: 1\nversion: 1\n---\n| Call ID | First version supported | Name | Function |\n|--|--|--|--|\n| 0 | 1 | SVSM_A_GO | Go. |\n\n## SVSM_A_GO Call\n\n| Register | Size (Bytes) | Alignment | In/Out | Description |\n|--|--|--|--|--|\n| RCX | 4 | | IN | Count |\n"),
            new("/project/b.md", "---\nprotocol-id: 2\nversion: 1\n---\n| Call ID | First version supported | Name | Function |\n|--|--|--|--|\n| 0 | 1 | SVSM_B_GO | Go. |\n\n## SVSM_B_GO Call\n\n| Register | Size (Bytes) | Alignment | In/Out | Description |\n|--|--|--|--|--|\n| RCX | 4 | | IN | Count |\n"),
        };
        var compilation = GeneratorHost.Compilation();
        var driver = GeneratorHost.Driver(specs).RunGenerators(compilation);
        var edited = new SpecText("/project/b.md", specs[1].Content.Replace("| RCX | 4 | | IN | Count |", "| RCX | 8 | | IN | Count |"));
        driver = driver.ReplaceAdditionalText(specs[1], edited).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();

        var sources = result.TrackedSteps[TrackingNames.SpecSources].SelectMany(r => r.Outputs).ToList();
        Assert.Equal(1, sources.Count(o => o.Reason == IncrementalStepRunReason.Modified));
        Assert.Equal(1, sources.Count(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        var modified = (SpecGeneration)sources.Single(o => o.Reason == IncrementalStepRunReason.Modified).Value;
        Assert.Equal("/project/b.md", modified.Path);
        Assert.Contains("ulong count", result.GeneratedSources.Single(s => s.HintName == "b.g.cs").SourceText.ToString());
    }

    [Theory]
    [InlineData("specs/ocp.md")]
    [InlineData("specs/uefi-mm.md")]
    [InlineData("specs/vmfwupdate.md")]
    [InlineData("specs/snp-report.md")]
    public void AnEditThatOnlyMovesThingsReReportsDiagnosticsAndReEmitsNoSource(string spec)
    {
        var original = SpecText.FromRepository(Path.Combine(Repository.Root, spec));
        var driver = GeneratorHost.Driver(new[] { original }).RunGenerators(GeneratorHost.Compilation());
        var before = driver.GetRunResult().Results.Single();

        // Two blank lines at the top and trailing spaces on every line: every position moves, no meaning changes.
        var moved = new SpecText(original.Path, Regex.Replace(original.Content.StartsWith("---", StringComparison.Ordinal)
            ? original.Content.Replace("\n---\n", "\n---\n\n\n")
            : "\n\n" + original.Content, "\n", "  \n"));
        var after = driver.ReplaceAdditionalText(original, moved).RunGenerators(GeneratorHost.Compilation()).GetRunResult().Results.Single();

        // The reading holds positions in its diagnostics (and in its surface, which only a spec with a shipped baseline
        // has), so it changes where there are diagnostics; the model code is emitted from has none.
        var hasDiagnostics = before.Diagnostics.Length > 0;
        Assert.Equal(hasDiagnostics ? IncrementalStepRunReason.Modified : IncrementalStepRunReason.Unchanged, after.TrackedSteps[TrackingNames.SpecModels].Single().Outputs.Single().Reason);
        // Below an unchanged reading, its steps are cached rather than run again.
        var unchanged = hasDiagnostics ? IncrementalStepRunReason.Unchanged : IncrementalStepRunReason.Cached;
        Assert.Equal(hasDiagnostics ? IncrementalStepRunReason.Modified : unchanged, after.TrackedSteps[TrackingNames.SpecDiagnostics].Single().Outputs.Single().Reason);
        Assert.Equal(unchanged, after.TrackedSteps[TrackingNames.SpecEmissions].Single().Outputs.Single().Reason);
        Assert.Equal(IncrementalStepRunReason.Cached, after.TrackedSteps[TrackingNames.SpecSources].Single().Outputs.Single().Reason);
        Assert.Equal(before.GeneratedSources.Select(s => s.SourceText.ToString()), after.GeneratedSources.Select(s => s.SourceText.ToString()));

        // The diagnostics moved with the text.
        var lines = (int)after.Diagnostics.Zip(before.Diagnostics, (a, b) => a.Location.GetLineSpan().StartLinePosition.Line - b.Location.GetLineSpan().StartLinePosition.Line).DefaultIfEmpty(2).Min();
        Assert.Equal(2, lines);
    }

    [Fact]
    public void ContentEditWithTheSamePathIsSeen()
    {
        var spec = new SpecText("/project/a.md", "| Offset | Size (Bytes) | Description |\n|--|--|--|\n| 0 | 4 | Flags |\n");
        var driver = GeneratorHost.Driver(new[] { spec }).RunGenerators(GeneratorHost.Compilation());
        var edited = new SpecText("/project/a.md", spec.Content.Replace("| 0 | 4 | Flags |", "| 0 | 8 | Flags |"));
        var result = driver.ReplaceAdditionalText(spec, edited).RunGenerators(GeneratorHost.Compilation()).GetRunResult();
        Assert.Contains("Size = 8", result.GeneratedTrees.Single().ToString());
    }

    [Fact]
    public void ModelsHoldNoRoslynOrMarkdigObjects()
    {
        var driver = GeneratorHost.Driver(RepositorySpecs()).RunGenerators(GeneratorHost.Compilation());
        var result = driver.GetRunResult().Results.Single();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var types = new HashSet<string>();
        foreach (var step in TrackedSteps)
        {
            foreach (var output in result.TrackedSteps[step].SelectMany(r => r.Outputs))
            {
                Walk(output.Value, step, visited, types);
            }
        }

        // The walk really went through the model, down to its leaves.
        Assert.Superset(new HashSet<string> { "SpecFile", "SpecDocument", "CallSpec", "RegisterSpec", "StructSpec", "FieldSpec", "BitSpec", "SpecSpan", "GeneratedFile", "TargetSupport" }, types);
    }

    private static void Walk(object? value, string path, HashSet<object> visited, HashSet<string> types)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || value is Pointer)
        {
            return;
        }

        var type = value.GetType();
        types.Add(type.Name);
        var ns = type.Namespace ?? string.Empty;
        Assert.False(ns.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) || ns.StartsWith("Markdig", StringComparison.Ordinal),
            $"{path} holds a {type.FullName}");
        if (!type.IsValueType && !visited.Add(value))
        {
            return;
        }

        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                Walk(item, $"{path}[{i++}]", visited, types);
            }

            return;
        }

        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                Walk(field.GetValue(value), path + "." + field.Name, visited, types);
            }
        }
    }
}
