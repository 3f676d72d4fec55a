using System.CommandLine;
using Svsm.Bindings.Spec;
using Svsm.Bindings.Spec.Emitting;

namespace Svsm.Bindings.Cli;

/// <summary><c>svsm-bindgen generate SPEC... --out DIR</c>: the source generator's files, for builds without MSBuild.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var specs = new Argument<string[]>("SPEC") { Description = "Spec files (Markdown) to generate bindings for.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<DirectoryInfo>("--out") { Description = "The folder to write the generated .g.cs files to (created if missing).", Required = true };
        var ns = new Option<string>("--namespace") { Description = "The namespace of specs without front matter 'namespace:' (default " + BindingsEmitter.DefaultNamespace + ")." };
        var emit = new Option<string>("--emit") { Description = "Which half of each protocol: client (the guest's), server (the SVSM's handler and dispatcher) or both (default), as item metadata SvsmEmit gives the generator." };
        emit.AcceptOnlyFromAmong("client", "server", "both");
        var registration = new Option<bool>("--registration") { Description = "Give each dispatcher Registration(handler), as the generator does where Svsm.Emulator is referenced." };
        var command = new Command("generate", "Write the same C# file the source generator makes for each spec, named by the spec's path relative to the current folder. Prints diagnostics like 'check'; a spec with errors gets the files of what is valid, as in a build. Exits 0, 1 when a spec has errors, 2 when a file cannot be read.")
        {
            specs,
            output,
            ns,
            emit,
            registration,
        };
        command.SetAction(parseResult =>
        {
            var folder = parseResult.GetValue(output)!;
            var exit = SpecFiles.ExitOk;
            foreach (var path in parseResult.GetValue(specs)!)
            {
                if (!SpecFiles.TryRead(path, Console.Error, out var text))
                {
                    exit = SpecFiles.ExitUnreadable;
                    continue;
                }

                var document = SpecParser.Parse(text);
                foreach (var diagnostic in document.Diagnostics)
                {
                    Console.Out.WriteLine(CheckCommand.Format(path, diagnostic));
                }

                if (document.HasErrors)
                {
                    exit = exit == SpecFiles.ExitOk ? SpecFiles.ExitSpecErrors : exit;
                }

                var options = new EmitOptions(
                    parseResult.GetValue(ns) ?? BindingsEmitter.DefaultNamespace,
                    Path.GetFileNameWithoutExtension(path),
                    HintNames.For(Path.GetFullPath(path), Directory.GetCurrentDirectory()),
                    Sides: EmitSidesNames.TryParse(parseResult.GetValue(emit), out var sides) ? sides : EmitSides.Both,
                    EmulatorRegistration: parseResult.GetValue(registration));
                folder.Create();
                foreach (var file in BindingsEmitter.Emit(document, options))
                {
                    File.WriteAllText(Path.Combine(folder.FullName, file.HintName), file.Text);
                    Console.Out.WriteLine("wrote " + Path.Combine(folder.ToString(), file.HintName));
                }
            }

            return exit;
        });
        return command;
    }
}
