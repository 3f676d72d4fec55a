using System;
using System.IO;
using System.Linq;

namespace Svsm.Testing;

/// <summary>
/// The repository the tests and benchmarks run from, to read its own specs, documents and test data and to find the
/// programs its build left. Its root is the folder holding Bindings.sln, found above the running assembly's folder.
/// Linked into each test and benchmark project.
/// </summary>
internal static class Repository
{
    /// <summary>The root; null when no folder above the running assembly holds Bindings.sln.</summary>
    public static string? TryFindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Bindings.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    /// <summary>The root, or an exception that says where it was looked for.</summary>
    public static string Root => TryFindRoot() ?? throw new InvalidOperationException("Bindings.sln not found above " + AppContext.BaseDirectory);

    /// <summary>
    /// A program as the solution build left it, <c>&lt;root&gt;/<paramref name="project"/>/bin/&lt;Configuration&gt;/net10.0/<paramref name="dll"/></c>,
    /// the running assembly's configuration first; null when it is not built, with where it was looked for.
    /// </summary>
    public static string? FindBuilt(string project, string dll, out string looked)
    {
        if (TryFindRoot() is not { } root)
        {
            looked = "the folders above " + AppContext.BaseDirectory + ", none of which holds Bindings.sln";
            return null;
        }

        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";
        var candidates = new[] { own, "Debug", "Release" }.Distinct()
            .Select(configuration => Path.Combine(root, project, "bin", configuration, "net10.0", dll))
            .ToList();
        looked = string.Join(", ", candidates);
        return candidates.FirstOrDefault(File.Exists);
    }
}
