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

    public string HelpLink => "https://github.com/svsm-bindings/svsm-bindings/blob/main/docs/spec-format.md#" + Id.ToLowerInvariant();
}
