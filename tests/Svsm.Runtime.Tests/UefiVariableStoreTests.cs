using System.Security.Cryptography;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Emulator.Services.UefiMm;
using Svsm.Runtime.Attestation;
using Svsm.Runtime.Uefi;
using Xunit;
using Attr = Svsm.Runtime.Uefi.UefiVariableAttributeBits;
using Status = Svsm.Runtime.Uefi.UefiVariableEfiStatusValues;

namespace Svsm.Runtime.Tests;

/// <summary>
/// The guest's UEFI variable client through protocol 4 to the emulated store: edk2's variable services and their
/// EFI statuses (VariableSmm.c and Variable.c, edk2 at c5aa7e7d), the boot phases, the limits, and the UEFI MM
/// service manifest in attestation.
/// </summary>
public sealed class UefiVariableStoreTests : IDisposable
{
    private const Attr NvBsRt = Attr.NonVolatile | Attr.BootserviceAccess | Attr.RuntimeAccess;
    private static readonly Guid Vendor = new("6a7f0b7e-3d35-4e4b-9d7b-0c1a6f2b9e11");

    private readonly EmulatedMachine machine = EmulatedMachine.Create();
    private readonly string directory = Directory.CreateTempSubdirectory("uefi-vars-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private (UefiVariableStore Client, EmulatedVariableStore Store) Connect(UefiVariableStoreOptions? options = null)
    {
        var store = machine.Emulator.AddUefiMm(EmulatedVariableStore.Open(options)).State;
        return (new UefiVariableStore(machine.Transport(), machine.Memory, machine.Allocator), store);
    }

    private static ulong StatusOf(Action action) => Assert.Throws<UefiVariableException>(action).Status;

    [Fact]
    public void SetGetEnumerateAndDeleteRoundTrip()
    {
        var (client, store) = Connect();
        Assert.Equal(33780, client.PayloadSize);
        Assert.Null(client.Get("Missing", Vendor));
        Assert.Empty(client.Enumerate());

        client.Set("BootOrder", UefiGuids.GlobalVariable, NvBsRt, [1, 0, 2, 0]);
        client.Set("Volatile", Vendor, Attr.BootserviceAccess, "hello"u8);
        client.Set("Lang", Vendor, NvBsRt, "en"u8);

        var bootOrder = client.Get("BootOrder", UefiGuids.GlobalVariable)!;
        Assert.Equal([1, 0, 2, 0], bootOrder.Data);
        Assert.Equal(NvBsRt, bootOrder.Attributes);
        Assert.Equal("hello"u8.ToArray(), client.Get("Volatile", Vendor)!.Data);

        // edk2 walks the volatile store first, then the non-volatile one, each in the order written.
        Assert.Equal(
            [new UefiVariableName("Volatile", Vendor), new("BootOrder", UefiGuids.GlobalVariable), new("Lang", Vendor)],
            client.Enumerate());
        Assert.Equal(3, store.Variables.Count);

        // Replace, append, delete; delete again is NOT_FOUND.
        client.Set("Lang", Vendor, NvBsRt, "fr"u8);
        client.Set("Lang", Vendor, NvBsRt | Attr.AppendWrite, "-CA"u8);
        Assert.Equal("fr-CA"u8.ToArray(), client.Get("Lang", Vendor)!.Data);
        Assert.True(client.Delete("Lang", Vendor));
        Assert.False(client.Delete("Lang", Vendor));
        Assert.Null(client.Get("Lang", Vendor));
        Assert.Equal(2, client.Enumerate().Count);
    }

    [Fact]
    public void TryGetReportsBufferTooSmallWithTheSizeNeeded()
    {
        var (client, _) = Connect();
        client.Set("Key", Vendor, NvBsRt, new byte[100]);
        var small = new byte[10];
        Assert.Equal(Status.BufferTooSmall, client.TryGet("Key", Vendor, small, out var size, out var attributes));
        Assert.Equal((100, NvBsRt), (size, attributes));
        var exact = new byte[100];
        Assert.Equal(Status.Success, client.TryGet("Key", Vendor, exact, out size, out _));
        Assert.Equal(100, size);
        Assert.Equal(Status.NotFound, client.TryGet("Nope", Vendor, exact, out _, out _));
    }

    [Fact]
    public void EnumerateGrowsItsNameBufferForLongNames()
    {
        var (client, _) = Connect();
        var longName = new string('N', 700);   // 1402 bytes with the NUL: past the client's first 512-byte guess
        client.Set("a", Vendor, Attr.BootserviceAccess, [1]);
        client.Set(longName, Vendor, Attr.BootserviceAccess, [2]);
        Assert.Equal(["a", longName], client.Enumerate().Select(n => n.Name));
    }

    [Fact]
    public void AttributeRulesFollowSetVariable()
    {
        var (client, _) = Connect();
        // Variable.c:2634-2718 and this store's choice for authenticated writes (it verifies no signatures).
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.Set("X", Vendor, Attr.RuntimeAccess, [1])));
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.Set("X", Vendor, Attr.NonVolatile, [1])));
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.Set("X", Vendor, (Attr)0x80 | Attr.BootserviceAccess, [1])));
        Assert.Equal(Status.Unsupported, StatusOf(() => client.Set("X", Vendor, NvBsRt | Attr.AuthenticatedWriteAccess, [1])));
        Assert.Equal(Status.Unsupported, StatusOf(() => client.Set("X", Vendor, Attr.RuntimeAccess | Attr.AuthenticatedWriteAccess, [1])));
        Assert.Equal(Status.SecurityViolation, StatusOf(() => client.Set("PK", UefiGuids.GlobalVariable, NvBsRt | Attr.TimeBasedAuthenticatedWriteAccess, new byte[64])));
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.Set("X", Vendor, NvBsRt | Attr.HardwareErrorRecord, [1])));
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.Set("", Vendor, NvBsRt, [1])));

        // A new variable with no data, or no access, is a delete of nothing.
        Assert.Equal(Status.NotFound, StatusOf(() => client.Set("X", Vendor, NvBsRt, [])));
        Assert.Equal(Status.NotFound, StatusOf(() => client.Set("X", Vendor, Attr.None, [1])));

        // Another variable's attributes may not be changed by writing it.
        client.Set("Y", Vendor, NvBsRt, [1]);
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.Set("Y", Vendor, Attr.BootserviceAccess | Attr.RuntimeAccess, [2])));

        // Larger than the largest variable (0x8400 less its 60-byte header), though the buffer holds it.
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.Set("Big", Vendor, NvBsRt, new byte[0x8400 - 60 - 8 + 1])));
        client.Set("Big", Vendor, NvBsRt, new byte[0x8400 - 60 - 8]);
        Assert.Throws<ArgumentException>(() => client.Set("Huge", Vendor, NvBsRt, new byte[client.PayloadSize]));
    }

    [Fact]
    public void TheStoreRunsOutOfResourcesAtItsLimit()
    {
        var (client, _) = Connect(new UefiVariableStoreOptions { NonVolatileStorageSize = 1024 });
        var before = client.QueryInfo(NvBsRt);
        Assert.Equal((1024UL, 1024UL, 1024UL - 60), (before.MaximumStorageSize, before.RemainingStorageSize, before.MaximumVariableSize));
        var written = 0;
        var status = Status.Success;
        while (written < 100)
        {
            try
            {
                client.Set("V" + written, Vendor, NvBsRt, new byte[100]);
                written++;
            }
            catch (UefiVariableException exception)
            {
                status = exception.Status;
                break;
            }
        }

        Assert.Equal(Status.OutOfResources, status);
        Assert.Equal(6, written);                             // 60 + 6 (name) + 100, rounded to 4: 168 bytes each
        var after = client.QueryInfo(NvBsRt);
        Assert.Equal(1024UL - (6 * 168), after.RemainingStorageSize);
        Assert.Equal(0UL, after.MaximumVariableSize);     // less than a header left

        // Deleting one makes room again; volatile storage is separate.
        Assert.True(client.Delete("V0", Vendor));
        client.Set("V6", Vendor, NvBsRt, new byte[100]);
        client.Set("Volatile", Vendor, Attr.BootserviceAccess, new byte[1000]);
    }

    [Fact]
    public void AnAppendPastTheLargestVariableIsInvalidParameter()
    {
        var (client, _) = Connect();
        client.Set("Grows", Vendor, NvBsRt, new byte[0x8400 - 60 - 12 - 10]);
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.Set("Grows", Vendor, NvBsRt | Attr.AppendWrite, new byte[11])));
        client.Set("Grows", Vendor, NvBsRt | Attr.AppendWrite, new byte[10]);
        Assert.Equal(0x8400 - 60 - 12, client.Get("Grows", Vendor)!.Data.Length);
    }

    [Fact]
    public void NamesPersistAsTheirCodeUnitsLoneSurrogatesIncluded()
    {
        var path = Path.Combine(directory, "vars");
        var (client, _) = Connect(new UefiVariableStoreOptions { FilePath = path });
        client.Set("\uD800", Vendor, NvBsRt, [1]);
        client.Set("\uD801", Vendor, NvBsRt, [2]);
        var reopened = EmulatedVariableStore.Open(new UefiVariableStoreOptions { FilePath = path });
        Assert.Equal(["\uD800", "\uD801"], reopened.Variables.Select(v => v.Name));
    }

    [Fact]
    public void QueryVariableInfoChecksItsAttributes()
    {
        var (client, _) = Connect();
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.QueryInfo(Attr.None)));
        Assert.Equal(Status.Unsupported, StatusOf(() => client.QueryInfo(Attr.AuthenticatedWriteAccess | Attr.BootserviceAccess)));
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.QueryInfo(Attr.NonVolatile)));
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.QueryInfo(Attr.RuntimeAccess)));
        Assert.Equal(Status.Unsupported, StatusOf(() => client.QueryInfo(NvBsRt | Attr.HardwareErrorRecord)));
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.QueryInfo(Attr.HardwareErrorRecord | Attr.BootserviceAccess)));

        // An authenticated store, as OVMF's is: time-based variables live in the non-volatile space.
        Assert.Equal(client.QueryInfo(NvBsRt), client.QueryInfo(NvBsRt | Attr.TimeBasedAuthenticatedWriteAccess));
        var volatileInfo = client.QueryInfo(Attr.BootserviceAccess);
        Assert.Equal(0x10000UL, volatileInfo.MaximumStorageSize);
        var info = client.QueryInfo(NvBsRt);
        client.Set("Counted", Vendor, NvBsRt, new byte[40]);
        Assert.Equal(info.RemainingStorageSize - 116, client.QueryInfo(NvBsRt).RemainingStorageSize); // header 60, name 16, data 40
    }

    [Fact]
    public void AfterExitBootServicesOnlyRuntimeVariablesAreSeenAndVolatileOnesAreReadOnly()
    {
        var (client, store) = Connect();
        client.Set("BootOnly", Vendor, Attr.NonVolatile | Attr.BootserviceAccess, [1]);
        client.Set("VolatileRt", Vendor, Attr.BootserviceAccess | Attr.RuntimeAccess, [2]);
        client.Set("Runtime", Vendor, NvBsRt, [3]);
        client.SignalReadyToBoot();
        client.SignalExitBootServices();
        Assert.True(store.AtRuntime);

        Assert.Null(client.Get("BootOnly", Vendor));
        Assert.Equal([new UefiVariableName("VolatileRt", Vendor), new("Runtime", Vendor)], client.Enumerate());
        Assert.Equal(Status.WriteProtected, StatusOf(() => client.Set("BootOnly", Vendor, Attr.NonVolatile | Attr.BootserviceAccess, [9])));
        Assert.Equal(Status.WriteProtected, StatusOf(() => client.Set("VolatileRt", Vendor, Attr.BootserviceAccess | Attr.RuntimeAccess, [9])));
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.Set("NewBoot", Vendor, Attr.NonVolatile | Attr.BootserviceAccess, [9])));
        Assert.Equal(Status.InvalidParameter, StatusOf(() => client.QueryInfo(Attr.NonVolatile | Attr.BootserviceAccess)));
        client.Set("Runtime", Vendor, NvBsRt, [4]);
        client.Set("NewRuntime", Vendor, NvBsRt, [5]);
        Assert.Equal([4], client.Get("Runtime", Vendor)!.Data);
        Assert.Equal(Status.Unsupported, StatusOf(client.SignalReadyToBoot));
    }

    [Fact]
    public void NonVolatileVariablesPersistAcrossStores()
    {
        var path = Path.Combine(directory, "vars");
        var (client, store) = Connect(new UefiVariableStoreOptions { FilePath = path });
        client.Set("Kept", Vendor, NvBsRt, [1, 2, 3]);
        client.Set("Gone", Vendor, Attr.BootserviceAccess | Attr.RuntimeAccess, [4]);
        client.Set("Deleted", Vendor, NvBsRt, [5]);
        Assert.True(client.Delete("Deleted", Vendor));
        Assert.True(store.IsPersistent);

        var reopened = EmulatedVariableStore.Open(new UefiVariableStoreOptions { FilePath = path });
        var kept = Assert.Single(reopened.Variables);
        Assert.Equal(("Kept", Vendor, NvBsRt), (kept.Name, kept.Vendor, kept.Attributes));
        Assert.Equal([1, 2, 3], kept.Data);
        Assert.False(reopened.AtRuntime);
    }

    [Fact]
    public void AttestationOfEveryServiceCarriesTheUefiMmManifest()
    {
        using var firmware = new EmulatedSnpFirmware();
        var path = Path.Combine(directory, "vars");
        var store = machine.Emulator.AddUefiMm(EmulatedVariableStore.Open(new UefiVariableStoreOptions { FilePath = path })).State;
        machine.Emulator.AddAttestation(firmware, store.AsAttestedService());
        var attestation = new SvsmAttestationClient(machine.Transport(), machine.Memory, machine.Allocator);
        var nonce = RandomNumberGenerator.GetBytes(64);

        var evidence = attestation.Attest(nonce);
        var service = Assert.Single(evidence.Services);
        Assert.Equal((SvsmAttestationGuids.UefiMm, "UEFI MM"), (service.Id, service.Name));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 1, 0, 0, 0 }, service.Manifest.ToArray());   // version 0, persistent_nv_vars
        Assert.Equal(new UefiMmManifest(true, false, false), UefiMmManifest.Parse(service.Manifest.Span));
        Assert.Equal(SnpVerification.Valid.Reason, evidence.Verify(firmware.Ark).Reason);

        // A PK turns secure boot on, as uefivars.rs reads it; the single-service call attests the manifest alone.
        store.Enroll("PK", UefiGuids.GlobalVariable, NvBsRt | Attr.TimeBasedAuthenticatedWriteAccess, new byte[32]);
        var single = attestation.AttestService(SvsmAttestationGuids.UefiMm, nonce);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 3, 0, 0, 0 }, single.Manifest.ToArray());
        var fields = single.Fields;
        Assert.Equal(SHA512.HashData([.. nonce, .. single.Manifest.Span]), ((ReadOnlySpan<byte>)fields.ReportData).ToArray());
        Assert.Equal(SnpVerification.Valid.Reason, single.Verify(firmware.Ark).Reason);
    }

    [Fact]
    public void ManifestParseRefusesWhatItDoesNotKnow()
    {
        Assert.Throws<FormatException>(() => UefiMmManifest.Parse(new byte[7]));
        Assert.Throws<FormatException>(() => UefiMmManifest.Parse([1, 0, 0, 0, 0, 0, 0, 0]));
        Assert.Throws<FormatException>(() => UefiMmManifest.Parse([0, 0, 0, 0, 8, 0, 0, 0]));
        Assert.Equal(new UefiMmManifest(false, true, true), UefiMmManifest.Parse([0, 0, 0, 0, 6, 0, 0, 0]));
    }

    [Fact]
    public void LocksHoldAtOnceAndCannotBeAskedForAfterEndOfDxe()
    {
        var (client, store) = Connect();
        client.Set("Locked", Vendor, NvBsRt, [1]);
        // RequestToLock is sent as LOCK_VARIABLE (function 8); the client has no call for it, so the host locks it here the same way.
        var lockMessage = LockMessage("Locked", Vendor);
        machine.Memory.Write(client.BufferGpa, lockMessage);
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(4, 1), Rcx = client.BufferGpa, Rdx = 65536 };
        machine.Transport().Call(ref registers);
        Assert.Equal(0UL, registers.Rax);
        // The lock holds at once, as the LOCK_NOW variable policy RequestToLock registers does (VariablePolicyLib.c).
        Assert.Equal(Status.WriteProtected, StatusOf(() => client.Set("Locked", Vendor, NvBsRt, [3])));
        Assert.Equal([1], client.Get("Locked", Vendor)!.Data);
        client.SignalReadyToBoot();                         // does EndOfDxe's work when it has not happened
        Assert.True(store.EndOfDxe);

        machine.Memory.Write(client.BufferGpa, lockMessage);
        registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(4, 1), Rcx = client.BufferGpa, Rdx = 65536 };
        machine.Transport().Call(ref registers);
        Assert.Equal(0UL, registers.Rax);
        var status = new byte[8];
        machine.Memory.Read(client.BufferGpa + 32, status);
        Assert.Equal(Status.AccessDenied, BitConverter.ToUInt64(status));
    }

    private static byte[] LockMessage(string name, Guid vendor)
    {
        var nameBytes = System.Text.Encoding.Unicode.GetBytes(name + "\0");
        var message = new byte[24 + 16 + 24 + nameBytes.Length];
        UefiGuids.SmmVariableProtocol.TryWriteBytes(message);
        BitConverter.TryWriteBytes(message.AsSpan(16), (ulong)(message.Length - 24));
        BitConverter.TryWriteBytes(message.AsSpan(24), 8UL);
        vendor.TryWriteBytes(message.AsSpan(40));
        BitConverter.TryWriteBytes(message.AsSpan(56), (ulong)nameBytes.Length);
        nameBytes.CopyTo(message, 64);
        return message;
    }
}
