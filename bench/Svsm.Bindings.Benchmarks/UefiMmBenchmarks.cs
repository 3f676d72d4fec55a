using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Svsm.Emulator;
using Svsm.Emulator.Services.UefiMm;
using Svsm.Runtime.Uefi;

namespace Svsm.Bindings.Benchmarks;

/// <summary>
/// GetVariable of a 16-byte variable, two ways over the same store: the baseline builds the SMM variable message
/// (header, ACCESS_VARIABLE, name) in a buffer of its own, calls the store with it directly, and reads the status, the
/// size and the data back out of it; the measured one is the guest's <see cref="UefiVariableStore.TryGet"/> through
/// SVSM protocol 4: the message written to guest memory, SVSM_UEFI_MM_REQUEST, the emulator's buffer checks, the
/// message read in, answered and written back, and the answer read. Goal: at most 1.3x.
/// </summary>
[MemoryDiagnoser]
public class UefiMmBenchmarks
{
    private const string Name = "BootOrder";
    private static readonly Guid Vendor = UefiGuids.GlobalVariable;

    private readonly byte[] destination = new byte[16];
    private readonly byte[] message = new byte[SmmVariableCommunicateHeader.DataOffset + SmmVariableCommunicateAccessVariable.NameOffset + ((Name.Length + 1) * 2) + 16];
    private EmulatedVariableStore store = null!;
    private UefiVariableStore client = null!;

    [GlobalSetup]
    public void Setup()
    {
        var machine = EmulatedMachine.Create();
        store = machine.Emulator.AddUefiMm().State;
        client = new UefiVariableStore(machine.Transport(), machine.Memory, machine.Allocator);
        client.Set(Name, Vendor, UefiVariableAttributeBits.NonVolatile | UefiVariableAttributeBits.BootserviceAccess | UefiVariableAttributeBits.RuntimeAccess, new byte[16]);
        if (DirectIntoTheStore() != 16 || ThroughUefiMmProtocol() != 16)
        {
            throw new InvalidOperationException("GetVariable did not read the 16-byte variable both ways");
        }
    }

    [Benchmark(Baseline = true, Description = "the same SMM buffer built, handed to the store and parsed, in process")]
    public int DirectIntoTheStore()
    {
        var span = message.AsSpan();
        BinaryPrimitives.WriteUInt64LittleEndian(span, UefiVariableFunctionCodes.GetVariable);
        BinaryPrimitives.WriteUInt64LittleEndian(span[SmmVariableCommunicateHeader.ReturnStatusOffset..], 0);
        var payload = span[SmmVariableCommunicateHeader.DataOffset..];
        Vendor.TryWriteBytes(payload);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[SmmVariableCommunicateAccessVariable.DataSizeOffset..], (ulong)destination.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[SmmVariableCommunicateAccessVariable.NameSizeOffset..], (ulong)((Name.Length + 1) * 2));
        BinaryPrimitives.WriteUInt32LittleEndian(payload[SmmVariableCommunicateAccessVariable.AttributesOffset..], 0);
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(Name.AsSpan()).CopyTo(payload[SmmVariableCommunicateAccessVariable.NameOffset..]);
        payload.Slice(SmmVariableCommunicateAccessVariable.NameOffset + (Name.Length * 2), 2).Clear();
        store.Handle(span);
        if (BinaryPrimitives.ReadUInt64LittleEndian(span[SmmVariableCommunicateHeader.ReturnStatusOffset..]) != UefiVariableEfiStatusValues.Success)
        {
            return -1;
        }

        var size = (int)BinaryPrimitives.ReadUInt64LittleEndian(payload[SmmVariableCommunicateAccessVariable.DataSizeOffset..]);
        payload.Slice(SmmVariableCommunicateAccessVariable.NameOffset + ((Name.Length + 1) * 2), size).CopyTo(destination);
        return size;
    }

    [Goal(1.3, "GetVariable through UEFI MM (protocol 4) to the emulated variable store")]
    [Benchmark]
    public int ThroughUefiMmProtocol() =>
        client.TryGet(Name, Vendor, destination, out var size, out _) == UefiVariableEfiStatusValues.Success ? size : -1;
}
