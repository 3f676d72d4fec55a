using System;
using Svsm.Runtime;

namespace Svsm.Emulator;

/// <summary>Calls an emulator in this process, as vCPU <paramref name="vcpu"/>: no copy, no allocation.</summary>
public sealed class InProcessTransport(SvsmEmulator emulator, int vcpu = 0) : ISvsmTransport
{
    private readonly SvsmEmulator emulator = emulator ?? throw new ArgumentNullException(nameof(emulator));

    public int Vcpu { get; } = vcpu;

    public void Call(ref SvsmRegisters registers) => emulator.Dispatch(Vcpu, ref registers);
}
