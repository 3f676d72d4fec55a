using System;
using System.Linq;
using Svsm.Bindings.Spec;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Emitting;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Generator;

/// <summary>What reading one spec gives: its diagnostics, with positions, its model, without them, and its surface for comparing with a baseline.</summary>
internal sealed record SpecReading(SpecReport Report, SpecEmission Emission, SpecSurface Surface)
{
    /// <param name="hasBaseline">Whether a shipped baseline pairs with the spec: only then is its surface taken.</param>
    public static SpecReading Read(SpecFile file, bool hasBaseline)
    {
        var document = SpecParser.Parse(file.Text ?? string.Empty);
        var surface = new SpecSurface(file.Path, hasBaseline ? Spec.Comparing.ProtocolSurface.From(document) : null, file.Text is not null && document.HasDefinitions);
        return new SpecReading(SpecReport.From(file, document), SpecEmission.From(file, document), surface);
    }
}

/// <summary>What a spec's diagnostics are reported from: its path and what the reader found wrong, positions and all.</summary>
internal sealed record SpecReport(string Path, EquatableArray<SpecDiagnostic> Diagnostics)
{
    public static SpecReport From(SpecFile file, SpecDocument document)
    {
        var diagnostics = file.Text is null ? new[] { SpecDiagnostics.SpecUnreadable.Create(SpecSpan.None, file.Path) }.ToEquatableArray() : document.Diagnostics;
        return new(file.Path, file.UnknownEmit is { } emit
            ? diagnostics.Prepend(SpecDiagnostics.UnknownEmit.Create(SpecSpan.None, emit)).ToEquatableArray()
            : diagnostics);
    }
}

/// <summary>
/// What a spec's code is generated from: its settings and its model without positions. It holds neither the text nor
/// the diagnostics, so an edit that only moves things (white space, a paragraph of prose) leaves it equal, and the
/// emitting step after it cached.
/// </summary>
internal sealed record SpecEmission(string Path, string HintBase, string DefaultPrefix, string? Namespace, bool Internal, EmitSides Sides, SpecDocument Model)
{
    public static SpecEmission From(SpecFile file, SpecDocument document) =>
        new(file.Path, file.HintBase, file.DefaultPrefix, file.Namespace, file.Internal, file.Sides, file.Text is null ? SpecParser.Parse(string.Empty) : document.WithoutPositions());
}

/// <summary>The files generated from one spec, and the generator's own failure if it had one, as values.</summary>
internal sealed record SpecGeneration(string Path, EquatableArray<GeneratedFile> Files, EquatableArray<SpecDiagnostic> GeneratorDiagnostics)
{
    public static SpecGeneration Emit(SpecEmission spec, ProjectSettings settings, bool emulatorReferenced)
    {
        try
        {
            var files = BindingsEmitter.Emit(spec.Model, new EmitOptions(settings.Namespace, spec.DefaultPrefix, spec.HintBase, spec.Namespace, spec.Internal, spec.Sides, emulatorReferenced));
            return new SpecGeneration(spec.Path, files.ToEquatableArray(), EquatableArray<SpecDiagnostic>.Empty);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A generator exception would surface as CS8785 and lose every spec's output; report it on this spec instead.
            var failed = SpecDiagnostics.GeneratorFailed.Create(SpecSpan.None, exception.GetType().Name + ": " + exception.Message);
            return new SpecGeneration(spec.Path, EquatableArray<GeneratedFile>.Empty, new[] { failed }.ToEquatableArray());
        }
    }
}
