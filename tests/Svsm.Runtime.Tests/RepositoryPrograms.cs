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

    /// <summary><c>&lt;repo&gt;/<paramref name="project"/>/bin/&lt;Configuration&gt;/net10.0/<paramref name="dll"/></c>, this test's configuration first.</summary>
    public static string? Find(string project, string dll, out string looked)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Bindings.sln")))
        {
            directory = directory.Parent;
        }

        if (directory is null)
        {
            looked = "the folders above " + AppContext.BaseDirectory + ", none of which holds Bindings.sln";
            return null;
        }

        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";
        var candidates = new[] { own, "Debug", "Release" }.Distinct()
            .Select(configuration => Path.Combine(directory.FullName, project, "bin", configuration, "net10.0", dll))
            .ToList();
        looked = string.Join(", ", candidates);
        return candidates.FirstOrDefault(File.Exists);
    }
}
