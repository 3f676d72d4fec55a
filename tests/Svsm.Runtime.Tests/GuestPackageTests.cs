using System.CodeDom.Compiler;
using System.Reflection;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>
/// A guest app that references Svsm.Runtime gets no SVSM in it: no generated handler interface, no type implementing
/// one, no dispatcher, nothing of Svsm.Emulator's namespaces, and no reference to its assembly.
/// </summary>
public sealed class GuestPackageTests
{
    private static readonly Assembly Runtime = typeof(ISvsmTransport).Assembly;

    private static IEnumerable<Type> GeneratedTypes => Runtime.GetTypes().Where(t => t.GetCustomAttribute<GeneratedCodeAttribute>() is { Tool: "Svsm.Bindings" });

    [Fact]
    public void TheRuntimeReferencesNoEmulator()
    {
        Assert.DoesNotContain(Runtime.GetReferencedAssemblies(), a => a.Name == "Svsm.Emulator");
        Assert.DoesNotContain(Runtime.GetTypes(), t => t.Namespace is { } ns && (ns == "Svsm.Emulator" || ns.StartsWith("Svsm.Emulator.", StringComparison.Ordinal) || ns.Contains(".Emulation", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheRuntimeHasGeneratedClientsButNoHandlerOrDispatcher()
    {
        // The guest halves are there: the core client and the attestation and vTPM clients the public ones wrap.
        Assert.Contains(GeneratedTypes, t => t.Name == "CoreClient");
        Assert.Contains(GeneratedTypes, t => t.Name == "AttestClient");
        Assert.Contains(GeneratedTypes, t => t.Name == "VtpmClient");

        var handlers = GeneratedTypes.Where(t => t.IsInterface && t.Name.EndsWith("Handler", StringComparison.Ordinal)).ToList();
        Assert.Empty(handlers);
        Assert.DoesNotContain(GeneratedTypes, t => t.Name.EndsWith("Dispatcher", StringComparison.Ordinal));
        Assert.DoesNotContain(Runtime.GetTypes(), t => t.GetInterfaces().Any(i => i.GetCustomAttribute<GeneratedCodeAttribute>() is { Tool: "Svsm.Bindings" } && i.Name.EndsWith("Handler", StringComparison.Ordinal)));
    }
}
