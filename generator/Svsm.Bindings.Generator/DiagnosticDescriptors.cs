using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Generator;

/// <summary>
/// Roslyn descriptors for the one catalog in <see cref="SpecDiagnostics"/> (ids, severities and titles live there,
/// and in AnalyzerReleases.*.md), and the conversion of diagnostics carried as data into Roslyn diagnostics.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string Category = "SvsmSpec";

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = SpecDiagnostics.All.ToDictionary(
        d => d.Id,
        d => new DiagnosticDescriptor(d.Id, d.Title, "{0}", Category, ToRoslyn(d.Severity), isEnabledByDefault: true, helpLinkUri: d.HelpLink));

    public static DiagnosticDescriptor For(string id) => ById[id];

    /// <summary>A diagnostic on the spec file at the position the reader found.</summary>
    public static Diagnostic Create(SpecDiagnostic diagnostic, string path)
    {
        var span = diagnostic.Span;
        var location = Location.Create(
            path,
            new TextSpan(span.Start, span.Length),
            new LinePositionSpan(new LinePosition(span.Line - 1, span.Column - 1), new LinePosition(span.EndLine - 1, span.EndColumn - 1)));
        return Diagnostic.Create(For(diagnostic.Id), location, diagnostic.Message);
    }

    public static Diagnostic Create(SpecDiagnosticDescriptor descriptor, params object[] args) =>
        Diagnostic.Create(For(descriptor.Id), Location.None, descriptor.Format(args));

    private static DiagnosticSeverity ToRoslyn(SpecSeverity severity) => severity switch
    {
        SpecSeverity.Error => DiagnosticSeverity.Error,
        SpecSeverity.Warning => DiagnosticSeverity.Warning,
        _ => DiagnosticSeverity.Info,
    };
}
