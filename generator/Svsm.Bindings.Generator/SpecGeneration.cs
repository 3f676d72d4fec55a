using System;
using Svsm.Bindings.Spec;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Emitting;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Generator;

/// <summary>One spec's model and the files generated from it, as values.</summary>
internal sealed record SpecGeneration(string Path, SpecDocument Document, EquatableArray<GeneratedFile> Files, EquatableArray<SpecDiagnostic> GeneratorDiagnostics)
{
    public static SpecDocument Parse(SpecFile file) => SpecParser.Parse(file.Text ?? string.Empty);

    public static SpecGeneration Emit(SpecFile file, SpecDocument document, ProjectSettings settings)
    {
        if (file.Text is null)
        {
            var unreadable = SpecDiagnostics.SpecUnreadable.Create(SpecSpan.None, file.Path);
            return new SpecGeneration(file.Path, document, EquatableArray<GeneratedFile>.Empty, new[] { unreadable }.ToEquatableArray());
        }

        try
        {
            var files = BindingsEmitter.Emit(document, new EmitOptions(settings.Namespace, file.DefaultPrefix, file.HintBase, file.Namespace, file.Internal));
            return new SpecGeneration(file.Path, document, files.ToEquatableArray(), EquatableArray<SpecDiagnostic>.Empty);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A generator exception would surface as CS8785 and lose every spec's output; report it on this spec instead.
            var failed = SpecDiagnostics.GeneratorFailed.Create(SpecSpan.None, exception.GetType().Name + ": " + exception.Message);
            return new SpecGeneration(file.Path, document, EquatableArray<GeneratedFile>.Empty, new[] { failed }.ToEquatableArray());
        }
    }
}
