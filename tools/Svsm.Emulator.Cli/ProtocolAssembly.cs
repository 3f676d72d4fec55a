using System.Reflection;
using System.Runtime.Loader;
using Svsm.Emulator;

/// <summary>
/// Loads the protocols of <c>--protocols PATH.dll</c>: the assembly in a context of its own, which resolves its
/// dependencies beside it but shares every <c>Svsm.*</c> assembly the host has loaded, so that the registrations it
/// returns are of the host's types.
/// </summary>
internal sealed class ProtocolAssembly : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver resolver;

    private ProtocolAssembly(string path)
        : base("svsm-emu protocols " + Path.GetFileName(path))
    {
        resolver = new AssemblyDependencyResolver(path);
    }

    /// <summary>Every registration the assembly at <paramref name="path"/> exports; a message says why when there is none.</summary>
    public static (IReadOnlyList<SvsmProtocolRegistration> Registrations, string? Error) Load(string path, SvsmEmulator emulator)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            return (Array.Empty<SvsmProtocolRegistration>(), $"--protocols {path}: no such file");
        }

        Assembly assembly;
        try
        {
            assembly = new ProtocolAssembly(full).LoadFromAssemblyPath(full);
        }
        catch (Exception exception) when (exception is BadImageFormatException or FileLoadException or IOException)
        {
            return (Array.Empty<SvsmProtocolRegistration>(), $"--protocols {path}: cannot be loaded as a .NET assembly ({exception.Message})");
        }

        var sources = assembly.GetCustomAttributes<SvsmProtocolsAttribute>().ToList();
        if (sources.Count == 0)
        {
            return (Array.Empty<SvsmProtocolRegistration>(), $"--protocols {path}: exports no protocols; add [assembly: SvsmProtocols(typeof(T))] with T an ISvsmProtocolSource");
        }

        var registrations = new List<SvsmProtocolRegistration>();
        foreach (var attribute in sources)
        {
            if (!typeof(ISvsmProtocolSource).IsAssignableFrom(attribute.Source) || attribute.Source.GetConstructor(Type.EmptyTypes) is null)
            {
                return (Array.Empty<SvsmProtocolRegistration>(), $"--protocols {path}: {attribute.Source.FullName} is not an ISvsmProtocolSource with a parameterless constructor");
            }

            try
            {
                var source = (ISvsmProtocolSource)Activator.CreateInstance(attribute.Source)!;
                registrations.AddRange(source.Registrations(emulator));
            }
            catch (Exception exception) when (exception is TargetInvocationException or InvalidOperationException or ArgumentException)
            {
                return (Array.Empty<SvsmProtocolRegistration>(), $"--protocols {path}: {attribute.Source.FullName} failed: {(exception.InnerException ?? exception).Message}");
            }
        }

        return registrations.Count == 0
            ? (registrations, $"--protocols {path}: exports no protocols ({string.Join(", ", sources.Select(s => s.Source.FullName))} returned none)")
            : (registrations, null);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // The host's Svsm.Runtime and Svsm.Emulator, not copies: a registration must be the host's type.
        if (assemblyName.Name is { } name && name.StartsWith("Svsm.", StringComparison.Ordinal) &&
            Default.Assemblies.Any(a => a.GetName().Name == name))
        {
            return null;
        }

        return resolver.ResolveAssemblyToPath(assemblyName) is { } found ? LoadFromAssemblyPath(found) : null;
    }
}
