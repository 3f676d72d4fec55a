using System;
using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Svsm.Bindings.Spec.Emitting;

namespace Svsm.Bindings.Generator;

/// <summary>
/// A Markdown file listed in <c>AdditionalFiles</c>: its path, text and settings. Holds values only, so the
/// step after it is cached unless the file's content or settings change.
/// </summary>
/// <param name="Text">The content, or null when the file cannot be read.</param>
/// <param name="Enabled">False when the item has <c>SvsmSpec="false"</c>.</param>
/// <param name="HintBase">The base of the generated files' names, from the path relative to the project.</param>
/// <param name="Namespace">Item metadata <c>SvsmNamespace</c>: this file's namespace, over its front matter's.</param>
/// <param name="Internal">Item metadata <c>SvsmVisibility="internal"</c>: the generated types are internal.</param>
/// <param name="Sides">Item metadata <c>SvsmEmit</c>: <c>client</c>, <c>server</c> or <c>both</c> (the default), the half of each protocol generated.</param>
/// <param name="UnknownEmit">An <c>SvsmEmit</c> value the generator does not know, reported; both halves are generated.</param>
internal sealed record SpecFile(string Path, string? Text, bool Enabled, string HintBase, string DefaultPrefix, string? Namespace = null, bool Internal = false, EmitSides Sides = EmitSides.Both, string? UnknownEmit = null)
{
    public static bool IsMarkdown(AdditionalText text) => text.Path.EndsWith(".md", StringComparison.OrdinalIgnoreCase);

    public static SpecFile Read(AdditionalText text, AnalyzerConfigOptionsProvider options, CancellationToken cancellationToken)
    {
        var fileOptions = options.GetOptions(text);
        var enabled = !(fileOptions.TryGetValue("build_metadata.AdditionalFiles.SvsmSpec", out var flag) && string.Equals(flag.Trim(), "false", StringComparison.OrdinalIgnoreCase));
        options.GlobalOptions.TryGetValue("build_property.ProjectDir", out var projectDir);
        var content = enabled ? text.GetText(cancellationToken)?.ToString() : null;
        var ns = fileOptions.TryGetValue("build_metadata.AdditionalFiles.SvsmNamespace", out var nsValue) && !string.IsNullOrWhiteSpace(nsValue) ? nsValue.Trim() : null;
        var isInternal = fileOptions.TryGetValue("build_metadata.AdditionalFiles.SvsmVisibility", out var visibility) && string.Equals(visibility.Trim(), "internal", StringComparison.OrdinalIgnoreCase);
        fileOptions.TryGetValue("build_metadata.AdditionalFiles.SvsmEmit", out var emit);
        var knownEmit = EmitSidesNames.TryParse(emit, out var sides);
        return new SpecFile(
            text.Path,
            content,
            enabled,
            HintNames.For(text.Path, projectDir),
            System.IO.Path.GetFileNameWithoutExtension(text.Path),
            ns,
            isInternal,
            sides,
            knownEmit ? null : emit!.Trim());
    }
}

/// <summary>The project-wide settings the generator reads.</summary>
internal sealed record ProjectSettings(string Namespace)
{
    public static ProjectSettings From(AnalyzerConfigOptions options) =>
        new(options.TryGetValue("build_property.SvsmBindingsNamespace", out var ns) && !string.IsNullOrWhiteSpace(ns)
            ? ns.Trim()
            : BindingsEmitter.DefaultNamespace);
}

/// <summary>What the consuming compilation offers the generated code: C# 12, the runtime's types, and whether it is an SVSM (Svsm.Emulator).</summary>
internal sealed record TargetSupport(string LanguageVersion, bool LanguageSupported, bool RuntimeReferenced, bool InlineArraysAvailable, bool EmulatorReferenced)
{
    public static TargetSupport Of(CSharpCompilation compilation) => new(
        compilation.LanguageVersion.ToDisplayString(),
        compilation.LanguageVersion >= Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp12,
        Declares(compilation, "Svsm.Runtime", "Svsm.Runtime.ISvsmTransport"),
        // Inline arrays need the runtime's support, so the attribute counts only where System.Object is defined.
        compilation.GetSpecialType(SpecialType.System_Object).ContainingAssembly.GetTypeByMetadataName("System.Runtime.CompilerServices.InlineArrayAttribute") is not null,
        Declares(compilation, "Svsm.Emulator", "Svsm.Emulator.SvsmProtocolRegistration"));

    // A type of ours is looked for in the compilation's own source (Svsm.Runtime generates from core.md itself) and in
    // the referenced assembly of that name, not in every reference: a compilation-wide lookup walks them all (some 170
    // in a net8.0 project) on every run.
    private static bool Declares(Compilation compilation, string assemblyName, string typeName)
    {
        if (compilation.Assembly.GetTypeByMetadataName(typeName) is not null)
        {
            return true;
        }

        foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            if (string.Equals(assembly.Name, assemblyName, StringComparison.Ordinal) && assembly.GetTypeByMetadataName(typeName) is not null)
            {
                return true;
            }
        }

        return false;
    }
}
