using System.CommandLine;
using Svsm.Bindings.Cli;

var root = new RootCommand("svsm-bindgen: reads SVSM protocol and ABI specs written in Markdown (see docs/spec-format.md).");
root.Subcommands.Add(ModelCommand.Create());
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(DiffCommand.Create());
root.Subcommands.Add(ShipCommand.Create());
var parsed = root.Parse(args);

// A command line that cannot be used is unusable input, as an unreadable file is: exit 2, not 1 (a spec's errors).
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine("svsm-bindgen: " + error.Message);
    }

    return 2;
}

return parsed.Invoke();
