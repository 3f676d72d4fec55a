using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Svsm.Emulator.Services.Attestation;
using Svsm.Runtime.Attestation;
using Svsm.Runtime.Uefi;

namespace Svsm.Emulator.Services.UefiMm;

/// <summary>
/// The UEFI variable store the emulator's UEFI MM protocol serves, as edk2's variable driver keeps one: volatile and
/// non-volatile variables under NV, BS and RT attributes, the boot phases that change what the guest sees
/// (EndOfDxe, ExitBootServices), and with <see cref="UefiVariableStoreOptions.FilePath"/> the non-volatile variables
/// in a file that every acknowledged change is in before the guest hears of it. The host may read it and enrol
/// variables (a PK turns secure boot on in the manifest), as COCONUT-SVSM enrols its keys at start.
/// </summary>
public sealed class EmulatedVariableStore
{
    // What a stored variable's attributes may hold: EFI_VARIABLE_ATTRIBUTES_MASK less APPEND_WRITE, which is an operation.
    private const uint StoredAttributes = (uint)(UefiVariableAttributeBits.NonVolatile | UefiVariableAttributeBits.BootserviceAccess | UefiVariableAttributeBits.RuntimeAccess
        | UefiVariableAttributeBits.HardwareErrorRecord | UefiVariableAttributeBits.TimeBasedAuthenticatedWriteAccess);

    /// <summary>An <c>AUTHENTICATED_VARIABLE_HEADER</c> (VariableFormat.h), the format OVMF's store is in: what each variable costs beside its name and data.</summary>
    internal const int VariableHeaderSize = 60;

    // GetPayloadSize's addition to the largest variable: OFFSET_OF (SMM_VARIABLE_COMMUNICATE_VAR_CHECK_VARIABLE_PROPERTY, Name) (VariableSmm.c).
    private const int VarCheckPropertyNameOffset = 48;

    private readonly Dictionary<(Guid Vendor, string Name), Entry> byKey = new();
    private readonly List<Entry> order = new();
    private readonly HashSet<(Guid Vendor, string Name)> locked = new();
    private long nonVolatileUsed;
    private long volatileUsed;

    // RequestToLock takes a name of up to a payload each: a guest gets this many, then EFI_OUT_OF_RESOURCES.
    private const int MaxLocks = 1024;

    private EmulatedVariableStore(UefiVariableStoreOptions options)
    {
        Options = options;
        if (options.MaxVariableSize <= VariableHeaderSize || options.NonVolatileStorageSize <= 0 || options.VolatileStorageSize <= 0)
        {
            throw new ArgumentException("a variable store needs room for a variable header and some storage", nameof(options));
        }

        // GetPayloadSize promises a payload that one UEFI MM buffer (at most uefivars.rs's 256 KiB) carries after its headers.
        if (PayloadSize > (int)UefiMmService.BufferLimit - MmCoreHeader.Size - SmmVariableCommunicateHeader.DataOffset)
        {
            throw new ArgumentException($"a variable of {options.MaxVariableSize} bytes does not fit one UEFI MM buffer of {UefiMmService.BufferLimit} bytes", nameof(options));
        }

        Handler = new SmmVariableHandler(this);
    }

    public UefiVariableStoreOptions Options { get; }

    /// <summary>Whether non-volatile variables outlive the emulator (a store file).</summary>
    public bool IsPersistent => Options.FilePath is not null;

    /// <summary>After ExitBootServices: only runtime-access variables are seen, and volatile ones are read-only.</summary>
    public bool AtRuntime { get; internal set; }

    /// <summary>After EndOfDxe (or ReadyToBoot): no more variable locks can be asked for.</summary>
    public bool EndOfDxe { get; internal set; }

    /// <summary>What GetPayloadSize answers: the largest variable less its header, plus 48 bytes, as edk2 reckons it (OVMF: 33780).</summary>
    public int PayloadSize => Options.MaxVariableSize - (VariableHeaderSize - VarCheckPropertyNameOffset);

    /// <summary>The service manifest attestation reports for UEFI MM, as uefivars.rs makes it.</summary>
    public UefiMmManifest Manifest
    {
        get
        {
            lock (Gate)
            {
                return new(IsPersistent, byKey.ContainsKey((UefiGuids.GlobalVariable, "PK")), SecureBootDatabaseUpdate: false);
            }
        }
    }

    internal object Gate { get; } = new();

    internal SmmVariableHandler Handler { get; }

