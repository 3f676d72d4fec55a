using System.CommandLine;
using Svsm.Attest.Cli;

var root = new RootCommand(
    "svsm-attest: shows and verifies SEV-SNP attestation reports (versions 2 to 5; Milan, Genoa, Turin; VCEK and VLEK) " +
    "against AMD's pinned roots. REPORT is a raw 1184-byte file, its hex, or - for standard input.");
root.Subcommands.Add(ShowCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(FetchCommand.Create());
var parsed = root.Parse(args);

// A command line that cannot be used is unusable input: exit 2, as for an unreadable report.
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine("svsm-attest: " + error.Message);
    }

    return ReportInput.ExitUnusable;
}

try
{
    // Exceptions reach the handler below instead of System.CommandLine's, which prints a stack trace.
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (UnusableInputException exception)
{
    Console.Error.WriteLine("svsm-attest: " + exception.Message);
    return ReportInput.ExitUnusable;
}
catch (Exception exception) when (exception is not OutOfMemoryException)
{
    // Not a verdict on the report: what could not be done, on one line, and no stack trace.
    Console.Error.WriteLine("svsm-attest: " + exception.GetType().Name + ": " + exception.Message);
    return ReportInput.ExitUnusable;
}
