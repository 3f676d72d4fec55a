using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Svsm.Testing;
using Xunit;
using SpecText = Svsm.Bindings.Generator.Tests.GeneratorHost.SpecText;

namespace Svsm.Bindings.Generator.Tests;

public sealed class GeneratorDiagnosticTests
{
    /// <summary>A spec whose second call repeats the first one's id: SVSM0003 at line 10, column 3.</summary>
    internal const string BrokenSpec = """
        ---
        protocol-id: 7
        version: 1
        ---
        # Broken

        | Call ID | First version supported | Name | Function |
        |---|---|---|---|
        | 0 | 1 | SVSM_B_ONE | One. |
        | 0 | 1 | SVSM_B_TWO | Two. |
        """;

    private const string SmallSpec = """
        ---
        protocol-id: 9
        version: 1
        ---
        # Small

        | Call ID | First version supported | Name | Function |
        |---|---|---|---|
        | 0 | 1 | SVSM_SMALL_PING | Ping. |

        ## SVSM_SMALL_PING Call

        | Register | Size (Bytes) | Alignment | In/Out | Description |
        |---|---|---|---|---|
        | RAX | 4 | | OUT | Result value |
        | RCX | 8 | | IN/OUT | Value to echo |
        """;

    [Fact]
    public void SpecErrorsAreReportedOnTheSpecsOwnLinesAndOnlyWhatIsValidIsGenerated()
    {
        var (_, result) = GeneratorHost.Run(new[] { new SpecText("/project/specs/broken.md", BrokenSpec) });
        var run = result.Results.Single();
        Assert.Null(run.Exception);
        var protocol = run.GeneratedSources.Single(s => s.HintName == "specs.broken.g.cs").SourceText.ToString();
        Assert.Contains("SVSM_B_ONE", protocol);
        Assert.DoesNotContain("SVSM_B_TWO", protocol);
        var error = Assert.Single(run.Diagnostics, d => d.Id == "SVSM0003");
        Assert.EndsWith("Not generated: call 'SVSM_B_TWO'.", error.GetMessage());
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        var span = error.Location.GetLineSpan();
        Assert.Equal("/project/specs/broken.md", span.Path);
        Assert.Equal((9, 2), (span.StartLinePosition.Line, span.StartLinePosition.Character));
        Assert.Contains("Call id 0 of 'SVSM_B_TWO'", error.GetMessage());
        Assert.Equal("SvsmSpec", error.Descriptor.Category);
    }