    /// <summary>
    /// A store with <paramref name="options"/>; with a file, the variables in it. A file that does not read whole
    /// throws <see cref="InvalidDataException"/> naming it, and no store is made from part of it.
    /// </summary>
    public static EmulatedVariableStore Open(UefiVariableStoreOptions? options = null)
    {
        var store = new EmulatedVariableStore(options ?? new UefiVariableStoreOptions());
        if (store.Options.FilePath is { } path)
        {
            foreach (var variable in VariableStoreFile.Load(path))
            {
                var entry = new Entry(variable.Name, variable.Vendor, (uint)variable.Attributes, variable.Data);
                if ((entry.Attributes & ~StoredAttributes) != 0 || !store.Fits(entry.Name, entry.Data.Length))
                {
                    throw new InvalidDataException($"the UEFI variable store {path} cannot be read: variable '{entry.Name}' has attributes 0x{entry.Attributes:X} or {entry.Data.Length} bytes this store cannot hold; move it away to start with an empty store");
                }

                store.Add(entry);
            }

            if (store.nonVolatileUsed > store.Options.NonVolatileStorageSize)
            {
                throw new InvalidDataException($"the UEFI variable store {path} cannot be read: its variables take {store.nonVolatileUsed} bytes, more than this store's {store.Options.NonVolatileStorageSize}; move it away to start with an empty store");
            }
        }

        return store;
    }

    /// <summary>The UEFI MM service for attestation to cover (pass it to <c>AddAttestation</c>).</summary>
    public AttestedService AsAttestedService() => new(SvsmAttestationGuids.UefiMm, SvsmAttestationGuids.NameOf(SvsmAttestationGuids.UefiMm), () => Manifest.ToBytes());

    /// <summary>Every variable, in the order GetNextVariableName walks them at boot time: volatile ones, then non-volatile ones.</summary>
    public IReadOnlyList<UefiVariable> Variables
    {
        get
        {
            lock (Gate)
            {
                return Walk(runtime: false).Select(e => new UefiVariable(e.Name, e.Vendor, (UefiVariableAttributeBits)e.Attributes, e.Data.ToArray())).ToList();
            }
        }
    }

    /// <summary>
    /// The host sets a variable as the SVSM does at start (COCONUT-SVSM enrols PK, KEK, db and dbx so): no attribute
    /// or phase checks, but the sizes hold and a non-volatile one is persisted before this returns.
    /// </summary>
    public void Enroll(string name, Guid vendor, UefiVariableAttributeBits attributes, ReadOnlySpan<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if ((attributes & (UefiVariableAttributeBits.BootserviceAccess | UefiVariableAttributeBits.RuntimeAccess)) == 0 || data.IsEmpty)
        {
            throw new ArgumentException("an enrolled variable has data and boot-service or runtime access", nameof(attributes));
        }

        lock (Gate)
        {
            byKey.TryGetValue((vendor, name), out var existing);
            var status = Write(existing, name, vendor, (uint)attributes & StoredAttributes, data.ToArray());
            if (status != UefiVariableEfiStatusValues.Success)
            {
                throw new UefiVariableException("Enroll", status, name);
            }
        }
    }

    /// <summary>Serves one SMM variable message (the bytes after the MM header) in place, as edk2's <c>SmmVariableHandler</c>.</summary>
    internal void Handle(Span<byte> message)
    {
        lock (Gate)
        {
            Handler.Handle(message);
        }
    }

    internal Entry? Find(Guid vendor, string name, bool honourRuntime)
    {
        if (!byKey.TryGetValue((vendor, name), out var entry))
        {
            return null;
        }

        return honourRuntime && AtRuntime && !entry.Has(UefiVariableAttributeBits.RuntimeAccess) ? null : entry;
    }

    // edk2 walks the volatile store, then the non-volatile one (VariableParsing.c); at runtime only RT variables.
    internal IEnumerable<Entry> Walk(bool runtime)
    {
        foreach (var nonVolatile in new[] { false, true })
        {
            foreach (var entry in order)
            {
                if (entry.Has(UefiVariableAttributeBits.NonVolatile) == nonVolatile && (!runtime || entry.Has(UefiVariableAttributeBits.RuntimeAccess)))
                {
                    yield return entry;
                }
            }
        }
    }

    internal bool IsLocked(Guid vendor, string name) => locked.Contains((vendor, name));

    internal bool Lock(Guid vendor, string name)
    {
        if (locked.Count >= MaxLocks && !locked.Contains((vendor, name)))
        {
            return false;
        }

        locked.Add((vendor, name));
        return true;
    }

    /// <summary>Whether a variable of this name and data fits the largest variable, its header included (Variable.c:2743-2822).</summary>
    internal bool Fits(string name, long dataLength) => (long)Ucs2.Size(name) + dataLength <= Options.MaxVariableSize - VariableHeaderSize;

