namespace Svsm.Runtime;

/// <summary>
/// A vCPU's calling area as the guest sees it: the 4 KiB page of <see cref="CallingArea"/> (Linux <c>struct svsm_ca</c>,
/// generated from specs/core.md) at <see cref="Gpa"/>, read and written through guest memory.
/// </summary>
public readonly record struct CallingAreaPage(IGuestMemory Memory, ulong Gpa)
{
    /// <summary>
    /// Where boot vCPU <paramref name="index"/>'s calling area is, by the convention this library's SVSM (the
    /// emulator, in process or as svsm-emu) and its transports share: page <c>1 + index</c>.
    /// </summary>
    public static ulong BootGpa(int index) => (ulong)(index + 1) * PrivateGuestMemory.PageSize;

    /// <summary>The GPA of <c>call_pending</c>.</summary>
    public ulong CallPendingGpa => Gpa + CallingArea.CallPendingOffset;

    /// <summary>The GPA of the 4088-byte buffer a call's request may use.</summary>
    public ulong BufferGpa => Gpa + CallingArea.BufferOffset;

    public byte CallPending
    {
        get => Memory.Read<byte>(CallPendingGpa);
        set => Memory.Write(CallPendingGpa, value);
    }

    public byte MemAvailable
    {
        get => Memory.Read<byte>(Gpa + CallingArea.MemAvailableOffset);
        set => Memory.Write(Gpa + CallingArea.MemAvailableOffset, value);
    }
}
