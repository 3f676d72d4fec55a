using System.Diagnostics;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>Runs a program to its end, as a user would from a shell: its exit code, standard output and standard error.</summary>
internal static class ToolProcess
{
    public static (int Exit, string Output, string Error) Run(
        string program, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, string? stdin = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"cannot run {program} ({exception.Message}): scripts/test.sh installs Debian's tpm2-tools and libtss2-tcti-mssim0", exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                process.StandardInput.Write(stdin);
            }

            process.StandardInput.Close();
            Assert.True(process.WaitForExit(60_000), program + " did not finish");
            return (process.ExitCode, output.Result, error.Result);
        }
    }
}
