using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Svsm.Bindings.Spec;
using Svsm.Bindings.Spec.Comparing;
using Svsm.Bindings.Spec.Model;
using Xunit;
using SpecText = Svsm.Bindings.Generator.Tests.GeneratorHost.SpecText;

namespace Svsm.Bindings.Generator.Tests;

/// <summary>
/// A shipped baseline as an AdditionalFile: the build reports each breaking change against it as an error on the
/// spec's line and each additive one as an info; a baseline it cannot use is an error naming it; and the pairing
/// caches per spec.
/// </summary>
public sealed class ShippedBaselineTests
{
    private static string Spec(char name, int protocol, string extraRow = "", int version = 1) =>
        $"---\nprotocol-id: {protocol}\nversion: {version}\n---\n| Call ID | First version supported | Name | Function |\n|--|--|--|--|\n| 0 | 1 | SVSM_{name}_GO | Go. |\n| 1 | 1 | SVSM_{name}_STOP | Stop. |\n{extraRow}\n## SVSM_{name}_GO Call\n\n| Register | Size (Bytes) | Alignment | In/Out | Description |\n|--|--|--|--|--|\n| RCX | 4 | | IN | Count |\n";

    private static SpecText Baseline(string path, string specText) =>
        new(path, new ShippedBaseline(Path.GetFileName(path).Replace(".shipped.json", ".md", StringComparison.Ordinal), EquatableArray<ProtocolSurface>.Empty)
            .With(ProtocolSurface.From(SpecParser.Parse(specText))).ToJson("0.1.0"));

    private static IReadOnlyList<Diagnostic> Diagnostics(params SpecText[] files) =>
        GeneratorHost.Run(files).Result.Diagnostics.Where(d => d.Id is "SVSM0057" or "SVSM0066" or "SVSM0068" or "SVSM0056").ToList();

    [Fact]
    public void ABreakingEditIsAnErrorOnTheSpecsLineNamingWhereTheShippedSpecHadIt()
    {
        var shipped = Spec('A', 1);
        var renumbered = shipped.Replace("| 1 | 1 | SVSM_A_STOP |", "| 2 | 1 | SVSM_A_STOP |", StringComparison.Ordinal);
        var diagnostic = Assert.Single(Diagnostics(new SpecText("/project/a.md", renumbered), Baseline("/project/a.shipped.json", shipped)));
        Assert.Equal(("SVSM0057", DiagnosticSeverity.Error), (diagnostic.Id, diagnostic.Severity));
        var place = diagnostic.Location.GetLineSpan();
        Assert.Equal(("/project/a.md", 7), (place.Path, place.StartLinePosition.Line));
        Assert.Equal("'SVSM_A_STOP' was call 1 and is now call 2: callers of the released version still send 1 (was a.md(8,1) in version 1 as shipped)", diagnostic.GetMessage());

        // Without the baseline the same spec is clean.
        Assert.Empty(Diagnostics(new SpecText("/project/a.md", renumbered)));
    }

