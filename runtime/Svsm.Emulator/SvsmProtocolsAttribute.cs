using System;

namespace Svsm.Emulator;

/// <summary>
/// Marks an assembly of protocols an SVSM can serve: <c>svsm-emu serve --protocols PATH.dll</c> creates
/// <see cref="Source"/> with its parameterless constructor and serves every registration it returns. The assembly is
/// loaded beside the host's own Svsm.Runtime and Svsm.Emulator, so their types are the host's.
/// </summary>
/// <example><c>[assembly: SvsmProtocols(typeof(MyProtocols))]</c>, where <c>MyProtocols : ISvsmProtocolSource</c>.</example>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class SvsmProtocolsAttribute(Type source) : Attribute
{
    /// <summary>A public type implementing <see cref="ISvsmProtocolSource"/> with a parameterless constructor.</summary>
    public Type Source { get; } = source;
}
