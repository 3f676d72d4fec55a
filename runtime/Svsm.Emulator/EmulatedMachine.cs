using System;
using Svsm.Emulator.Services.Ocp;
using Svsm.Runtime;

namespace Svsm.Emulator;

/// <summary>
/// A guest with no hardware: private guest RAM from GPA 0, an SVSM emulator serving the core protocol and OCP over
/// it, and an allocator of guest buffers above the boot vCPUs' calling areas.
/// </summary>
public sealed class EmulatedMachine
{
    private EmulatedMachine(EmulatorOptions options)
    {
        Memory = new PrivateGuestMemory();
        Memory.Map(0, options.MemorySize);
        Emulator = new SvsmEmulator(Memory, options);
        Ocp = Emulator.AddOcp().State;
        Allocator = new GuestAllocator(Memory, Emulator.FirstFreeGpa, options.MemorySize - Emulator.FirstFreeGpa);
    }

    public PrivateGuestMemory Memory { get; }

    public SvsmEmulator Emulator { get; }

    /// <summary>The OCP sources served; the emulator's own come first, and more may be added.</summary>
    public OcpSourceList Ocp { get; }

    /// <summary>Hands out page-aligned guest buffers.</summary>
    public GuestAllocator Allocator { get; }

    public static EmulatedMachine Create(EmulatorOptions? options = null)
    {
        options ??= new EmulatorOptions();
        if (options.MemorySize % PrivateGuestMemory.PageSize != 0 || options.MemorySize <= SvsmEmulator.BootCallingAreaGpa(options.MaxVcpus))
        {
            throw new ArgumentException("guest RAM is whole pages, more than the calling areas need", nameof(options));
        }

        return new EmulatedMachine(options);
    }

    /// <summary>A transport that makes calls as vCPU <paramref name="vcpu"/> straight into the emulator.</summary>
    public InProcessTransport Transport(int vcpu = 0) => new(Emulator, vcpu);
}
