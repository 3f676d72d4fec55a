using System;
using System.Linq;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>
/// The one naming of generated files: a spec's hint name from its path relative to its project
/// (<c>specs/ocp.md</c> gives <c>specs.ocp.g.cs</c>). The source generator, <c>svsm-bindgen generate</c> and the
/// benchmarks all name files with it.
/// </summary>
public static class HintNames
{
    /// <summary>The hint name base of the spec at <paramref name="path"/> in the project at <paramref name="projectDirectory"/>.</summary>
    public static string For(string path, string? projectDirectory) => BaseFor(RelativePath(path, projectDirectory));

    /// <summary>A hint name base from a spec's path relative to its project: <c>specs/ocp.md</c> gives <c>specs.ocp</c>.</summary>
    public static string BaseFor(string relativePath)
    {
        var path = relativePath.Replace('\\', '/');
        var dot = path.LastIndexOf('.');
        if (dot > path.LastIndexOf('/') + 1)
        {
            path = path.Substring(0, dot);
        }

        var chars = path.Select(c => c == '/' ? '.' : (c < 128 && char.IsLetterOrDigit(c)) || c == '-' || c == '_' ? c : '_').ToArray();
        return new string(chars).Trim('.');
    }

    /// <summary>The generated file's name from its hint name base: <c>specs.ocp</c> gives <c>specs.ocp.g.cs</c>.</summary>
    public static string FileName(string hintBase) => hintBase + ".g.cs";

    /// <summary><paramref name="path"/> relative to <paramref name="directory"/> when it lies inside, else the path from its root.</summary>
    private static string RelativePath(string path, string? directory)
    {
        var full = WithoutDotSegments(path.Replace('\\', '/'));
        if (!string.IsNullOrEmpty(directory))
        {
            var root = directory!.Replace('\\', '/').TrimEnd('/') + "/";
            if (full.StartsWith(root, StringComparison.OrdinalIgnoreCase))
            {
                return full.Substring(root.Length);
            }

            // Outside the project (a shared specs folder): keep the part that names it, without "../" runs.
            var common = 0;
            for (var i = 0; i < Math.Min(full.Length, root.Length); i++)
            {
                if (char.ToLowerInvariant(full[i]) != char.ToLowerInvariant(root[i]))
                {
                    break;
                }

                if (full[i] == '/')
                {
                    common = i + 1;
                }
            }

            return full.Substring(common);
        }

        return full.TrimStart('/');
    }

    /// <summary>The path with its <c>.</c> and <c>..</c> segments resolved, as MSBuild leaves them in item paths.</summary>
    private static string WithoutDotSegments(string path)
    {
        var segments = new System.Collections.Generic.List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == ".." && segments.Count > 0 && segments[segments.Count - 1] is not ("" or ".."))
            {
                segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(segment);
        }

        return string.Join("/", segments);
    }
}
