using System.Diagnostics;
using Svsm.Testing;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>The repository's own programs (svsm-emu, the samples) as the solution build left them, to run as processes.</summary>
internal static class RepositoryPrograms
{
    /// <summary>The dotnet host that runs this test, so that a program runs under the same runtime.</summary>
    public static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    /// <summary><see cref="Repository.FindBuilt"/>, failing the test when the program is not built.</summary>
    public static string Require(string project, string dll)
    {
        var found = Repository.FindBuilt(project, dll, out var looked);
        Assert.True(found is not null, dll + " is not built (looked in " + looked + "); scripts/test.sh builds the solution first");
        return found!;
    }

    /// <summary>Runs <c>dotnet <paramref name="dll"/> <paramref name="args"/></c>, its output read by the caller.</summary>
    public static ProcessStartInfo Command(string dll, params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>
    /// Starts svsm-emu <paramref name="args"/> (<c>serve ...</c>) and reads what it prints until it is ready: a line per
    /// protocol, then <paramref name="ready"/>, which fails the test when it is something else.
    /// </summary>
    public static async Task<(Process Server, List<string> Protocols)> StartServe(string dll, string ready, CancellationToken cancel, params string[] args)
    {
        var server = Process.Start(Command(dll, args))!;
        var protocols = new List<string>();
        string? line;
        while ((line = await server.StandardOutput.ReadLineAsync(cancel).AsTask().WaitAsync(TimeSpan.FromSeconds(60), cancel)) is not null &&
            line.StartsWith("protocol ", StringComparison.Ordinal))
        {
            protocols.Add(line);
        }

        if (line != ready)
        {
            var error = server.HasExited ? await server.StandardError.ReadToEndAsync(cancel) : string.Empty;
            server.Kill();
            Assert.Fail("svsm-emu serve printed '" + line + "' " + error);
        }

        return (server, protocols);
    }

    /// <summary>Kills a server started by <see cref="StartServe"/> (SIGKILL: nothing of it runs after this) and waits for it.</summary>
    public static async Task Kill(Process server)
    {
        server.Kill(entireProcessTree: true);
        await server.WaitForExitAsync(TestContext.Current.CancellationToken);
        server.Dispose();
    }
}
