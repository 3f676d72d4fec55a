using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Svsm.Bindings.Generator;
using Svsm.Bindings.Spec;
using Svsm.Bindings.Spec.Emitting;

namespace Svsm.Bindings.Benchmarks;

/// <summary>
/// The generator's cost beside the compile it runs in. The baseline compiles the same consumer without the
/// generator: its code plus the bindings as source files, as `svsm-bindgen generate` writes them. Beside it: a
/// cold generator run over every spec in specs/ (with the reader and the emitters on their own, to see where the
/// time goes), and the rerun after an edit that touches no spec.
/// Targets: cold at most 5% of the compile, the rerun at most 1% of cold.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class GeneratorBenchmarks
{
    private const string Consumer = """
        using System;
        using Svsm.Runtime;

        namespace App;

        public static class Program
        {
            public static int Main()
            {
                var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(5, 0) };
                Console.WriteLine(new SvsmResult((uint)registers.Rax));
                return 0;
            }
        }

        internal sealed class Loopback : ISvsmTransport
        {
            public void Call(ref SvsmRegisters registers) => registers.Rax = SvsmResult.SuccessCode;
        }
        """;

    private CSharpCompilation compilation = null!;
    private CSharpCompilation edited = null!;
    private ImmutableArray<AdditionalText> specs;
    private GeneratorDriver warmDriver = null!;
    private CSharpCompilation withBindingsAsSource = null!;
    private string[] texts = null!;

    [GlobalSetup]
    public void Setup()
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(Svsm.Runtime.ISvsmTransport).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
        var options = new CSharpParseOptions(LanguageVersion.CSharp12);
        compilation = CSharpCompilation.Create("Consumer", new[] { CSharpSyntaxTree.ParseText(Consumer, options) }, references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App { internal static class Edit { public const int X = 1; } }", options));
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Bindings.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("Bindings.sln not found");
        }

        specs = Directory.GetFiles(Path.Combine(root.FullName, "specs"), "*.md")
            .Select(p => (AdditionalText)new SpecText(p, File.ReadAllText(p)))
            .ToImmutableArray();
        texts = specs.Select(s => s.GetText()!.ToString()).ToArray();
        var generated = specs.SelectMany(s => BindingsEmitter.Emit(SpecParser.Parse(s.GetText()!.ToString()), new EmitOptions(BindingsEmitter.DefaultNamespace, Path.GetFileNameWithoutExtension(s.Path), HintNames.For(s.Path, root.FullName))))
            .Select(f => CSharpSyntaxTree.ParseText(f.Text, options));
        withBindingsAsSource = compilation.AddSyntaxTrees(generated);
        warmDriver = NewDriver().RunGenerators(compilation);
    }

    [Benchmark(Baseline = true, Description = "compile consumer, no generator")]
    public bool CompileWithoutGenerator()
    {
        using var stream = new MemoryStream();
        return withBindingsAsSource.Clone().Emit(stream).Success;
    }

    [Benchmark(Description = "reader only, all specs")]
    public int ParseOnly() => texts.Sum(t => SpecParser.Parse(t).Calls.Count);

    [Benchmark(Description = "reader + emitters, all specs")]
    public int ParseAndEmit() => texts.Sum(t => BindingsEmitter.Emit(SpecParser.Parse(t), new EmitOptions("N", "spec", "spec")).Count);

    [Benchmark(Description = "cold generation, all specs")]
    public GeneratorDriver ColdGeneration() => NewDriver().RunGenerators(compilation);

    [Benchmark(Description = "rerun after unrelated edit")]
    public GeneratorDriver RerunAfterUnrelatedEdit() => warmDriver.RunGenerators(edited);

    private GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(
        new[] { new SvsmBindingsGenerator().AsSourceGenerator() }, specs, new CSharpParseOptions(LanguageVersion.CSharp12));

    private sealed class SpecText(string path, string text) : AdditionalText
    {
        private readonly SourceText source = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => source;
    }
}
