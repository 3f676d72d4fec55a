using Svsm.Bindings.Tests.Generated;
using Svsm.Runtime;
using Xunit;

namespace Svsm.Bindings.Tests;

/// <summary>
/// TestSpecs/record-store.md, a protocol written the way COCONUT-SVSM writes its protocol documents (constants,
/// parameter lists, Rust structs and an enum), round-trips: the generated client calls through the generated
/// dispatcher to a handler that keeps records in guest memory's terms, and back.
/// </summary>
public sealed class RecordStoreTests
{
    private const ulong RecordGpa = 0x2000;
    private const ulong BufferGpa = 0x3000;

    [Fact]
    public void TheGeneratedTypesAreTheSpecsDeclarations()
    {
        Assert.Equal(0x52u, RecordStoreProtocol.Id);
        Assert.Equal(1u, RecordStoreProtocol.Version);
        Assert.Equal(new[] { "SVSM_RECORD_STORE_QUERY", "SVSM_RECORD_STORE_WRITE", "SVSM_RECORD_STORE_READ" }, RecordStoreProtocol.Calls.Select(c => c.Name));
        Assert.Equal(32, StoredRecord.Size);
        Assert.Equal(32, System.Runtime.CompilerServices.Unsafe.SizeOf<StoredRecord>());
        Assert.Equal(typeof(RecordKind), typeof(StoredRecord).GetField(nameof(StoredRecord.Kind))!.FieldType);
        Assert.Equal(typeof(byte), Enum.GetUnderlyingType(typeof(RecordKind)));
        Assert.Equal((1, 3), (StoredRecord.LengthOffset, StoredRecord.DataOffset));
        Assert.Equal(8, RecordStoreProtocol.Find(1)!.Registers.Single(r => r.Register == X86Register.Rcx).Alignment);
    }

    [Fact]
    public void RecordsRoundTripThroughClientDispatcherAndHandler()
    {
        var memory = new PrivateGuestMemory();
        memory.Map(0, 0x10000);
        var store = new Store();
        var client = new RecordStoreClient(new Dispatching(store, memory));

        var record = new StoredRecord { Kind = RecordKind.Text, Length = 5 };
        "hello"u8.CopyTo(record.Data);
        memory.Write(RecordGpa, record);
        var written = client.Write(recordAddress: RecordGpa, index: 7);
        Assert.Equal((SvsmResult.Success, 1u), (written.Result, written.RecordsStored));

        var query = client.Query();
        Assert.Equal((SvsmResult.Success, 1u, (ushort)29), (query.Result, query.RecordsStored, query.LargestRecordData));

        var read = client.Read(index: 7, bufferAddress: BufferGpa);
        Assert.Equal((SvsmResult.Success, RecordKind.Text), (read.Result, (RecordKind)read.Kind));
        var back = memory.Read<StoredRecord>(BufferGpa);
        Assert.Equal(5, back.Length);
        Assert.Equal("hello"u8.ToArray(), ((ReadOnlySpan<byte>)back.Data).Slice(0, 5).ToArray());

        // The protocol's own result code prints by the spec's name.
        var missing = client.Read(index: 8, bufferAddress: BufferGpa);
        Assert.Equal("RECORD_STORE_ERR_NO_RECORD (0x80001000)", missing.Result.ToString());

        // The client enforces the alignment the list says ("Must be 8-byte aligned") before any call is made.
        Assert.Throws<ArgumentException>(() => client.Write(recordAddress: RecordGpa + 4, index: 1));
    }

    private sealed class Store : IRecordStoreHandler
    {
        private readonly Dictionary<uint, StoredRecord> records = new();

        public RecordStoreQueryResult Query(SvsmCallContext context) => new(SvsmResult.Success, (uint)records.Count, (ushort)StoredRecord.Size - 3);

        public RecordStoreWriteResult Write(SvsmCallContext context, ulong recordAddress, uint index)
        {
            records[index] = context.Memory.Read<StoredRecord>(recordAddress);
            return new RecordStoreWriteResult(SvsmResult.Success, (uint)records.Count);
        }

        public RecordStoreReadResult Read(SvsmCallContext context, uint index, ulong bufferAddress)
        {
            if (!records.TryGetValue(index, out var record))
            {
                return new RecordStoreReadResult(RecordStoreResultCodes.RecordStoreErrNoRecord, 0);
            }

            context.Memory.Write(bufferAddress, record);
            return new RecordStoreReadResult(SvsmResult.Success, (byte)record.Kind);
        }
    }

    private sealed class Dispatching(IRecordStoreHandler handler, IGuestMemory memory) : ISvsmTransport
    {
        public void Call(ref SvsmRegisters registers) => RecordStoreDispatcher.Dispatch(handler, new SvsmCallContext(0, memory, 0), ref registers);
    }
}
