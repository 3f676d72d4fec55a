using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Generator;

/// <summary>
/// Generates C# bindings from the Markdown specs listed as <c>AdditionalFiles</c>: one pipeline branch per spec,
/// so an edit to one spec regenerates only its files and an edit to C# code regenerates nothing.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SvsmBindingsGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var settings = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => ProjectSettings.From(options.GlobalOptions))
            .WithTrackingName(TrackingNames.ProjectSettings);

        var files = context.AdditionalTextsProvider
            .Where(static text => SpecFile.IsMarkdown(text))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, cancellationToken) => SpecFile.Read(pair.Left, pair.Right, cancellationToken))
            .WithTrackingName(TrackingNames.SpecFiles)
            .Where(static file => file.Enabled);

        // A shipped baseline pairs with the spec beside it. Only the baselines are collected, never the specs: editing
        // one baseline re-runs the pairing, whose output stays equal for every other spec, so only its spec is checked again.
        var baselines = context.AdditionalTextsProvider
            .Where(static text => ShippedBaselineFile.IsBaseline(text))
            .Select(static (text, cancellationToken) => ShippedBaselineFile.Read(text, cancellationToken))
            .WithTrackingName(TrackingNames.ShippedBaselines)
            .Collect();

        // Only the specs' paths reach the reading step, so a spec's surface is taken only where a baseline needs it,
        // and editing a baseline's content re-reads no spec (the paths stay equal).
        var baselinePaths = baselines
            .Select(static (all, _) => all.Select(b => b.SpecPath).OrderBy(path => path, StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.BaselinePaths);

        // Diagnostics carry positions; the code is generated from a model without them, so that an edit which only
        // moves things re-reports the diagnostics and re-emits nothing. The model with positions is not kept: the
        // driver holds every step's output, and a second copy of each model would only cost the collector.
        var models = files
            .Combine(baselinePaths)
            .Select(static (pair, _) => SpecReading.Read(pair.Left, pair.Right.Any(path => ShippedBaselineFile.SamePath(path, pair.Left.Path))))
            .WithTrackingName(TrackingNames.SpecModels);

        var reports = models
            .Select(static (reading, _) => reading.Report)
            .WithTrackingName(TrackingNames.SpecDiagnostics);

        var emissions = models
            .Select(static (reading, _) => reading.Emission)
            .WithTrackingName(TrackingNames.SpecEmissions);

        var surfaces = models
            .Select(static (reading, _) => reading.Surface)
            .WithTrackingName(TrackingNames.SpecSurfaces);

        var evolutions = surfaces
            .Combine(baselines)
            .Select(static (pair, _) => new SpecEvolution(pair.Left, pair.Right.FirstOrDefault(b => ShippedBaselineFile.SamePath(b.SpecPath, pair.Left.Path))))
            .WithTrackingName(TrackingNames.BaselinePairs)
            .Select(static (evolution, _) => evolution.Check())
            .WithTrackingName(TrackingNames.EvolutionReports);

        context.RegisterSourceOutput(evolutions, static (output, report) =>
        {
            foreach (var diagnostic in report.Diagnostics)
            {
                output.ReportDiagnostic(DiagnosticDescriptors.Create(diagnostic, report.SpecPath));
            }

            foreach (var diagnostic in report.BaselineDiagnostics)
            {
                output.ReportDiagnostic(DiagnosticDescriptors.Create(diagnostic, report.BaselinePath!));
            }
        });

        var support = context.CompilationProvider
            .Select(static (compilation, _) => TargetSupport.Of((CSharpCompilation)compilation))
            .WithTrackingName(TrackingNames.TargetSupport);

        // Only whether Svsm.Emulator is referenced reaches the emitting step: a C# edit changes the compilation, not
        // that, so the step stays cached.
        var emulator = support
            .Select(static (target, _) => target.EmulatorReferenced)
            .WithTrackingName(TrackingNames.EmulatorReferenced);

        var sources = emissions
            .Combine(settings)
            .Combine(emulator)
            .Select(static (pair, _) => SpecGeneration.Emit(pair.Left.Left, pair.Left.Right, pair.Right))
            .WithTrackingName(TrackingNames.SpecSources);

        context.RegisterSourceOutput(reports, static (output, report) =>
        {
            foreach (var diagnostic in report.Diagnostics)
            {
                output.ReportDiagnostic(DiagnosticDescriptors.Create(diagnostic, report.Path));
            }
        });

        context.RegisterSourceOutput(sources.Combine(support), static (output, pair) =>
        {
            var (generation, target) = pair;
            foreach (var diagnostic in generation.GeneratorDiagnostics)
            {
                output.ReportDiagnostic(DiagnosticDescriptors.Create(diagnostic, generation.Path));
            }

            if (target.LanguageSupported && target.RuntimeReferenced && target.InlineArraysAvailable)
            {
                foreach (var file in generation.Files)
                {
                    output.AddSource(file.HintName, AsciiSourceText.Of(file));
                }
            }
        });

        // The target's shortcomings are reported once per compilation, and only when some spec generates code.
        var anyOutput = sources.Select(static (generation, _) => generation.Files.Count > 0).Collect()
            .Select(static (flags, _) => flags.Any(f => f));
        context.RegisterSourceOutput(anyOutput.Combine(support), static (output, pair) =>
        {
            var (generates, target) = pair;
            if (!generates)
            {
                return;
            }

            if (!target.LanguageSupported)
            {
                output.ReportDiagnostic(DiagnosticDescriptors.Create(SpecDiagnostics.LanguageVersionTooOld, target.LanguageVersion));
            }

            if (!target.RuntimeReferenced)
            {
                output.ReportDiagnostic(DiagnosticDescriptors.Create(SpecDiagnostics.RuntimeMissing, "the Svsm.Runtime package", "add <PackageReference Include=\"Svsm.Runtime\" /> (the Svsm.Bindings package brings it)"));
            }
            else if (!target.InlineArraysAvailable)
            {
                output.ReportDiagnostic(DiagnosticDescriptors.Create(SpecDiagnostics.RuntimeMissing, "inline arrays", "target net8.0 or later"));
            }
        });
    }
}
