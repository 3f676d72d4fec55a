using System;
using System.Collections.Generic;
using System.Globalization;

namespace Svsm.Runtime;

/// <summary>
/// The result code an SVSM call leaves in RAX, with the result table of the protocol that answered it. Codes
/// below 0x80001000 mean the same in every protocol: their names and values are generated from
/// <c>specs/core.md</c> into the other half of this struct. Codes from 0x80001000 mean what the protocol's own
/// result table says, so a result prints its spec name in the context of its protocol. Two results are equal
/// when their codes are.
/// </summary>
public readonly partial struct SvsmResult : IEquatable<SvsmResult>
{
    /// <summary>The first code whose meaning depends on the protocol.</summary>
    public const uint ProtocolBase = 0x8000_1000;

    public SvsmResult(uint value)
        : this(value, null)
    {
    }

    public SvsmResult(uint value, SvsmResultTable? protocol)
    {
        Value = value;
        Protocol = protocol;
    }

    public uint Value { get; }

    /// <summary>The result table of the protocol that returned this code, when known.</summary>
    public SvsmResultTable? Protocol { get; }

    public bool IsSuccess => Value == SuccessCode;

    /// <summary>Whether the code is one of those (from 0x80001000) whose meaning depends on the protocol.</summary>
    public bool IsProtocolSpecific => Value >= ProtocolBase;

    /// <summary>The code's spec name (<c>SVSM_ERR_INVALID_PARAMETER</c>), or null when neither the generic codes nor the protocol's table name it.</summary>
    public string? Name => IsProtocolSpecific ? Protocol?.Find(Value)?.Name : GenericName(Value);

    /// <summary>This code read in the context of <paramref name="protocol"/>'s result table.</summary>
    public SvsmResult In(SvsmResultTable protocol) => new(Value, protocol);

    /// <summary>The spec name and the code, such as <c>SVSM_ERR_INVALID_PARAMETER (0x80000005)</c>.</summary>
    public override string ToString()
    {
        var hex = "0x" + Value.ToString("X8", CultureInfo.InvariantCulture);
        if (Name is { } name)
        {
            return name + " (" + hex + ")";
        }

        if (IsProtocolSpecific)
        {
            return Protocol is { } table
                ? hex + " (not in the result table of " + table.ProtocolName + ", protocol " + table.Protocol.ToString(CultureInfo.InvariantCulture) + ")"
                : hex + " (protocol-specific; the protocol is not known)";
        }

        return hex;
    }

    /// <summary>Throws <see cref="SvsmCallException"/> unless the call succeeded.</summary>
    public void ThrowIfFailed(string call)
    {
        if (!IsSuccess)
        {
            throw new SvsmCallException(call, this);
        }
    }

    public bool Equals(SvsmResult other) => Value == other.Value;

    public override bool Equals(object? obj) => obj is SvsmResult other && Equals(other);

    public override int GetHashCode() => (int)Value;

    public static bool operator ==(SvsmResult left, SvsmResult right) => left.Equals(right);

    public static bool operator !=(SvsmResult left, SvsmResult right) => !left.Equals(right);
}

/// <summary>One result code of a spec: its value, its name as the spec spells it, and what it means.</summary>
public sealed record SvsmResultName(uint Code, string Name, string Description);

/// <summary>The result codes one protocol defines from 0x80001000 (generated from its spec's result table).</summary>
public sealed class SvsmResultTable
{
    private readonly Dictionary<uint, SvsmResultName> byCode = new();

    public SvsmResultTable(uint protocol, string protocolName, IReadOnlyList<SvsmResultName> codes)
    {
        Protocol = protocol;
        ProtocolName = protocolName ?? throw new ArgumentNullException(nameof(protocolName));
        Codes = codes ?? throw new ArgumentNullException(nameof(codes));
        foreach (var code in codes)
        {
            byCode.TryAdd(code.Code, code);
        }
    }

    public uint Protocol { get; }

    public string ProtocolName { get; }

    public IReadOnlyList<SvsmResultName> Codes { get; }

    /// <summary>The entry for <paramref name="code"/>, or null when this protocol does not define it.</summary>
    public SvsmResultName? Find(uint code) => byCode.TryGetValue(code, out var name) ? name : null;
}

/// <summary>An SVSM call that returned an error code.</summary>
public sealed class SvsmCallException(string call, SvsmResult result)
    : Exception(call + " failed with " + result)
{
    public string Call { get; } = call;

    public SvsmResult Result { get; } = result;
}