    internal (long Maximum, long Used) Storage(bool nonVolatile) =>
        nonVolatile ? (Options.NonVolatileStorageSize, nonVolatileUsed) : (Options.VolatileStorageSize, volatileUsed);

    /// <summary>
    /// Creates or replaces a variable: EFI_OUT_OF_RESOURCES when its store has no room, EFI_DEVICE_ERROR when a
    /// non-volatile change cannot be persisted (the store is then as it was).
    /// </summary>
    internal ulong Write(Entry? existing, string name, Guid vendor, uint attributes, byte[] data)
    {
        // An append can grow a variable past the largest: UpdateVariable refuses it (Variable.c).
        if (!Fits(name, data.Length))
        {
            return UefiVariableEfiStatusValues.InvalidParameter;
        }

        var replacement = new Entry(name, vendor, attributes, data);
        var nonVolatile = replacement.Has(UefiVariableAttributeBits.NonVolatile);
        var (maximum, used) = Storage(nonVolatile);
        var freed = existing is not null && existing.Has(UefiVariableAttributeBits.NonVolatile) == nonVolatile ? existing.Cost : 0;
        if (used - freed + replacement.Cost > maximum)
        {
            return UefiVariableEfiStatusValues.OutOfResources;
        }

        var index = existing is null ? -1 : order.IndexOf(existing);
        if (existing is not null)
        {
            Remove(existing);
        }

        Add(replacement, index);
        if (nonVolatile || existing?.Has(UefiVariableAttributeBits.NonVolatile) == true)
        {
            if (!Persist())
            {
                Remove(replacement);
                if (existing is not null)
                {
                    Add(existing, index);
                }

                return UefiVariableEfiStatusValues.DeviceError;
            }
        }

        return UefiVariableEfiStatusValues.Success;
    }

    /// <summary>Deletes a variable; EFI_DEVICE_ERROR when a non-volatile one cannot be deleted from the file (it is then kept).</summary>
    internal ulong Delete(Entry existing)
    {
        var index = order.IndexOf(existing);
        Remove(existing);
        if (existing.Has(UefiVariableAttributeBits.NonVolatile) && !Persist())
        {
            Add(existing, index);
            return UefiVariableEfiStatusValues.DeviceError;
        }

        return UefiVariableEfiStatusValues.Success;
    }

    private bool Persist()
    {
        if (Options.FilePath is not { } path)
        {
            return true;
        }

        try
        {
            var nonVolatile = order.Where(e => e.Has(UefiVariableAttributeBits.NonVolatile))
                .Select(e => new UefiVariable(e.Name, e.Vendor, (UefiVariableAttributeBits)e.Attributes, e.Data)).ToList();
            VariableStoreFile.Save(path, nonVolatile, Options.BeforeReplace);
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Whatever the disk or the path did, the guest hears EFI_DEVICE_ERROR: a call never throws out of the SVSM.
            return false;
        }
    }

    private void Add(Entry entry, int index = -1)
    {
        byKey.Add((entry.Vendor, entry.Name), entry);
        if (index < 0 || index > order.Count)
        {
            order.Add(entry);
        }
        else
        {
            order.Insert(index, entry);
        }

        Account(entry, +1);
    }

    private void Remove(Entry entry)
    {
        byKey.Remove((entry.Vendor, entry.Name));
        order.Remove(entry);
        Account(entry, -1);
    }

    private void Account(Entry entry, int sign)
    {
        if (entry.Has(UefiVariableAttributeBits.NonVolatile))
        {
            nonVolatileUsed += sign * entry.Cost;
        }
        else
        {
            volatileUsed += sign * entry.Cost;
        }
    }

    /// <summary>One variable as the store holds it.</summary>
    internal sealed class Entry(string name, Guid vendor, uint attributes, byte[] data)
    {
        public string Name { get; } = name;

        public Guid Vendor { get; } = vendor;

        public uint Attributes { get; } = attributes;

        public byte[] Data { get; } = data;

        /// <summary>
        /// The storage it takes: header, name with its NUL and data, rounded up to 4 bytes as edk2's HEADER_ALIGN does
        /// (name and data take no padding of their own on X64: VariableFormat.h's ALIGNMENT is 1 there).
        /// </summary>
        public long Cost => (VariableHeaderSize + (long)Ucs2.Size(Name) + Data.Length + 3) & ~3L;

        public bool Has(UefiVariableAttributeBits attribute) => (Attributes & (uint)attribute) != 0;
    }
}
