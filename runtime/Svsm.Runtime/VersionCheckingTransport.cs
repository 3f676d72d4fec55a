using System;
using System.Collections.Generic;
using System.Globalization;

namespace Svsm.Runtime;

/// <summary>A call the SVSM does not serve in the version it offers, refused before it was made.</summary>
public sealed class SvsmVersionException(string message) : Exception(message);

/// <summary>
/// Negotiates protocol versions once with <c>SVSM_CORE_QUERY_PROTOCOL</c>, then refuses any call of a negotiated
/// protocol whose first version is above the highest the SVSM serves, with an error naming the call and both
/// versions. Calls of protocols not negotiated pass through. Checking a call allocates nothing.
/// </summary>
public sealed class VersionCheckingTransport(ISvsmTransport inner) : ISvsmTransport
{
    private readonly ISvsmTransport inner = inner ?? throw new ArgumentNullException(nameof(inner));
    private readonly Dictionary<uint, Negotiated> protocols = new();

    /// <summary>What was negotiated for a protocol: the versions served (null when none), and each call's first version.</summary>
    private sealed record Negotiated(uint Protocol, (uint Min, uint Max)? Served, Dictionary<uint, SvsmCallDescriptor> Calls);

    public ISvsmTransport Inner => this.inner;

    /// <summary>
    /// Asks the SVSM which versions of <paramref name="protocol"/> it serves, starting from <paramref name="version"/>
    /// (the version the client's spec describes) and going down until one is served. Returns the versions served, or
    /// null when none is; from then on calls of the protocol are checked against <paramref name="calls"/>' first versions.
    /// </summary>
    public (uint Min, uint Max)? Negotiate(uint protocol, uint version, IReadOnlyList<SvsmCallDescriptor> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var core = new CoreClient(inner);
        (uint Min, uint Max)? served = null;
        for (var asked = version; asked >= 1 && served is null; asked--)
        {
            var answer = core.QueryProtocol(((ulong)protocol << 32) | asked);
            if (!answer.Result.IsSuccess)
            {
                throw new SvsmCallException("SVSM_CORE_QUERY_PROTOCOL", answer.Result);
            }

            if (answer.Versions != 0)
            {
                served = ((uint)answer.Versions, (uint)(answer.Versions >> 32));
            }
        }

        var byCall = new Dictionary<uint, SvsmCallDescriptor>();
        foreach (var call in calls)
        {
            byCall[call.Call] = call;
        }

        lock (protocols)
        {
            protocols[protocol] = new Negotiated(protocol, served, byCall);
        }

        return served;
    }

    /// <summary>The versions of <paramref name="protocol"/> negotiated, or null when it was not negotiated or is not served.</summary>
    public (uint Min, uint Max)? Served(uint protocol)
    {
        lock (protocols)
        {
            return protocols.TryGetValue(protocol, out var negotiated) ? negotiated.Served : null;
        }
    }

    public void Call(ref SvsmRegisters registers)
    {
        var protocol = (uint)(registers.Rax >> 32);
        Negotiated? negotiated;
        lock (protocols)
        {
            protocols.TryGetValue(protocol, out negotiated);
        }

        if (negotiated is not null)
        {
            var call = (uint)registers.Rax;
            negotiated.Calls.TryGetValue(call, out var descriptor);
            var name = descriptor?.Name ?? "call " + call.ToString(CultureInfo.InvariantCulture) + " of protocol " + protocol.ToString(CultureInfo.InvariantCulture);
            if (negotiated.Served is not { } served)
            {
                throw new SvsmVersionException(name + " refused: the SVSM does not serve protocol " + protocol.ToString(CultureInfo.InvariantCulture) + " in any version this client knows");
            }

            if (descriptor is not null && descriptor.SinceVersion > served.Max)
            {
                throw new SvsmVersionException(string.Format(
                    CultureInfo.InvariantCulture,
                    "{0} refused: it needs version {1} of protocol {2}, but the SVSM serves versions {3} to {4}",
                    name, descriptor.SinceVersion, protocol, served.Min, served.Max));
            }
        }

        inner.Call(ref registers);
    }
}
