using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>Where generated code goes: its namespace, the fallback type-name prefix, and the base of its file names.</summary>
/// <param name="DefaultPrefix">Used when the spec has no <c>prefix:</c> and its calls share no <c>SVSM_X_</c> segment: usually from the file name.</param>
/// <param name="HintBase">The base of each generated file's name, unique per spec (from its path).</param>
/// <param name="NamespaceOverride">The project's namespace for this one file (item metadata <c>SvsmNamespace</c>): it wins over the spec's front matter.</param>
/// <param name="Internal">Whether the generated types are <c>internal</c> (item metadata <c>SvsmVisibility="internal"</c>).</param>
/// <param name="Sides">Which half of a protocol is emitted (item metadata <c>SvsmEmit</c>): the guest's client, the SVSM's handler and dispatcher, or both.</param>
/// <param name="EmulatorRegistration">Whether the dispatcher gets <c>Registration(handler)</c>: only where Svsm.Emulator is referenced.</param>
public sealed record EmitOptions(string Namespace, string DefaultPrefix, string HintBase, string? NamespaceOverride = null, bool Internal = false, EmitSides Sides = EmitSides.Both, bool EmulatorRegistration = false);

/// <summary>Which half of a protocol a project gets: a guest app the client, an SVSM the handler and dispatcher.</summary>
[Flags]
public enum EmitSides
{
    /// <summary>The guest side: the client, with the protocol's types.</summary>
    Client = 1,

    /// <summary>The SVSM side: the handler interface and dispatcher, with the protocol's types.</summary>
    Server = 2,

    Both = Client | Server,
}

/// <summary>The values of item metadata <c>SvsmEmit</c>, read the same by the generator and by <c>svsm-bindgen generate --emit</c>.</summary>
public static class EmitSidesNames
{
    /// <summary>
    /// <c>client</c> (or <c>guest</c>), <c>server</c> (or <c>svsm</c>), <c>both</c>, any case; empty or missing is both.
    /// False, with both, for anything else.
    /// </summary>
    public static bool TryParse(string? value, out EmitSides sides)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "client" or "guest":
                sides = EmitSides.Client;
                return true;
            case "server" or "svsm":
                sides = EmitSides.Server;
                return true;
            case null or "" or "both":
                sides = EmitSides.Both;
                return true;
            default:
                sides = EmitSides.Both;
                return false;
        }
    }
}

/// <summary>
/// Emits the C# bindings of one spec: protocol constants and call descriptors, the guest-side client, the
/// SVSM-side handler interface and dispatcher, structs and bit fields. The source generator and
/// <c>svsm-bindgen generate</c> both call this.
/// </summary>
public static class BindingsEmitter
{
    public const string DefaultNamespace = "Svsm.Protocols";

    public const string ToolName = "Svsm.Bindings";

    public static string ToolVersion { get; } =
        typeof(BindingsEmitter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>
    /// The file for <paramref name="document"/> (none when it defines nothing): everything its model holds. The reader leaves out each element
    /// an error was found in (and says so in that error), so a spec with errors still generates what is valid.
    /// </summary>
    public static IReadOnlyList<GeneratedFile> Emit(SpecDocument document, EmitOptions options)
    {
        if (!document.HasDefinitions)
        {
            return Array.Empty<GeneratedFile>();
        }

        var ns = options.NamespaceOverride ?? document.Protocol.Namespace ?? options.Namespace;
        var prefix = document.Protocol.Prefix ?? Naming.Pascal(options.DefaultPrefix);
        var plan = BindingPlan.Create(document, ns, prefix, options.Internal, options.Sides, options.EmulatorRegistration);
        var parts = new List<Action<SourceWriter, BindingPlan>>(6);
        if (plan.HasCalls)
        {
            parts.Add(ProtocolEmitter.Write);
            if ((plan.Sides & EmitSides.Client) != 0)
            {
                parts.Add(ClientEmitter.Write);
            }

            if ((plan.Sides & EmitSides.Server) != 0)
            {
                parts.Add(DispatchEmitter.Write);
            }
        }

        if (plan.Structs.Count > 0)
        {
            parts.Add(StructEmitter.Write);
        }

        if (plan.BitFields.Count > 0)
        {
            parts.Add(BitFieldEmitter.Write);
        }

        if (plan.ConstantTables.Count > 0)
        {
            parts.Add(ConstantsEmitter.Write);
        }

        if (parts.Count == 0)
        {
            return Array.Empty<GeneratedFile>();
        }

        // One file per spec, not one per kind of part: Roslyn 4.x checks each added hint name against every one
        // added before it, so the number of files a generator adds costs quadratically in every run, cached or not.
        var writer = new SourceWriter();
        writer.Line("// <auto-generated/>")
            .Line("// Generated by ", ToolName, " ", ToolVersion, " from a spec; edits are lost when it is generated again.")
            .Line("// Extend the partial types in a file of your own.")
            .Line("#nullable enable")
            .Line()
            .Line("namespace ", plan.Namespace)
            .Open(string.Empty);
        foreach (var write in parts)
        {
            write(writer, plan);
            writer.TrimBlankLines().Line();
        }

        writer.TrimBlankLines().Close();
        return new[] { writer.Finish(HintNames.FileName(options.HintBase)) };
    }

    internal static string GeneratedCodeAttribute { get; } =
        "[global::System.CodeDom.Compiler.GeneratedCode(" + Naming.Literal(ToolName) + ", " + Naming.Literal(ToolVersion) + ")]";
}
