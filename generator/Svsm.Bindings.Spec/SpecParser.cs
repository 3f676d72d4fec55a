using System;
using Svsm.Bindings.Spec.Building;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;
using Svsm.Bindings.Spec.Recognising;
using Svsm.Bindings.Spec.Validation;

namespace Svsm.Bindings.Spec;

/// <summary>
/// Turns a spec document (Markdown, possibly wrapped in an e-mail) into a <see cref="SpecDocument"/>, in one-way
/// stages: read the Markdown into blocks, recognise the tables, code declarations and lists in them, build a model
/// with every name resolved, and validate it in one pass.
/// </summary>
public static class SpecParser
{
    /// <summary>
    /// Parses <paramref name="text"/>. Never throws: a malformed document gives diagnostics. Should the reader
    /// itself fail, that is reported as <c>SVSM0999</c> so a build shows it instead of crashing.
    /// </summary>
    public static SpecDocument Parse(string text)
    {
        try
        {
            return ParseUnguarded(text);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            var diagnostics = new DiagnosticBag();
            diagnostics.Add(SpecDiagnostics.ReaderFailed, SpecSpan.None, exception.GetType().Name + ": " + exception.Message);
            return new SpecDocument(
                new ProtocolInfo(null, null, null, null, null), EquatableArray<CallSpec>.Empty, EquatableArray<StructSpec>.Empty,
                EquatableArray<BitFieldSpec>.Empty, EquatableArray<ConstantTableSpec>.Empty, diagnostics.ToSortedArray(), true);
        }
    }

    /// <summary>Parses without the safety net: the fuzzer and the property tests call this so that any exception is found.</summary>
    public static SpecDocument ParseUnguarded(string text)
    {
        text ??= string.Empty;
        var lines = new LineMap(text);
        var diagnostics = new DiagnosticBag();
        var blocks = MarkdownReader.Read(text, lines, diagnostics);
        var recognised = SpecRecogniser.Recognise(blocks, lines, diagnostics);
        var built = SpecBuilder.Build(recognised, diagnostics);
        return SpecValidator.Validate(built, diagnostics);
    }
}
