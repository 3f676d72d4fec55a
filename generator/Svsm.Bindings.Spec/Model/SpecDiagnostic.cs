namespace Svsm.Bindings.Spec.Model;

public enum SpecSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>A problem in a spec, as data: it becomes a Roslyn diagnostic only when reported.</summary>
public sealed record SpecDiagnostic(string Id, SpecSeverity Severity, string Message, SpecSpan Span);