    [Fact]
    public void AnAdditiveEditIsAnInfo()
    {
        var shipped = Spec('A', 1);
        var next = Spec('A', 1, "| 2 | 2 | SVSM_A_PAUSE | Pause. |\n", version: 2);
        var diagnostic = Assert.Single(Diagnostics(new SpecText("/project/a.md", next), Baseline("/project/a.shipped.json", shipped)));
        Assert.Equal(("SVSM0066", DiagnosticSeverity.Info), (diagnostic.Id, diagnostic.Severity));
        Assert.Contains("'SVSM_A_PAUSE' (call 2) is new in version 2", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("not json at all", "at line 1, column 1")]
    [InlineData("{\"format\": 7, \"tool\": \"7.0.0\", \"spec\": \"a.md\", \"versions\": []}", "written by a newer svsm-bindgen (7.0.0)")]
    [InlineData("{\"format\": 1, \"tool\": \"0.1.0\", \"spec\": \"a.md\", \"versions\": []}", "it holds no shipped version")]
    public void ABaselineThatCannotBeUsedIsAnErrorNamingTheFileNeverAnException(string json, string says)
    {
        var diagnostics = GeneratorHost.Run(new[] { new SpecText("/project/a.md", Spec('A', 1)), new SpecText("/project/a.shipped.json", json) }).Result;
        var diagnostic = Assert.Single(diagnostics.Diagnostics, d => d.Id == "SVSM0068");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("/project/a.shipped.json", diagnostic.Location.GetLineSpan().Path);
        Assert.Contains("The shipped baseline /project/a.shipped.json cannot be used: ", diagnostic.GetMessage());
        Assert.Contains(says, diagnostic.GetMessage());
        Assert.Empty(diagnostics.Results.Single().Exception is { } e ? new[] { e } : Array.Empty<Exception>());
    }

    [Fact]
    public void EditingABaselineReChecksOnlyItsSpecAndACSharpEditNothing()
    {
        var a = new SpecText("/project/a.md", Spec('A', 1));
        var b = new SpecText("/project/b.md", Spec('B', 2));
        var aBaseline = Baseline("/project/a.shipped.json", a.Content);
        var bBaseline = Baseline("/project/b.shipped.json", b.Content);
        var compilation = GeneratorHost.Compilation();
        var driver = GeneratorHost.Driver(new[] { a, b, aBaseline, bBaseline }).RunGenerators(compilation);

        // A C# edit: every step of the pairing is cached.
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App { internal static class Unrelated { } }", new CSharpParseOptions(LanguageVersion.CSharp12)));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        foreach (var step in new[] { TrackingNames.SpecSurfaces, TrackingNames.ShippedBaselines, TrackingNames.BaselinePairs, TrackingNames.EvolutionReports })
        {
            Assert.All(result.TrackedSteps[step].SelectMany(r => r.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
        }

        // Editing b's baseline (it now ships b without its STOP call): b is checked again, a is not.
        var older = Baseline("/project/b.shipped.json", Spec('B', 2).Replace("| 1 | 1 | SVSM_B_STOP | Stop. |\n", "", StringComparison.Ordinal));
        driver = driver.ReplaceAdditionalText(bBaseline, older);
        var run = driver.RunGenerators(compilation).GetRunResult();
        result = run.Results.Single();
        var reports = result.TrackedSteps[TrackingNames.EvolutionReports].SelectMany(r => r.Outputs).ToList();
        var modified = Assert.Single(reports, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Equal("/project/b.md", ((SpecEvolutionReport)modified.Value).SpecPath);
        Assert.All(reports.Where(o => o != modified), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.All(result.TrackedSteps[TrackingNames.SpecSources].SelectMany(r => r.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        Assert.All(result.TrackedSteps[TrackingNames.SpecModels].SelectMany(r => r.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.Contains(run.Diagnostics, d => d.Id == "SVSM0061" && d.GetMessage().Contains("'SVSM_B_STOP' is new, but its first version, 1, is already released", StringComparison.Ordinal));
    }

    // A spec's surface is taken only when a baseline pairs with it; a baseline added later still gets its spec checked.
    [Fact]
    public void ABaselineAddedLaterIsCheckedAndASpecWithoutOneHasNoSurface()
    {
        var b = new SpecText("/project/b.md", Spec('B', 2));
        var compilation = GeneratorHost.Compilation();
        var driver = GeneratorHost.Driver(new[] { b }).RunGenerators(compilation);
        var surfaces = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.SpecSurfaces].SelectMany(r => r.Outputs).ToList();
        Assert.Null(((SpecSurface)Assert.Single(surfaces).Value).Surface);

        var older = Baseline("/project/b.shipped.json", Spec('B', 2).Replace("| 1 | 1 | SVSM_B_STOP | Stop. |\n", "", StringComparison.Ordinal));
        var run = driver.AddAdditionalTexts(System.Collections.Immutable.ImmutableArray.Create<AdditionalText>(older)).RunGenerators(compilation).GetRunResult();
        surfaces = run.Results.Single().TrackedSteps[TrackingNames.SpecSurfaces].SelectMany(r => r.Outputs).ToList();
        Assert.NotNull(((SpecSurface)Assert.Single(surfaces).Value).Surface);
        Assert.Contains(run.Diagnostics, d => d.Id == "SVSM0061" && d.GetMessage().Contains("'SVSM_B_STOP' is new", StringComparison.Ordinal));
    }
}
