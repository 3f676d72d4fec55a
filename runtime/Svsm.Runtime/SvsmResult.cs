using System;
using System.Globalization;

namespace Svsm.Runtime;

/// <summary>
/// The result code an SVSM call leaves in RAX. Codes from 0x80001000 mean different things per protocol; the
/// generic ones are named here (values from the SVSM specification and Linux <c>arch/x86/include/asm/sev.h</c>).
/// </summary>
public readonly record struct SvsmResult(uint Value)
{
    public const uint SuccessCode = 0;
    public const uint IncompleteCode = 0x8000_0000;
    public const uint UnsupportedProtocolCode = 0x8000_0001;
    public const uint UnsupportedCallCode = 0x8000_0002;
    public const uint InvalidAddressCode = 0x8000_0003;
    public const uint InvalidFormatCode = 0x8000_0004;
    public const uint InvalidParameterCode = 0x8000_0005;
    public const uint InvalidRequestCode = 0x8000_0006;
    public const uint BusyCode = 0x8000_0007;

    /// <summary>The first code whose meaning depends on the protocol.</summary>
    public const uint ProtocolBase = 0x8000_1000;

    public static SvsmResult Success => new(SuccessCode);

    public static SvsmResult UnsupportedProtocol => new(UnsupportedProtocolCode);

    public static SvsmResult UnsupportedCall => new(UnsupportedCallCode);

    public static SvsmResult InvalidAddress => new(InvalidAddressCode);

    public static SvsmResult InvalidParameter => new(InvalidParameterCode);

    public bool IsSuccess => Value == SuccessCode;

    public override string ToString() => Value switch
    {
        SuccessCode => "SVSM_SUCCESS",
        IncompleteCode => "SVSM_ERR_INCOMPLETE",
        UnsupportedProtocolCode => "SVSM_ERR_UNSUPPORTED_PROTOCOL",
        UnsupportedCallCode => "SVSM_ERR_UNSUPPORTED_CALL",
        InvalidAddressCode => "SVSM_ERR_INVALID_ADDRESS",
        InvalidFormatCode => "SVSM_ERR_INVALID_FORMAT",
        InvalidParameterCode => "SVSM_ERR_INVALID_PARAMETER",
        InvalidRequestCode => "SVSM_ERR_INVALID_REQUEST",
        BusyCode => "SVSM_ERR_BUSY",
        _ => "0x" + Value.ToString("X8", CultureInfo.InvariantCulture),
    };

    /// <summary>Throws <see cref="SvsmCallException"/> unless the call succeeded.</summary>
    public void ThrowIfFailed(string call)
    {
        if (!IsSuccess)
        {
            throw new SvsmCallException(call, this);
        }
    }
}

/// <summary>An SVSM call that returned an error code.</summary>
public sealed class SvsmCallException(string call, SvsmResult result)
    : Exception(call + " failed with " + result)
{
    public string Call { get; } = call;

    public SvsmResult Result { get; } = result;
}
