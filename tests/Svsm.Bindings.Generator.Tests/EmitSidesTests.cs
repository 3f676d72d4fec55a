using Microsoft.CodeAnalysis;
using Svsm.Testing;
using Xunit;

namespace Svsm.Bindings.Generator.Tests;

/// <summary>
/// <c>SvsmEmit</c> gives a project its half of a protocol (a guest app the client, an SVSM the handler and
/// dispatcher), and a project that references Svsm.Emulator gets each dispatcher's one-line registration.
/// </summary>
public sealed class EmitSidesTests
{
    private static GeneratorHost.SpecText Ocp(string? emit) =>
        new(GeneratorHost.ProjectDir + "specs/ocp.md", File.ReadAllText(Path.Combine(Repository.Root, "specs", "ocp.md")), svsmEmit: emit);

    private static (string Source, Compilation Output, GeneratorDriverRunResult Result) Generate(string? emit, bool withEmulator = false)
    {
        var (output, result) = GeneratorHost.Run(new[] { Ocp(emit) }, input: GeneratorHost.Compilation(withEmulator: withEmulator));
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        return (string.Join("\n", result.GeneratedTrees.Select(t => t.ToString())), output, result);
    }

    [Theory]
    [InlineData("client", true, false)]
    [InlineData("guest", true, false)]
    [InlineData("server", false, true)]
    [InlineData("both", true, true)]
    [InlineData(null, true, true)]
    public void EachHalfIsGeneratedWithTheProtocolsTypes(string? emit, bool client, bool server)
    {
        var (source, _, _) = Generate(emit);
        Assert.Contains("class OcpProtocol", source);
        Assert.Contains("struct SourceEntry", source);
        Assert.Equal(client, source.Contains("class OcpClient", StringComparison.Ordinal));
        Assert.Equal(server, source.Contains("interface IOcpHandler", StringComparison.Ordinal));
        Assert.Equal(server, source.Contains("class OcpDispatcher", StringComparison.Ordinal));
    }

    [Fact]
    public void AnUnknownValueIsAWarningAndGivesBothHalves()
    {
        var (_, result) = GeneratorHost.Run(new[] { Ocp("guest-only") });
        var warning = Assert.Single(result.Diagnostics, d => d.Id == "SVSM0054");
        Assert.Equal(DiagnosticSeverity.Warning, warning.Descriptor.DefaultSeverity);
        Assert.Contains("guest-only", warning.GetMessage(), StringComparison.Ordinal);
        var source = string.Join("\n", result.GeneratedTrees.Select(t => t.ToString()));
        Assert.Contains("class OcpClient", source);
        Assert.Contains("class OcpDispatcher", source);
    }

    [Fact]
    public void TheRegistrationIsGeneratedOnlyWhereSvsmEmulatorIsReferencedAndServes()
    {
        Assert.DoesNotContain("Registration(", Generate("server").Source);
        var (source, output, _) = Generate("server", withEmulator: true);
        Assert.Contains("public static global::Svsm.Emulator.SvsmProtocolRegistration Registration(IOcpHandler handler, uint minVersion = 1)", source);

        // It compiles into a registration the emulator serves: id, versions and call table from the spec.
        using var stream = new MemoryStream();
        Assert.True(output.Emit(stream).Success);
    }

    [Fact]
    public void AnEditThatTouchesNoSpecLeavesTheEmittingStepCachedWithTheEmulatorReferenced()
    {
        var compilation = GeneratorHost.Compilation(withEmulator: true);
        var driver = GeneratorHost.Driver(new[] { Ocp("server") }).RunGenerators(compilation);
        var edited = compilation.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("namespace App { internal static class Unrelated { } }", new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp12)));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.All(result.TrackedSteps[TrackingNames.EmulatorReferenced].SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached }));
        Assert.All(result.TrackedSteps[TrackingNames.SpecSources].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }
}
