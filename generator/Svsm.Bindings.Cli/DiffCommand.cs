using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Svsm.Bindings.Spec;
using Svsm.Bindings.Spec.Comparing;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Cli;

/// <summary>
/// <c>svsm-bindgen diff OLD NEW [--json]</c>: every change between two versions of a protocol spec, classified as
/// additive (info) or breaking (error), each at the new spec's line with the old one's after it. Exit 0 for no
/// change or additive ones only, 1 for a breaking change (or a spec error), 2 when the pair cannot be compared.
/// </summary>
internal static class DiffCommand
{
    public static Command Create()
    {
        var oldPath = new Argument<string>("OLD") { Description = "The earlier version of the spec (any style the reader reads)." };
        var newPath = new Argument<string>("NEW") { Description = "The later version of the same protocol's spec." };
        var json = new Option<bool>("--json") { Description = "Print the changes as JSON instead of MSBuild lines." };
        var command = new Command(
            "diff",
            "Compare two versions of a protocol spec and classify every change: additive (a call of a new version, a new struct or result code, a field of a new version in reserved bytes, a bit of a new protocol version) or breaking (a call removed, renumbered, renamed or changed within a released version, an id reused, a field moved or resized, reserved bits or bytes given meaning within a released version, a result code renumbered). " +
            "Prints 'new.md(31,3): error SVSM0057: ... (was old.md(29,3))' per change, the specs' own errors first. Exits 0 for no change or additive ones only, 1 for any breaking change or spec error, 2 when a file cannot be read, reads as no spec, or the two are different protocols.")
        {
            oldPath,
            newPath,
            json,
        };
        command.SetAction(parseResult => Run(parseResult.GetValue(oldPath)!, parseResult.GetValue(newPath)!, parseResult.GetValue(json)));
        return command;
    }

    private static int Run(string oldPath, string newPath, bool asJson)
    {
        if (!SpecFiles.TryRead(oldPath, Console.Error, out var oldText) | !SpecFiles.TryRead(newPath, Console.Error, out var newText))
        {
            return SpecFiles.ExitUnreadable;
        }

        var oldSpec = SpecParser.Parse(oldText);
        var newSpec = SpecParser.Parse(newText);
        var errors = oldSpec.Diagnostics.Where(d => d.Severity == SpecSeverity.Error).Select(d => (Path: oldPath, Diagnostic: d))
            .Concat(newSpec.Diagnostics.Where(d => d.Severity == SpecSeverity.Error).Select(d => (Path: newPath, Diagnostic: d))).ToList();
        var unusable = new[] { (oldPath, oldSpec), (newPath, newSpec) }.Where(s => !s.Item2.HasDefinitions).Select(s => s.Item1).ToList();
        var changes = unusable.Count == 0 ? SpecDiff.Compare(ProtocolSurface.From(oldSpec), ProtocolSurface.From(newSpec)) : EquatableArray<SpecChange>.Empty;

        if (asJson)
        {
            WriteJson(oldPath, newPath, errors, changes, unusable);
        }
        else
        {
            foreach (var (path, diagnostic) in errors)
            {
                Console.Out.WriteLine(CheckCommand.Format(path, diagnostic));
            }

            foreach (var path in unusable)
            {
                Console.Error.WriteLine($"svsm-bindgen: {path} reads as no spec (no calls, structs, bits or constants); nothing to compare");
            }

            foreach (var change in changes)
            {
                Console.Out.WriteLine(Format(newPath, oldPath, change));
            }

            if (unusable.Count == 0 && !changes.Any(c => c.Diagnostic.Id == Spec.Diagnostics.SpecDiagnostics.UnrelatedProtocols.Id))
            {
                var breaking = changes.Count(c => c.IsBreaking);
                Console.Out.WriteLine(changes.Count == 0
                    ? "no change"
                    : string.Format(CultureInfo.InvariantCulture, "{0} breaking, {1} additive", breaking, changes.Count - breaking));
            }
        }

        if (unusable.Count > 0 || changes.Any(c => c.Diagnostic.Id == Spec.Diagnostics.SpecDiagnostics.UnrelatedProtocols.Id))
        {
            return SpecFiles.ExitUnreadable;
        }

        return changes.Any(c => c.IsBreaking) || errors.Count > 0 ? SpecFiles.ExitSpecErrors : SpecFiles.ExitOk;
    }

    /// <summary><c>new.md(31,3): error SVSM0057: message (was old.md(29,3))</c>.</summary>
    public static string Format(string newPath, string oldPath, SpecChange change) =>
        CheckCommand.Format(newPath, change.Diagnostic) + (change.Was is { } was ? string.Format(CultureInfo.InvariantCulture, " (was {0}({1},{2}))", oldPath, was.Line, was.Column) : string.Empty);

    private static void WriteJson(string oldPath, string newPath, List<(string Path, SpecDiagnostic Diagnostic)> errors, EquatableArray<SpecChange> changes, List<string> unusable)
    {
        using var output = Console.OpenStandardOutput();
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("old", oldPath);
        json.WriteString("new", newPath);
        json.WriteNumber("breaking", changes.Count(c => c.IsBreaking));
        json.WriteNumber("additive", changes.Count(c => !c.IsBreaking));
        json.WriteStartArray("changes");
        foreach (var change in changes)
        {
            json.WriteStartObject();
            json.WriteString("id", change.Diagnostic.Id);
            json.WriteString("kind", change.IsBreaking ? "breaking" : "additive");
            json.WriteString("message", change.Diagnostic.Message);
            Place(json, "at", change.Diagnostic.Span);
            if (change.Was is { } was)
            {
                Place(json, "was", was);
            }
            else
            {
                json.WriteNull("was");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("errors");
        foreach (var (path, diagnostic) in errors)
        {
            json.WriteStartObject();
            json.WriteString("path", path);
            json.WriteString("id", diagnostic.Id);
            json.WriteNumber("line", diagnostic.Span.Line);
            json.WriteNumber("column", diagnostic.Span.Column);
            json.WriteString("message", diagnostic.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("unusable");
        foreach (var path in unusable)
        {
            json.WriteStringValue(path);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void Place(Utf8JsonWriter json, string name, SpecSpan span)
    {
        json.WriteStartObject(name);
        json.WriteNumber("line", span.Line);
        json.WriteNumber("column", span.Column);
        json.WriteEndObject();
    }
}
