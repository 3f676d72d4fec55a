using System.CommandLine;
using System.Globalization;
using Svsm.Bindings.Spec;
using Svsm.Bindings.Spec.Comparing;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Emitting;

namespace Svsm.Bindings.Cli;

/// <summary>
/// <c>svsm-bindgen ship SPEC [--out FILE]</c>: records the spec's current version as released, in the baseline beside
/// it (<c>ocp.md</c> → <c>ocp.shipped.json</c>). A spec with errors, or one that breaks a version already shipped,
/// is not shipped (exit 1); an unreadable spec or baseline is exit 2.
/// </summary>
internal static class ShipCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("SPEC") { Description = "The spec whose current version is released." };
        var output = new Option<string?>("--out") { Description = "The baseline to write (default: beside SPEC, its name ending .shipped.json)." };
        var command = new Command(
            "ship",
            "Record SPEC's current protocol version as released: its calls, structs, bits and result codes go into the baseline beside it (ocp.md gives ocp.shipped.json), next to the versions shipped before. List the baseline as an AdditionalFile and the build reports every breaking change against it as an error on the spec's line. " +
            "Refuses (exit 1) a spec with errors or one that breaks a version already shipped; exit 2 when the spec or the baseline cannot be read.")
        {
            spec,
            output,
        };
        command.SetAction(parseResult => Run(parseResult.GetValue(spec)!, parseResult.GetValue(output)));
        return command;
    }

    private static int Run(string specPath, string? baselinePath)
    {
        if (!SpecFiles.TryRead(specPath, Console.Error, out var text))
        {
            return SpecFiles.ExitUnreadable;
        }

        var document = SpecParser.Parse(text);
        if (!document.HasDefinitions)
        {
            Console.Error.WriteLine($"svsm-bindgen: {specPath} reads as no spec (no calls, structs, bits or constants); nothing to ship");
            return SpecFiles.ExitUnreadable;
        }

        if (document.HasErrors)
        {
            foreach (var diagnostic in document.Diagnostics.Where(d => d.Severity == Spec.Model.SpecSeverity.Error))
            {
                Console.Out.WriteLine(CheckCommand.Format(specPath, diagnostic));
            }

            Console.Error.WriteLine($"svsm-bindgen: {specPath} has errors; it is not shipped");
            return SpecFiles.ExitSpecErrors;
        }

        baselinePath ??= ShippedBaseline.PathFor(specPath);
        var surface = ProtocolSurface.From(document);
        var baseline = new ShippedBaseline(Path.GetFileName(specPath), Spec.Model.EquatableArray<ProtocolSurface>.Empty);
        if (File.Exists(baselinePath))
        {
            if (!SpecFiles.TryRead(baselinePath, Console.Error, out var json))
            {
                return SpecFiles.ExitUnreadable;
            }

            try
            {
                baseline = ShippedBaseline.Parse(json);
            }
            catch (JsonTextException exception)
            {
                Console.Out.WriteLine(CheckCommand.Format(baselinePath, SpecDiagnostics.BaselineUnusable.Create(Spec.Model.SpecSpan.None, baselinePath, exception.Message)));
                return SpecFiles.ExitUnreadable;
            }

            if (baseline.Newest is null)
            {
                Console.Out.WriteLine(CheckCommand.Format(baselinePath, SpecDiagnostics.BaselineUnusable.Create(Spec.Model.SpecSpan.None, baselinePath, "it holds no shipped version")));
                return SpecFiles.ExitUnreadable;
            }

            var changes = SpecDiff.Compare(baseline.Newest, surface);
            var breaking = changes.Where(c => c.IsBreaking).ToList();
            if (breaking.Count > 0)
            {
                foreach (var change in breaking)
                {
                    Console.Out.WriteLine(DiffCommand.Format(specPath, baseline.Spec, change));
                }

                Console.Error.WriteLine(string.Format(CultureInfo.InvariantCulture, "svsm-bindgen: {0} breaks version {1} as shipped in {2}; it is not shipped", specPath, baseline.Newest!.Version, baselinePath));
                return SpecFiles.ExitSpecErrors;
            }
        }

        baseline = baseline.With(surface) with { Spec = Path.GetFileName(specPath) };
        File.WriteAllText(baselinePath, baseline.ToJson(BindingsEmitter.ToolVersion));
        Console.Out.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            "shipped version {0} of {1} to {2} (versions {3})",
            surface.Version,
            surface.Name ?? specPath,
            baselinePath,
            string.Join(", ", baseline.Versions.Select(v => v.Version))));
        return SpecFiles.ExitOk;
    }
}
