using System.Linq;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Diagnostics;

/// <summary>One entry of the catalog: a stable id, a severity, a title, and a message format with {0}-style holes.</summary>
public sealed record SpecDiagnosticDescriptor(string Id, SpecSeverity Severity, string Title, string MessageFormat)
{
    /// <summary>The message with its holes filled, in invariant culture.</summary>
    public string Format(params object[] args) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, MessageFormat, args);

    /// <summary>This diagnostic at <paramref name="span"/>.</summary>
    public SpecDiagnostic Create(SpecSpan span, params object[] args) => new(Id, Severity, Format(args), span);

    /// <summary>This id's row in docs/spec-format.md, under the repository address the build was given (<c>RepositoryUrl</c>).</summary>
    public string HelpLink => RepositoryUrl + "/blob/main/docs/spec-format.md#" + Id.ToLowerInvariant();

    /// <summary>The repository's address, as Directory.Build.props states it and the build stamps it into this assembly.</summary>
    public static string RepositoryUrl { get; } =
        System.Reflection.CustomAttributeExtensions.GetCustomAttributes<System.Reflection.AssemblyMetadataAttribute>(typeof(SpecDiagnosticDescriptor).Assembly)
            .FirstOrDefault(a => a.Key == "RepositoryUrl")?.Value?.TrimEnd('/') ?? string.Empty;
}
