using System.Collections.Generic;
using System.Linq;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Diagnostics;

/// <summary>
/// Collects diagnostics while a document is read; they come out in file order. Each has an index, so that the
/// element it was found in can be tied to it, and the error can say what it left out of the generated code.
/// </summary>
internal sealed class DiagnosticBag
{
    private readonly List<SpecDiagnostic> items = new();
    private readonly Dictionary<int, List<string>> leftOut = new();

    /// <summary>Adds a diagnostic and returns its index.</summary>
    public int Add(SpecDiagnosticDescriptor descriptor, SpecSpan span, params object[] args)
    {
        items.Add(descriptor.Create(span, args));
        return items.Count - 1;
    }

    public SpecSeverity SeverityOf(int index) => items[index].Severity;

    /// <summary>Notes that the diagnostic at <paramref name="index"/> keeps <paramref name="what"/> out of the generated code.</summary>
    public void NoteLeftOut(int index, string what)
    {
        if (!leftOut.TryGetValue(index, out var list))
        {
            leftOut[index] = list = new List<string>();
        }

        if (!list.Contains(what))
        {
            list.Add(what);
        }
    }

    public EquatableArray<SpecDiagnostic> ToSortedArray() =>
        items.Select((d, i) => leftOut.TryGetValue(i, out var what) ? d with { Message = d.Message.TrimEnd('.') + ". Not generated: " + string.Join(", ", what) + "." } : d)
            .OrderBy(d => d.Span.Start).ThenBy(d => d.Id, System.StringComparer.Ordinal).ToEquatableArray();
}
