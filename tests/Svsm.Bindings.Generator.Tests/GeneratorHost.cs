using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Svsm.Testing;

namespace Svsm.Bindings.Generator.Tests;

/// <summary>Runs the generator in a GeneratorDriver over in-memory specs and C#, the way the compiler does.</summary>
internal sealed class GeneratorHost
{
    public const string ProjectDir = "/project/";

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(Svsm.Runtime.ISvsmTransport).Assembly.Location);
        paths.Add(typeof(Svsm.Emulator.SvsmEmulator).Assembly.Location);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static IEnumerable<string> RepositorySpecs =>
        Directory.GetFiles(Path.Combine(Repository.Root, "specs"), "*.md").OrderBy(p => p, StringComparer.Ordinal);

    /// <param name="withEmulator">Whether the consumer references Svsm.Emulator (an SVSM), not only Svsm.Runtime (a guest app).</param>
    public static CSharpCompilation Compilation(string code = "namespace App { public static class Program { } }", LanguageVersion language = LanguageVersion.CSharp12, bool withRuntime = true, bool warningsAsErrors = true, bool withEmulator = false) =>
        CSharpCompilation.Create(
            "Consumer",
            new[] { CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(language), path: "Program.cs") },
            References.Value.Where(r => (withRuntime || !r.Display!.EndsWith("Svsm.Runtime.dll", StringComparison.Ordinal)) && ((withRuntime && withEmulator) || !r.Display!.EndsWith("Svsm.Emulator.dll", StringComparison.Ordinal))),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, generalDiagnosticOption: warningsAsErrors ? ReportDiagnostic.Error : ReportDiagnostic.Default));

    public static GeneratorDriver Driver(IEnumerable<SpecText> specs, string? ns = null, LanguageVersion language = LanguageVersion.CSharp12)
    {
        var texts = specs.ToList();
        return CSharpGeneratorDriver.Create(
            new[] { new SvsmBindingsGenerator().AsSourceGenerator() },
            texts.Select(t => (AdditionalText)t),
            new CSharpParseOptions(language),
            new Options(ns, texts),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    /// <summary>Runs the generator once and returns the updated compilation and the run's result.</summary>
    public static (Compilation Output, GeneratorDriverRunResult Result) Run(IEnumerable<SpecText> specs, string? ns = null, Compilation? input = null)
    {
        var driver = Driver(specs, ns).RunGeneratorsAndUpdateCompilation(input ?? Compilation(), out var output, out _);
        return (output, driver.GetRunResult());
    }

    /// <summary>A spec as an additional file, with the item metadata the project would give it.</summary>
    public sealed class SpecText(string path, string text, string? svsmSpec = null, string? svsmEmit = null) : AdditionalText
    {
        public override string Path { get; } = path;

        public string? SvsmSpec { get; } = svsmSpec;

        public string? SvsmEmit { get; } = svsmEmit;

        public string Content { get; } = text;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(Content);

        public static SpecText FromRepository(string fullPath) =>
            new(ProjectDir + System.IO.Path.GetRelativePath(Repository.Root, fullPath).Replace('\\', '/'), File.ReadAllText(fullPath));
    }

    private sealed class Options(string? ns, IReadOnlyList<SpecText> specs) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(new Dictionary<string, string>
        {
            ["build_property.ProjectDir"] = ProjectDir,
            ["build_property.SvsmBindingsNamespace"] = ns ?? string.Empty,
        });

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Values.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile)
        {
            var spec = specs.FirstOrDefault(s => s.Path == textFile.Path);
            var values = new Dictionary<string, string>();
            if (spec?.SvsmSpec is { } flag)
            {
                values["build_metadata.AdditionalFiles.SvsmSpec"] = flag;
            }

            if (spec?.SvsmEmit is { } emit)
            {
                values["build_metadata.AdditionalFiles.SvsmEmit"] = emit;
            }

            return values.Count == 0 ? Values.Empty : new Values(values);
        }
    }

    private sealed class Values(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public static Values Empty { get; } = new(new Dictionary<string, string>());

        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
