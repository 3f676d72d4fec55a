using System;
using System.IO;

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
}
