using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Security.Cryptography;
using Svsm.Runtime;
using Svsm.Runtime.Attestation;
using Svsm.Runtime.SevGuest;

namespace Svsm.Emulator.Firmware;

/// <summary>
/// The sev-guest driver and the firmware behind it, emulated: reports from <see cref="EmulatedSnpFirmware"/> with the
/// request's <c>user_data</c> in <c>REPORT_DATA</c>, keys derived from the fields a request selects, and extended
/// reports with the host's certificates (the emulated chain unless <c>hostCertificates</c> says otherwise), taking the
/// certificate buffer as Linux's driver does: none asks for no certificates, one that is not whole pages or above
/// 16 KiB is EINVAL, and one too small gets <c>certs_len</c> set to the size needed, <c>SNP_GUEST_VMM_ERR_INVALID_LEN</c>
/// in <c>exitinfo2</c> and EIO, as the driver returns after it retried the request without certificates.
/// Reserved fields must be zero, as the firmware requires (its <c>INVALID_PARAM</c> status, 0x16, otherwise).
/// </summary>
public sealed unsafe class EmulatedSevGuestDevice(EmulatedSnpFirmware firmware, uint vmpl = 0, IReadOnlyList<(Guid Id, byte[] Der)>? hostCertificates = null) : ISevGuestIoctl
{
    public const int EInval = 22;
    public const int EIo = 5;
    public const uint FirmwareInvalidParam = 0x16;

    /// <summary>The largest certificate buffer the driver takes (<c>SEV_FW_BLOB_MAX_SIZE</c>, Linux <c>include/linux/psp-sev.h</c>).</summary>
    public const int CertificatesMaxLength = 0x4000;

    private readonly IReadOnlyList<(Guid Id, byte[] Der)> hostCertificates = hostCertificates ?? firmware.HostCertificates;
    private readonly byte[] rootKey = RandomNumberGenerator.GetBytes(32);

    public int Ioctl(uint request, ref SnpGuestRequestIoctl argument)
    {
        argument.Exitinfo = default;
        if (argument.MsgVersion == 0 || argument.ReqData == 0 || argument.RespData == 0)
        {
            return EInval;
        }

        switch (request)
        {
            case SevGuestIoctls.SnpGetReport:
                return Report(*(SnpReportReq*)argument.ReqData, (byte*)argument.RespData);
            case SevGuestIoctls.SnpGetDerivedKey:
                return DerivedKey(*(SnpDerivedKeyReq*)argument.ReqData, (byte*)argument.RespData);
            case SevGuestIoctls.SnpGetExtReport:
                return ExtendedReport(ref *(SnpExtReportReq*)argument.ReqData, (byte*)argument.RespData, ref argument);
            default:
                return 25; // ENOTTY: not an ioctl of this device
        }
    }

    private int Report(SnpReportReq request, byte* response)
    {
        var output = new Span<byte>(response, SnpReportResp.Size);
        output.Clear();
        if (((ReadOnlySpan<byte>)request.Reserved).IndexOfAnyExcept((byte)0) >= 0 || request.Vmpl < vmpl || request.Vmpl > 3)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(output[SevGuestDevice.StatusOffset..], FirmwareInvalidParam);
            return 0;
        }

        var report = firmware.CreateReport(request.UserData, request.Vmpl);
        BinaryPrimitives.WriteUInt32LittleEndian(output[SevGuestDevice.SizeOffset..], (uint)report.Length);
        report.CopyTo(output[SevGuestDevice.ReportResponseOffset..]);
        return 0;
    }

    private int DerivedKey(SnpDerivedKeyReq request, byte* response)
    {
        var output = new Span<byte>(response, SnpDerivedKeyResp.Size);
        output.Clear();
        if (request.Reserved != 0 || request.RootKeySelect > 1 || request.Vmpl < vmpl || request.Vmpl > 3)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(output[SevGuestDevice.StatusOffset..], FirmwareInvalidParam);
            return 0;
        }

        // The key mixes in exactly the fields the request selects, so changing an unselected field changes nothing.
        Span<byte> mix = stackalloc byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(mix, request.GuestFieldSelect);
        BinaryPrimitives.WriteUInt32LittleEndian(mix[8..], request.RootKeySelect);
        BinaryPrimitives.WriteUInt32LittleEndian(mix[12..], request.Vmpl);
        BinaryPrimitives.WriteUInt32LittleEndian(mix[16..], (request.GuestFieldSelect & (1UL << 4)) != 0 ? request.GuestSvn : 0);
        BinaryPrimitives.WriteUInt64LittleEndian(mix[20..], (request.GuestFieldSelect & (1UL << 5)) != 0 ? request.TcbVersion : 0);
        if ((request.GuestFieldSelect & (1UL << 3)) != 0)
        {
            mix[28] = 1;
            firmware.Identity.Measurement.AsSpan(0, 3).CopyTo(mix[29..]);
        }

        HMACSHA256.HashData(rootKey, mix, output.Slice(SevGuestDevice.ReportResponseOffset, 32));
        return 0;
    }

    // sev-guest.c get_ext_report: no buffer is a plain report; a buffer that is not whole pages or is above 16 KiB is
    // EINVAL; one too small for the host's table gets the size needed in certs_len, INVALID_LEN and EIO.
    private int ExtendedReport(ref SnpExtReportReq request, byte* response, ref SnpGuestRequestIoctl argument)
    {
        if (request.CertsLen == 0 || request.CertsAddress == 0)
        {
            return Report(request.Data, response);
        }

        if (request.CertsLen > CertificatesMaxLength || request.CertsLen % PrivateGuestMemory.PageSize != 0)
        {
            return EInval;
        }

        var needed = AttestationEvidence.CertificateTableSize(hostCertificates);
        if (needed > request.CertsLen)
        {
            request.CertsLen = (uint)((needed + PrivateGuestMemory.PageSize - 1) / PrivateGuestMemory.PageSize * PrivateGuestMemory.PageSize);
            argument.Exitinfo.Exitinfo2 = (ulong)SevGuestConstants.VmmErrInvalidLen << (int)SevGuestConstants.VmmErrShift;
            return EIo;
        }

        var status = Report(request.Data, response);
        AttestationEvidence.WriteCertificateTable(hostCertificates, (int)request.CertsLen).CopyTo(new Span<byte>((void*)request.CertsAddress, (int)request.CertsLen));
        return status;
    }
}
