using System.CommandLine;
using System.Globalization;
using Svsm.Bindings.Spec;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Cli;

/// <summary><c>svsm-bindgen check FILE...</c>: diagnostics in MSBuild format; exit 1 on any error, 2 on an unreadable file.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Description = "Spec files (Markdown) to check.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("check", "Check specs and print each problem as 'path(line,col): error SVSM0004: message', the format MSBuild and IDEs read. Exits 0 when no spec has errors, 1 when one has, 2 when a file cannot be read.")
        {
            files,
        };
        command.SetAction(parseResult =>
        {
            var exit = SpecFiles.ExitOk;
            foreach (var path in parseResult.GetValue(files)!)
            {
                if (!SpecFiles.TryRead(path, Console.Error, out var text))
                {
                    exit = SpecFiles.ExitUnreadable;
                    continue;
                }

                var document = SpecParser.Parse(text);
                foreach (var diagnostic in document.Diagnostics)
                {
                    Console.Out.WriteLine(Format(path, diagnostic));
                }

                if (document.HasErrors && exit == SpecFiles.ExitOk)
                {
                    exit = SpecFiles.ExitSpecErrors;
                }
            }

            return exit;
        });
        return command;
    }

    public static string Format(string path, SpecDiagnostic diagnostic) =>
        string.Format(
            CultureInfo.InvariantCulture,
            "{0}({1},{2}): {3} {4}: {5}",
            path,
            diagnostic.Span.Line,
            diagnostic.Span.Column,
            diagnostic.Severity.ToString().ToLowerInvariant(),
            diagnostic.Id,
            diagnostic.Message);
}
