using System.Buffers.Binary;
using System.Text;
using CsCheck;
using Svsm.Emulator.Services.UefiMm;
using Svsm.Protocols;
using Svsm.Runtime;
using Svsm.Runtime.Uefi;
using Xunit;
using Status = Svsm.Runtime.Uefi.UefiVariableEfiStatusValues;

namespace Svsm.Emulator.Tests;

/// <summary>
/// Protocol 4 as raw guest buffers: uefivars.rs's buffer checks, each with its code and in its order, and edk2's
/// answers (VariableSmm.c, Variable.c) to messages no well-behaved client sends. The client's view is in
/// Svsm.Runtime.Tests' UefiVariableStoreTests.
/// </summary>
public sealed class UefiMmEmulationTests : IDisposable
{
    private const ulong Seed = 0x5EED_5EED_5EED_5EED;
    private const int MmHeader = 24;
    private const int SmmHeader = 16;
    private const int Payload = MmHeader + SmmHeader;
    private const ulong Untouched = 0xAAAA_AAAA_AAAA_AAAA;

    private readonly EmulatedMachine machine = EmulatedMachine.Create();
    private readonly EmulatedVariableStore store;
    private readonly ulong buffer;
    private readonly string directory = Directory.CreateTempSubdirectory("uefi-mm-").FullName;

    public UefiMmEmulationTests()
        : this(null)
    {
    }

    private UefiMmEmulationTests(EmulatedVariableStore? served)
    {
        store = machine.Emulator.AddUefiMm(served).State;
        buffer = machine.Allocator.AllocatePages(16).Gpa;
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private SvsmRegisters Request(ulong rcx, ulong rdx)
    {
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(4, 1), Rcx = rcx, Rdx = rdx, R8 = Seed, R9 = Seed, R10 = Seed, R11 = Seed };
        machine.Transport().Call(ref registers);
        return registers;
    }

