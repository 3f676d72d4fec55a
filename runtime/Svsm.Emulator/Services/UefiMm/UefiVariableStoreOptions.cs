namespace Svsm.Emulator.Services.UefiMm;

/// <summary>
/// The emulated variable store's limits and where it keeps its non-volatile variables. The defaults are OVMF's
/// X64 build with a 4 MiB flash (OvmfPkg/OvmfPkgX64.dsc, MdeModulePkg.dec, edk2 at c5aa7e7d).
/// </summary>
public sealed record UefiVariableStoreOptions
{
    /// <summary>
    /// The file non-volatile variables persist to, rewritten atomically on every change; null keeps them in memory
    /// only, as COCONUT-SVSM does (the manifest's persistent_nv_vars is then false).
    /// </summary>
    public string? FilePath { get; init; }

    /// <summary>The largest variable, its header, name and data together: OVMF's <c>PcdMaxVariableSize</c> 0x8400.</summary>
    public int MaxVariableSize { get; init; } = 0x8400;

    /// <summary>Bytes for non-volatile variables: OVMF's <c>PcdFlashNvStorageVariableSize</c> 0x40000.</summary>
    public long NonVolatileStorageSize { get; init; } = 0x40000;

    /// <summary>Bytes for volatile variables: MdeModulePkg's <c>PcdVariableStoreSize</c> 0x10000.</summary>
    public long VolatileStorageSize { get; init; } = 0x10000;

    /// <summary>
    /// Runs with the new store file's path after it is written and synced, before it replaces the old one: a seam for
    /// fault-injection tests. An exception from it fails the write as a disk error would (EFI_DEVICE_ERROR).
    /// </summary>
    public System.Action<string>? BeforeReplace { get; init; }
}
