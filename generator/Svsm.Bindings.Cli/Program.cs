using System.CommandLine;
using Svsm.Bindings.Cli;

var root = new RootCommand("svsm-bindgen: reads SVSM protocol and ABI specs written in Markdown (see docs/spec-format.md).");
root.Subcommands.Add(ModelCommand.Create());
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
return root.Parse(args).Invoke();