    // A variable message at the buffer: the MM header (GUID, MessageLength), Function, ReturnStatus seeded, then the payload.
    private void WriteMessage(Guid receiver, ulong function, ReadOnlySpan<byte> payload, ulong? messageLength = null)
    {
        var bytes = new byte[Payload + payload.Length];
        receiver.TryWriteBytes(bytes);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), messageLength ?? (ulong)(SmmHeader + payload.Length));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(MmHeader), function);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(MmHeader + 8), Untouched);
        payload.CopyTo(bytes.AsSpan(Payload));
        machine.Memory.Write(buffer, bytes);
    }

    private ulong ReturnStatus() => Read64(MmHeader + 8);

    private ulong Read64(int offset)
    {
        Span<byte> value = stackalloc byte[8];
        machine.Memory.Read(buffer + (ulong)offset, value);
        return BinaryPrimitives.ReadUInt64LittleEndian(value);
    }

    private ulong Send(ulong function, ReadOnlySpan<byte> payload)
    {
        WriteMessage(UefiGuids.SmmVariableProtocol, function, payload);
        Assert.Equal(SvsmResult.SuccessCode, Request(buffer, 65536).Rax);
        return ReturnStatus();
    }

    private static byte[] Access(string name, Guid vendor, uint attributes = 0, byte[]? data = null, ulong? dataSize = null, ulong? nameSize = null, int? dataArea = null, bool terminate = true)
    {
        var nameBytes = Encoding.Unicode.GetBytes(terminate ? name + "\0" : name);
        var area = dataArea ?? data?.Length ?? 0;
        var payload = new byte[36 + nameBytes.Length + area];
        vendor.TryWriteBytes(payload);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(16), dataSize ?? (ulong)area);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(24), nameSize ?? (ulong)nameBytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(32), attributes);
        nameBytes.CopyTo(payload, 36);
        data?.CopyTo(payload, 36 + nameBytes.Length);
        return payload;
    }

    private static byte[] Next(string name, Guid vendor, int capacity)
    {
        var payload = new byte[24 + Math.Max(capacity, (name.Length + 1) * 2)];
        vendor.TryWriteBytes(payload);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(16), (ulong)capacity);
        Encoding.Unicode.GetBytes(name).CopyTo(payload, 24);
        return payload;
    }

    private const uint Bs = 2, Rt = 4, Nv = 1;

    [Fact]
    public void BufferChecksFollowUefivarsInOrder()
    {
        // uefivars.rs check_buffer then uefi_mm_request (COCONUT-SVSM f4bc4bcd, kernel/src/protocols/uefivars.rs:47-90).
        var unmapped = machine.Emulator.Options.MemorySize + 0x10000;
        Assert.Equal(SvsmResult.InvalidParameterCode, Request(0, 65536).Rax);             // null
        Assert.Equal(SvsmResult.InvalidAddressCode, Request(unmapped, 65536).Rax);        // not guest memory
        Assert.Equal(SvsmResult.InvalidAddressCode, Request(unmapped + 8, 65536).Rax);    // misaligned and not guest memory
        Assert.Equal(SvsmResult.InvalidAddressCode, Request(buffer + 8, 65536).Rax);      // misaligned
        Assert.Equal(SvsmResult.InvalidAddressCode, Request(8, 0).Rax);                   // misaligned wins over the size
        Assert.Equal(SvsmResult.InvalidParameterCode, Request(buffer, 23).Rax);           // shorter than MmCoreHeader
        Assert.Equal(SvsmResult.InvalidParameterCode, Request(buffer, 256 * 1024 + 1).Rax); // past UEFI_MM_BUFFER_LIMIT
        Assert.Equal(SvsmResult.SuccessCode, Request(buffer, 256 * 1024).Rax);             // the limit itself is taken

        // The header's size against RDX - 24.
        WriteMessage(UefiGuids.SmmVariableProtocol, UefiVariableFunctionCodes.GetPayloadSize, new byte[8], messageLength: 4096 - 24 + 1);
        Assert.Equal(SvsmResult.InvalidParameterCode, Request(buffer, 4096).Rax);
        WriteMessage(UefiGuids.SmmVariableProtocol, UefiVariableFunctionCodes.GetPayloadSize, new byte[8]);
        Assert.Equal(SvsmResult.SuccessCode, Request(buffer, 24 + 16 + 8).Rax);

        // A message that runs out of guest memory: the read faults, INVALID_ADDRESS.
        var last = machine.Emulator.Options.MemorySize - 4096;
        var header = new byte[24];
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(16), 8192);
        machine.Memory.Write(last, header);
        Assert.Equal(SvsmResult.InvalidAddressCode, Request(last, 65536).Rax);
    }

    [Fact]
    public void ReplyIsInPlaceAndOnlyRaxIsWritten()
    {
        var payload = new byte[8];
        WriteMessage(UefiGuids.SmmVariableProtocol, UefiVariableFunctionCodes.GetPayloadSize, payload);
        var after = Request(buffer, 65536);
        Assert.Equal(SvsmResult.SuccessCode, after.Rax);
        Assert.Equal((buffer, 65536UL, Seed, Seed, Seed, Seed), (after.Rcx, after.Rdx, after.R8, after.R9, after.R10, after.R11));
        Assert.Equal(Status.Success, ReturnStatus());
        Assert.Equal((ulong)store.PayloadSize, Read64(Payload));
        Assert.Equal(33780UL, Read64(Payload));       // OVMF's 0x8400 + 48 - 60 (VariableSmm.c:1186-1188)
        Assert.Equal((ulong)(SmmHeader + 8), Read64(16)); // MessageLength not rewritten
    }

    [Fact]
    public void QueryProtocolAnswersOneToOne()
    {
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(CoreProtocol.Id, 6), Rcx = (4UL << 32) | 1 };
        machine.Transport().Call(ref registers);
        Assert.Equal((SvsmResult.SuccessCode, (1UL << 32) | 1), (registers.Rax, registers.Rcx));

        registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(4, 2), Rcx = buffer, Rdx = 65536 };
        machine.Transport().Call(ref registers);
        Assert.Equal(SvsmResult.UnsupportedCallCode, registers.Rax);
    }

    [Fact]
    public void EnvelopesThatDoNotHoldAreAccessDenied()
    {
        var vendor = Guid.NewGuid();
        // VariableSmm.c:507-562: a name without its NUL, sizes past the payload, sizes that overflow.
        Assert.Equal(Status.AccessDenied, Send(UefiVariableFunctionCodes.GetVariable, Access("Boot", vendor, terminate: false)));
        Assert.Equal(Status.AccessDenied, Send(UefiVariableFunctionCodes.SetVariable, Access("Boot", vendor, Bs, data: [1], dataSize: 2)));
        Assert.Equal(Status.AccessDenied, Send(UefiVariableFunctionCodes.GetVariable, Access("Boot", vendor, dataSize: ulong.MaxValue)));
        Assert.Equal(Status.AccessDenied, Send(UefiVariableFunctionCodes.GetVariable, Access("Boot", vendor, dataSize: 8, nameSize: ulong.MaxValue - 4, dataArea: 8)));
        Assert.Equal(Status.AccessDenied, Send(UefiVariableFunctionCodes.GetVariable, Access("", vendor, nameSize: 0)));

        // GET_NEXT: the last CHAR16 of the whole name area must be NUL; NameSize past the payload.
        var next = Next("", vendor, 16);
        next[^1] = 0x41;
        Assert.Equal(Status.AccessDenied, Send(UefiVariableFunctionCodes.GetNextVariableName, next));
        next = Next("", vendor, 16);
        BinaryPrimitives.WriteUInt64LittleEndian(next.AsSpan(16), 17);
        Assert.Equal(Status.AccessDenied, Send(UefiVariableFunctionCodes.GetNextVariableName, next));
    }

    [Fact]
    public void ShortMessagesAreDroppedUnanswered()
    {
        // VariableSmm.c returns before EXIT for these: ReturnStatus keeps what the caller wrote.
        Assert.Equal(Untouched, Send(UefiVariableFunctionCodes.GetVariable, new byte[35]));
        Assert.Equal(Untouched, Send(UefiVariableFunctionCodes.SetVariable, new byte[35]));
        Assert.Equal(Untouched, Send(UefiVariableFunctionCodes.GetNextVariableName, new byte[23]));
        Assert.Equal(Untouched, Send(UefiVariableFunctionCodes.QueryVariableInfo, new byte[31]));
        Assert.Equal(Untouched, Send(UefiVariableFunctionCodes.GetPayloadSize, new byte[7]));
        Assert.Equal(Untouched, Send(UefiVariableFunctionCodes.GetVariable, new byte[store.PayloadSize + 1]));

        WriteMessage(UefiGuids.SmmVariableProtocol, UefiVariableFunctionCodes.GetPayloadSize, [], messageLength: 15);
        Assert.Equal(SvsmResult.SuccessCode, Request(buffer, 65536).Rax);
        Assert.Equal(Untouched, ReturnStatus());
    }

    [Fact]
    public void FunctionsTheStoreLacksAreUnsupported()
    {
        foreach (var function in new ulong[] { 7, 9, 10, 12, 13, 14, 15, 0, ulong.MaxValue })
        {
            Assert.Equal(Status.Unsupported, Send(function, new byte[64]));
        }
    }

    [Fact]
    public void MessagesForOtherReceiversComeBackAsTheyWent()
    {
        var policy = new Guid("da1b0d11-d1a7-46c4-9dc9-f3714875c6eb"); // variable policy: no handler here
        WriteMessage(policy, 1, new byte[32]);
        Assert.Equal(SvsmResult.SuccessCode, Request(buffer, 65536).Rax);
        Assert.Equal(Untouched, ReturnStatus());

        // OVMF forwards EndOfDxe as a 1-byte message (VirtMmCommunication.c): locks then hold.
        Assert.False(store.EndOfDxe);
        WriteMessage(UefiGuids.EndOfDxeEvent, 0, [], messageLength: 1);
        Assert.Equal(SvsmResult.SuccessCode, Request(buffer, 4096).Rax);
        Assert.True(store.EndOfDxe);
    }

    [Fact]
    public void GetVariableTooSmallGivesTheSizeAndAttributes()
    {
        var vendor = Guid.NewGuid();
        Assert.Equal(Status.Success, Send(UefiVariableFunctionCodes.SetVariable, Access("Lang", vendor, Nv | Bs | Rt, data: "en-US"u8.ToArray())));
        Assert.Equal(Status.BufferTooSmall, Send(UefiVariableFunctionCodes.GetVariable, Access("Lang", vendor, dataArea: 2)));
        Assert.Equal(5UL, Read64(Payload + 16));
        Assert.Equal((ulong)(Nv | Bs | Rt), Read64(Payload + 32) & 0xFFFF_FFFF);
        Assert.Equal(Status.NotFound, Send(UefiVariableFunctionCodes.GetVariable, Access("", vendor, dataArea: 8)));
        Assert.Equal(Status.NotFound, Send(UefiVariableFunctionCodes.GetVariable, Access("Lang", Guid.NewGuid(), dataArea: 8)));
    }

    [Fact]
    public void RandomBuffersNeverThrowNorWriteOutsideTheMessage()
    {
        // Guard pages of canaries on both sides of a 4-page buffer; the MM header and everything after the message
        // must come back unchanged too.
        const int Pages = 4;
        var region = machine.Allocator.AllocatePages(Pages + 2).Gpa;
        var target = region + 4096;
        var canary = Enumerable.Repeat((byte)0xCC, 4096).ToArray();
        var receivers = new[] { UefiGuids.SmmVariableProtocol, UefiGuids.SmmVariableProtocol, UefiGuids.EndOfDxeEvent, UefiGuids.ReadyToBootEvent, Guid.Empty };
        var names = new[] { "", "A", "BootOrder", "PK", "Boot0001" };
        var vendors = new[] { UefiGuids.GlobalVariable, Guid.Empty };
        Gen.Select(Gen.Int[0, receivers.Length - 1], Gen.ULong[0, 15], Gen.Byte.Array[0, 200], Gen.Int[0, 5], Gen.Int[-40, 600], Gen.ULong, Gen.Int[0, 9])
            .Sample((receiver, function, noise, shape, lengthDelta, wild, rdxChoice) =>
            {
                var payload = shape switch
                {
                    0 => Access(names[noise.Length % names.Length], vendors[noise.Length % 2], (uint)(wild & 0x7F), noise),
                    1 => Access(names[noise.Length % names.Length], vendors[noise.Length % 2], (uint)wild, dataSize: wild >> (noise.Length % 64), dataArea: noise.Length),
                    2 => Next(names[noise.Length % names.Length], vendors[noise.Length % 2], noise.Length),
                    3 => Access("X", UefiGuids.GlobalVariable, nameSize: wild, dataArea: noise.Length),
                    _ => noise,
                };
                var length = (ulong)Math.Max(0, SmmHeader + payload.Length + (lengthDelta % 7 == 0 ? lengthDelta : 0));
                var rdx = rdxChoice switch { 0 => 24UL, 1 => wild, 2 => length + 24, _ => Pages * 4096UL };
                var message = new byte[Pages * 4096];
                Random.Shared.NextBytes(message);
                receivers[receiver].TryWriteBytes(message);
                BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(16), length);
                BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(24), function);
                payload.AsSpan(0, Math.Min(payload.Length, message.Length - Payload)).CopyTo(message.AsSpan(Payload));
                machine.Memory.Write(region, canary);
                machine.Memory.Write(target, message);
                machine.Memory.Write(target + Pages * 4096UL, canary);

                var result = Request(target, rdx).Rax;
                Assert.True(result is SvsmResult.SuccessCode or SvsmResult.InvalidParameterCode or SvsmResult.InvalidAddressCode, $"RAX 0x{result:X}");
                var after = new byte[(Pages + 2) * 4096];
                machine.Memory.Read(region, after);
                Assert.True(after.AsSpan(0, 4096).SequenceEqual(canary), "the canary before the buffer changed");
                Assert.True(after.AsSpan((Pages + 1) * 4096).SequenceEqual(canary), "the canary after the buffer changed");
                var written = result == SvsmResult.SuccessCode ? (int)length : 0;
                Assert.True(after.AsSpan(4096, 24).SequenceEqual(message.AsSpan(0, 24)), "the MM header changed");
                Assert.True(after.AsSpan(4096 + 24 + written, message.Length - 24 - written).SequenceEqual(message.AsSpan(24 + written)), "bytes past the message changed");
            }, iter: 3000, threads: 1);
    }

    [Fact]
    public void StoreFileSurvivesAFaultBeforeTheRename()
    {
        var path = Path.Combine(directory, "vars");
        var vendor = Guid.NewGuid();
        var first = EmulatedVariableStore.Open(new UefiVariableStoreOptions { FilePath = path });
        first.Enroll("Kept", vendor, UefiVariableAttributeBits.NonVolatile | UefiVariableAttributeBits.BootserviceAccess, [1, 2, 3]);
        var before = File.ReadAllBytes(path);

        // The new file is written and synced, then the process "dies" before the rename: the old file is whole.
        var faulty = EmulatedVariableStore.Open(new UefiVariableStoreOptions { FilePath = path, BeforeReplace = _ => throw new IOException("injected fault before rename") });
        Assert.Equal(Status.DeviceError, SendTo(faulty, UefiVariableFunctionCodes.SetVariable, Access("Lost", vendor, Nv | Bs, data: [9])));
        Assert.DoesNotContain(faulty.Variables, v => v.Name == "Lost");   // refused, EFI_DEVICE_ERROR, and not kept in memory
        Assert.Equal(before, File.ReadAllBytes(path));
        var reopened = EmulatedVariableStore.Open(new UefiVariableStoreOptions { FilePath = path });
        Assert.Equal([1, 2, 3], Assert.Single(reopened.Variables).Data);
    }

    [Fact]
    public void SetVariableThatCannotPersistIsDeviceError()
    {
        var path = Path.Combine(directory, "vars");
        var vendor = Guid.NewGuid();
        var faulty = EmulatedVariableStore.Open(new UefiVariableStoreOptions { FilePath = path, BeforeReplace = _ => throw new IOException("disk gone") });
        Assert.Equal(Status.DeviceError, SendTo(faulty, UefiVariableFunctionCodes.SetVariable, Access("V", vendor, Nv | Bs, data: [9])));
        Assert.Empty(faulty.Variables);
        Assert.False(File.Exists(path));

        // A volatile variable needs no file.
        Assert.Equal(Status.Success, SendTo(faulty, UefiVariableFunctionCodes.SetVariable, Access("V", vendor, Bs, data: [9])));
    }

    [Theory]
    [InlineData("empty", 0)]
    [InlineData("magic", 1)]
    [InlineData("truncated", 2)]
    [InlineData("flipped", 3)]
    public void CorruptStoreFileIsReportedWithItsPath(string what, int damage)
    {
        var path = Path.Combine(directory, what + ".vars");
        var good = EmulatedVariableStore.Open(new UefiVariableStoreOptions { FilePath = path });
        good.Enroll("A", Guid.NewGuid(), UefiVariableAttributeBits.NonVolatile | UefiVariableAttributeBits.BootserviceAccess, new byte[100]);
        good.Enroll("B", Guid.NewGuid(), UefiVariableAttributeBits.NonVolatile | UefiVariableAttributeBits.RuntimeAccess | UefiVariableAttributeBits.BootserviceAccess, new byte[7]);
        var bytes = File.ReadAllBytes(path);
        bytes = damage switch
        {
            0 => [],
            1 => [.. "NOTVARS!"u8, .. bytes.AsSpan(8)],
            2 => bytes[..(bytes.Length / 2)],
            _ => Flip(bytes, bytes.Length / 3),
        };
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => EmulatedVariableStore.Open(new UefiVariableStoreOptions { FilePath = path }));
        Assert.Contains(path, error.Message);
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        bytes[at] ^= 0x10;
        return bytes;
    }

    // The message sent to another store, served by a machine of its own.
    private static ulong SendTo(EmulatedVariableStore other, ulong function, byte[] payload)
    {
        using var test = new UefiMmEmulationTests(other);
        return test.Send(function, payload);
    }
}
