using System.Collections.Generic;

namespace Svsm.Emulator;

/// <summary>Protocols of your own for an SVSM to serve, named by an assembly's <see cref="SvsmProtocolsAttribute"/>.</summary>
public interface ISvsmProtocolSource
{
    /// <summary>
    /// The protocols to serve from <paramref name="emulator"/>, usually one generated
    /// <c>&lt;Prefix&gt;Dispatcher.Registration(handler)</c> each; a handler may keep <paramref name="emulator"/> to
    /// read guest memory or look at the vCPUs.
    /// </summary>
    IEnumerable<SvsmProtocolRegistration> Registrations(SvsmEmulator emulator);
}
