namespace Svsm.Runtime.Uefi;

/// <summary>An <c>EFI_STATUS</c> as a variable message returns it (specs/uefi-variables.md), by name.</summary>
public static class EfiStatus
{
    /// <summary>Whether <paramref name="status"/> is an error: bit 63 set (<c>ENCODE_ERROR</c>, MdePkg's Base.h).</summary>
    public static bool IsError(ulong status) => (status >> 63) != 0;

    /// <summary>The name of <paramref name="status"/> ("EFI_NOT_FOUND"), or its value in hex when the spec does not name it.</summary>
    public static string Name(ulong status) => status switch
    {
        UefiVariableEfiStatusValues.Success => "EFI_SUCCESS",
        UefiVariableEfiStatusValues.InvalidParameter => "EFI_INVALID_PARAMETER",
        UefiVariableEfiStatusValues.Unsupported => "EFI_UNSUPPORTED",
        UefiVariableEfiStatusValues.BadBufferSize => "EFI_BAD_BUFFER_SIZE",
        UefiVariableEfiStatusValues.BufferTooSmall => "EFI_BUFFER_TOO_SMALL",
        UefiVariableEfiStatusValues.DeviceError => "EFI_DEVICE_ERROR",
        UefiVariableEfiStatusValues.WriteProtected => "EFI_WRITE_PROTECTED",
        UefiVariableEfiStatusValues.OutOfResources => "EFI_OUT_OF_RESOURCES",
        UefiVariableEfiStatusValues.NotFound => "EFI_NOT_FOUND",
        UefiVariableEfiStatusValues.AccessDenied => "EFI_ACCESS_DENIED",
        UefiVariableEfiStatusValues.SecurityViolation => "EFI_SECURITY_VIOLATION",
        _ => "0x" + status.ToString("X16", System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>A variable service that answered an EFI error, named with the variable it was asked about.</summary>
public sealed class UefiVariableException(string operation, ulong status, string? name = null)
    : System.Exception(operation + (name is null ? "" : " '" + name + "'") + ": " + EfiStatus.Name(status))
{
    /// <summary>The <c>EFI_STATUS</c> the store returned (<see cref="UefiVariableEfiStatusValues"/>).</summary>
    public ulong Status { get; } = status;

    /// <summary>The variable, when the call named one.</summary>
    public string? VariableName { get; } = name;
}
