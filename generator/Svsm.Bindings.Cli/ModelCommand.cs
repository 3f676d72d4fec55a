using System.CommandLine;
using Svsm.Bindings.Spec;

namespace Svsm.Bindings.Cli;

/// <summary><c>svsm-bindgen model FILE</c>: the model as JSON; exit 1 when the spec has errors.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The spec file (Markdown) to read." };
        var command = new Command("model", "Print the model read from a spec as indented camelCase JSON: protocol, calls with registers, structs, bit fields and diagnostics. Exits 1 when the spec has errors (the JSON is still printed), 2 when the file cannot be read.")
        {
            file,
        };
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(file)!;
            if (!SpecFiles.TryRead(path, Console.Error, out var text))
            {
                return SpecFiles.ExitUnreadable;
            }

            var document = SpecParser.Parse(text);
            using var stdout = Console.OpenStandardOutput();
            ModelJson.Write(document, stdout);
            stdout.WriteByte((byte)'\n');
            return document.HasErrors ? SpecFiles.ExitSpecErrors : SpecFiles.ExitOk;
        });
        return command;
    }
}
