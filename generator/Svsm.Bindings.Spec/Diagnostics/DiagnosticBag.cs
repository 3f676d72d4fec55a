using System.Collections.Generic;
using System.Linq;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Diagnostics;

/// <summary>Collects diagnostics while a document is read; they come out in file order.</summary>
internal sealed class DiagnosticBag
{
    private readonly List<SpecDiagnostic> items = new();

    public void Add(SpecDiagnosticDescriptor descriptor, SpecSpan span, params object[] args) =>
        items.Add(descriptor.Create(span, args));

    public EquatableArray<SpecDiagnostic> ToSortedArray() =>
        items.OrderBy(d => d.Span.Start).ThenBy(d => d.Id, System.StringComparer.Ordinal).ToEquatableArray();
}
