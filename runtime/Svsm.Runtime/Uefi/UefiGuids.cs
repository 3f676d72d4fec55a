using System;

namespace Svsm.Runtime.Uefi;

/// <summary>
/// GUIDs a UEFI MM buffer is routed by, and the vendor GUID of the UEFI spec's own variables. <see cref="Guid"/>'s
/// <c>ToByteArray</c> and <c>TryWriteBytes</c> give EFI's byte order (Data1 to Data3 little-endian), which is how
/// they are on the wire.
/// </summary>
public static class UefiGuids
{
    /// <summary>edk2's <c>gEfiSmmVariableProtocolGuid</c> (MdeModulePkg.dec): the receiver of every variable message.</summary>
    public static readonly Guid SmmVariableProtocol = new("ed32d533-99e6-4209-9cc0-2d72cdd998a7");

    /// <summary><c>gEfiEndOfDxeEventGroupGuid</c> (MdePkg.dec): OVMF forwards the event as a 1-byte message.</summary>
    public static readonly Guid EndOfDxeEvent = new("02ce967a-dd7e-4ffc-9ee7-810cf0470880");

    /// <summary><c>gEfiEventExitBootServicesGuid</c> (MdePkg.dec), forwarded as the EndOfDxe event is.</summary>
    public static readonly Guid ExitBootServicesEvent = new("27abf055-b1b8-4c26-8048-748f37baa2df");

    /// <summary><c>gEfiEventReadyToBootGuid</c> (MdePkg.dec), forwarded as the EndOfDxe event is.</summary>
    public static readonly Guid ReadyToBootEvent = new("7ce88fb3-4bd7-4679-87a8-a8d8dee50d2b");

    /// <summary><c>EFI_GLOBAL_VARIABLE</c>: the vendor of the variables the UEFI spec defines (BootOrder, PK, ...).</summary>
    public static readonly Guid GlobalVariable = new("8be4df61-93ca-11d2-aa0d-00e098032b8c");
}