    [Theory]
    [InlineData("")]
    [InlineData("| Call ID |\n|---|\n| \\| |")]
    [InlineData("---\nprotocol-id: x\n---\n| Register | Size (Bytes) |\n|--|--|\n| RAX | 99999999999999999999999 |")]
    [InlineData("## SVSM_X Call\n\n| Bit(s) | Name | Description |\n|--|--|--|\n| 4096:0 | A | a |")]
    [InlineData("| Offset | Size (Bytes) | Description |\n|--|--|--|\n| 0x7FFFFFFF | 2147483647 | a |")]
    public void MalformedSpecsGiveDiagnosticsNeverAGeneratorException(string text)
    {
        var (_, result) = GeneratorHost.Run(new[] { new SpecText("/project/x.md", text) });
        var run = result.Results.Single();
        Assert.Null(run.Exception);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "CS8785" or "SVSM0998" or "SVSM0999");
    }

    [Fact]
    public void ReadmeWithoutSpecTablesGeneratesNothingAndSaysSoUnlessMarkedNotASpec()
    {
        const string readme = "# Specs\n\nThis folder holds specs.\n\n| Spec | What |\n|---|---|\n| ocp.md | OCP |\n";
        var (_, result) = GeneratorHost.Run(new[] { new SpecText("/project/specs/README.md", readme) });
        Assert.Empty(result.Results.Single().GeneratedSources);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(("SVSM0044", DiagnosticSeverity.Warning), (warning.Id, warning.DefaultSeverity));
        Assert.Contains("This file has 1 table, but no call, struct or constant was recognised", warning.GetMessage());

        (_, result) = GeneratorHost.Run(new[] { new SpecText("/project/specs/README.md", readme, svsmSpec: "false") });
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void ItemsMarkedSvsmSpecFalseAreSkipped()
    {
        var (_, result) = GeneratorHost.Run(new[] { new SpecText("/project/specs/broken.md", BrokenSpec, svsmSpec: "false"), new SpecText("/project/notes.txt", BrokenSpec) });
        Assert.Empty(result.Results.Single().GeneratedSources);
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void TwoSpecsOfTheSameNameInDifferentFoldersGetDistinctHintNames()
    {
        var a = SmallSpec.Replace("version: 1", "version: 1\nnamespace: A");
        var b = SmallSpec.Replace("version: 1", "version: 1\nnamespace: B");
        var (output, result) = GeneratorHost.Run(new[] { new SpecText("/project/one/small.md", a), new SpecText("/project/two/small.md", b) });
        var hints = result.Results.Single().GeneratedSources.Select(s => s.HintName).ToList();
        Assert.Equal(hints.Distinct().Count(), hints.Count);
        Assert.Contains("one.small.g.cs", hints);
        Assert.Contains("two.small.g.cs", hints);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void NamespaceComesFromFrontMatterThenThePropertyThenTheDefault()
    {
        string NamespaceOf(string text, string? property)
        {
            var (_, result) = GeneratorHost.Run(new[] { new SpecText("/project/small.md", text) }, property);
            var client = result.Results.Single().GeneratedSources.Single();
            return client.SourceText.ToString().Split('\n').Single(l => l.StartsWith("namespace ", StringComparison.Ordinal)).Substring(10);
        }

        Assert.Equal("Svsm.Protocols", NamespaceOf(SmallSpec, null));
        Assert.Equal("Contoso.Guest", NamespaceOf(SmallSpec, "Contoso.Guest"));
        Assert.Equal("From.Spec", NamespaceOf(SmallSpec.Replace("version: 1", "version: 1\nnamespace: From.Spec"), "Contoso.Guest"));
    }

    [Fact]
    public void OlderLanguageVersionGetsOneClearDiagnosticInsteadOfBrokenCode()
    {
        var specs = new[] { new SpecText("/project/a.md", SmallSpec), new SpecText("/project/b.md", SmallSpec.Replace("SMALL", "OTHER")) };
        var driver = GeneratorHost.Driver(specs, language: LanguageVersion.CSharp11)
            .RunGeneratorsAndUpdateCompilation(GeneratorHost.Compilation(language: LanguageVersion.CSharp11), out _, out _);
        var run = driver.GetRunResult().Results.Single();
        Assert.Empty(run.GeneratedSources);
        var diagnostic = Assert.Single(run.Diagnostics, d => d.Id == "SVSM0030");
        Assert.Contains("C# 11", diagnostic.GetMessage());
    }

    [Fact]
    public void MissingRuntimeReferenceIsReported()
    {
        var (_, result) = GeneratorHost.Run(new[] { new SpecText("/project/a.md", SmallSpec) }, input: GeneratorHost.Compilation(withRuntime: false));
        Assert.Empty(result.Results.Single().GeneratedSources);
        Assert.Contains("Svsm.Runtime", Assert.Single(result.Diagnostics, d => d.Id == "SVSM0031").GetMessage());
    }

    // Svsm.Runtime generates its own result names from core.md: there the runtime's types are the compilation's own.
    [Fact]
    public void RuntimeTypesDeclaredInTheCompilationItselfCountAsTheRuntime()
    {
        var code = "namespace Svsm.Runtime { public interface ISvsmTransport { } }";
        var (_, result) = GeneratorHost.Run(new[] { new SpecText("/project/a.md", SmallSpec) }, input: GeneratorHost.Compilation(code, withRuntime: false));
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "SVSM0031");
        Assert.NotEmpty(result.Results.Single().GeneratedSources);
    }

    [Fact]
    public void WarningsAndInfosDoNotStopGeneration()
    {
        var spec = SmallSpec.Replace("| RCX | 8 | | IN/OUT | Value to echo |", "| RCX | 4 | | IN/OUT | GPA of the value |");
        var (_, result) = GeneratorHost.Run(new[] { new SpecText("/project/a.md", spec) }, input: GeneratorHost.Compilation(warningsAsErrors: false));
        Assert.Contains(result.Diagnostics, d => d.Id == "SVSM0019" && d.Severity == DiagnosticSeverity.Warning);
        Assert.NotEmpty(result.Results.Single().GeneratedSources);
    }

    [Fact]
    public void AnalyzerReleasesListTheCatalog()
    {
        var unshipped = File.ReadAllLines(Path.Combine(Repository.Root, "generator", "Svsm.Bindings.Generator", "ReleaseTracking", "AnalyzerReleases.Unshipped.md"))
            .Where(l => l.StartsWith("SVSM", StringComparison.Ordinal))
            .Select(l => l.Split('|').Select(c => c.Trim()).ToArray())
            .ToDictionary(c => c[0], c => (Category: c[1], Severity: c[2]));
        var catalog = Spec.Diagnostics.SpecDiagnostics.All;
        Assert.Equal(catalog.Select(d => d.Id).OrderBy(i => i), unshipped.Keys.OrderBy(i => i));
        Assert.All(catalog, d => Assert.Equal((DiagnosticDescriptors.Category, d.Severity.ToString()), unshipped[d.Id]));
    }
}
