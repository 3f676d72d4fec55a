using System;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Svsm.Runtime.Attestation;

namespace Svsm.Runtime.SevGuest;

/// <summary>
/// The sev-guest driver and the firmware behind it, emulated: reports from <see cref="EmulatedSnpFirmware"/> with the
/// request's <c>user_data</c> in <c>REPORT_DATA</c>, keys derived from the fields a request selects, and extended
/// reports with the emulated certificate chain, answering a too-small certificate buffer as the kernel does
/// (<c>certs_len</c> set to the size needed, <c>SNP_GUEST_VMM_ERR_INVALID_LEN</c> in <c>exitinfo2</c>, EIO, as Linux's
/// sev-guest driver returns after it retried the request without certificates).
/// Reserved fields must be zero, as the firmware requires (its <c>INVALID_PARAM</c> status, 0x16, otherwise).
/// </summary>
public sealed unsafe class EmulatedSevGuestDevice(EmulatedSnpFirmware firmware, uint vmpl = 0) : ISevGuestIoctl
{
    public const int EInval = 22;
    public const int EIo = 5;
    public const uint FirmwareInvalidParam = 0x16;

    // The GHCB certificate table's GUIDs for the VCEK, ASK and ARK (GHCB specification, SNP extended guest request).
    private static readonly Guid VcekGuid = new("63da758d-e664-4564-adc5-f4b93be8accd");
    private static readonly Guid AskGuid = new("4ab7b379-bbac-4fe4-a02f-05aef327c782");
    private static readonly Guid ArkGuid = new("c0b406a4-a803-4952-9743-3fb6014cd0ae");

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
            BinaryPrimitives.WriteUInt32LittleEndian(output, FirmwareInvalidParam);
            return 0;
        }

        var report = firmware.CreateReport(request.UserData, request.Vmpl);
        BinaryPrimitives.WriteUInt32LittleEndian(output[4..], (uint)report.Length);
        report.CopyTo(output[0x20..]);
        return 0;
    }

    private int DerivedKey(SnpDerivedKeyReq request, byte* response)
    {
        var output = new Span<byte>(response, SnpDerivedKeyResp.Size);
        output.Clear();
        if (request.Reserved != 0 || request.RootKeySelect > 1 || request.Vmpl < vmpl || request.Vmpl > 3)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(output, FirmwareInvalidParam);
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

        HMACSHA256.HashData(rootKey, mix, output.Slice(0x20, 32));
        return 0;
    }

    private int ExtendedReport(ref SnpExtReportReq request, byte* response, ref SnpGuestRequestIoctl argument)
    {
        var table = CertificateTable();
        if (request.CertsLen < table.Length || request.CertsAddress == 0)
        {
            // As the kernel: the size needed in certs_len, the VMM's INVALID_LEN in exitinfo2, and EIO.
            request.CertsLen = (uint)table.Length;
            argument.Exitinfo.Exitinfo2 = (ulong)SevGuestConstants.VmmErrInvalidLen << (int)SevGuestConstants.VmmErrShift;
            return EIo;
        }

        var inner = request.Data;
        var status = Report(inner, response);
        table.CopyTo(new Span<byte>((void*)request.CertsAddress, (int)request.CertsLen));
        return status;
    }

    /// <summary>The GHCB certificate table: 24-byte entries (GUID, offset, length) ended by a zero entry, then the DER certificates.</summary>
    private byte[] CertificateTable()
    {
        var certificates = new[] { (VcekGuid, firmware.Vcek.RawData), (AskGuid, firmware.Ask.RawData), (ArkGuid, firmware.Ark.RawData) };
        var header = (certificates.Length + 1) * 24;
        var total = header;
        foreach (var (_, der) in certificates)
        {
            total += der.Length;
        }

        var table = new byte[(total + PrivateGuestMemory.PageSize - 1) / PrivateGuestMemory.PageSize * PrivateGuestMemory.PageSize];
        var offset = header;
        for (var i = 0; i < certificates.Length; i++)
        {
            var (guid, der) = certificates[i];
            guid.TryWriteBytes(table.AsSpan(i * 24, 16));
            BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan((i * 24) + 16), (uint)offset);
            BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan((i * 24) + 20), (uint)der.Length);
            der.CopyTo(table, offset);
            offset += der.Length;
        }

        return table;
    }
}
