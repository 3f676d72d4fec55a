using System;
using System.Runtime.InteropServices;

namespace Svsm.Runtime.SevGuest;

/// <summary>
/// Where the guest requests go: the kernel's <c>/dev/sev-guest</c>, an emulated device, or a recording seam. The
/// argument is the <c>struct snp_guest_request_ioctl</c> (specs/sev-guest.md), whose <c>req_data</c> and
/// <c>resp_data</c> hold the addresses of pinned request and response buffers.
/// </summary>
public interface ISevGuestIoctl
{
    /// <summary>Issues <paramref name="request"/>; returns 0, or the errno the ioctl failed with.</summary>
    int Ioctl(uint request, ref SnpGuestRequestIoctl argument);
}

/// <summary>A guest request that failed: the errno, and the firmware and VMM errors split from <c>exitinfo2</c> as the kernel defines them.</summary>
public sealed class SevGuestException(string request, int errno, ulong exitInfo2)
    : Exception($"{request} failed with errno {errno}; firmware error 0x{exitInfo2 & SevGuestConstants.FwErrMask:X}, VMM error {exitInfo2 >> (int)SevGuestConstants.VmmErrShift}")
{
    public int Errno { get; } = errno;

    public uint FirmwareError { get; } = (uint)(exitInfo2 & SevGuestConstants.FwErrMask);

    public uint VmmError { get; } = (uint)(exitInfo2 >> (int)SevGuestConstants.VmmErrShift);
}

/// <summary>
/// The SEV-SNP guest requests of Linux's sev-guest driver, through the ioctls generated from specs/sev-guest.md:
/// attestation reports, derived keys and extended reports with the host's certificates.
/// </summary>
public sealed unsafe class SevGuestDevice(ISevGuestIoctl device)
{
    // MSG_REPORT_RSP and MSG_KEY_RSP (SEV-SNP firmware ABI): status, report size, then the data at 0x20.
    internal const int StatusOffset = 0;
    internal const int SizeOffset = 4;
    internal const int ReportResponseOffset = 0x20;

    private readonly ISevGuestIoctl device = device ?? throw new ArgumentNullException(nameof(device));

    /// <summary>A report with <paramref name="userData"/> (64 bytes) in <c>REPORT_DATA</c>, requested for <paramref name="vmpl"/>.</summary>
    public byte[] GetReport(ReadOnlySpan<byte> userData, uint vmpl)
    {
        var request = ReportRequest(userData, vmpl);
        var response = new byte[SnpReportResp.Size];
        Issue("SNP_GET_REPORT", SevGuestIoctls.SnpGetReport, ref request, response);
        return ReportFrom(response);
    }

    /// <summary>
    /// A report and the host's certificate table (the GHCB format: GUID, offset, length entries, then DER
    /// certificates). Starts with a buffer of <paramref name="certificatesLength"/> bytes, whole pages and at most
    /// 16 KiB as the driver requires, and grows it to what the kernel says it needs; 0 asks for no certificates.
    /// </summary>
    public (byte[] Report, byte[] Certificates) GetExtendedReport(ReadOnlySpan<byte> userData, uint vmpl, int certificatesLength = PrivateGuestMemory.PageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(certificatesLength);
        var certificates = new byte[certificatesLength];
        while (true)
        {
            var request = new SnpExtReportReq { Data = (ReportRequest(userData, vmpl)), CertsLen = (uint)certificates.Length };
            var response = new byte[SnpReportResp.Size];
            fixed (byte* certs = certificates)
            {
                request.CertsAddress = (ulong)certs;
                var (errno, exitInfo2) = Invoke(SevGuestIoctls.SnpGetExtReport, ref request, response);
                if (errno != 0 && exitInfo2 >> (int)SevGuestConstants.VmmErrShift == SevGuestConstants.VmmErrInvalidLen && request.CertsLen > certificates.Length)
                {
                    // The host's certificates need more room: the kernel said how much in certs_len.
                    certificates = new byte[request.CertsLen];
                    continue;
                }

                if (errno != 0)
                {
                    throw new SevGuestException("SNP_GET_EXT_REPORT", errno, exitInfo2);
                }
            }

            return (ReportFrom(response), certificates);
        }
    }

    /// <summary>A 32-byte key derived by the firmware from the root key and the guest fields <paramref name="request"/> selects.</summary>
    public byte[] GetDerivedKey(SnpDerivedKeyReq request)
    {
        var response = new byte[SnpDerivedKeyResp.Size];
        Issue("SNP_GET_DERIVED_KEY", SevGuestIoctls.SnpGetDerivedKey, ref request, response);
        CheckStatus(response, "SNP_GET_DERIVED_KEY");
        return response.AsSpan(ReportResponseOffset, 32).ToArray();
    }

    private static SnpReportReq ReportRequest(ReadOnlySpan<byte> userData, uint vmpl)
    {
        if (userData.Length != 64)
        {
            throw new ArgumentException("user data is 64 bytes", nameof(userData));
        }

        var request = new SnpReportReq { Vmpl = vmpl };
        userData.CopyTo(request.UserData);
        return request;
    }

    private void Issue<TRequest>(string name, uint code, ref TRequest request, byte[] response)
        where TRequest : unmanaged
    {
        var (errno, exitInfo2) = Invoke(code, ref request, response);
        if (errno != 0)
        {
            throw new SevGuestException(name, errno, exitInfo2);
        }
    }

    private (int Errno, ulong ExitInfo2) Invoke<TRequest>(uint code, ref TRequest request, byte[] response)
        where TRequest : unmanaged
    {
        fixed (TRequest* req = &request)
        fixed (byte* resp = response)
        {
            var argument = new SnpGuestRequestIoctl { MsgVersion = 1, ReqData = (ulong)req, RespData = (ulong)resp };
            var errno = device.Ioctl(code, ref argument);
            return (errno, argument.Exitinfo.Exitinfo2);
        }
    }

    private static byte[] ReportFrom(byte[] response)
    {
        CheckStatus(response, "SNP_GET_REPORT");
        var size = BitConverter.ToUInt32(response, SizeOffset);
        if (size > response.Length - ReportResponseOffset)
        {
            throw new InvalidOperationException($"the firmware's report size {size} does not fit its response");
        }

        return response.AsSpan(ReportResponseOffset, (int)size).ToArray();
    }

    private static void CheckStatus(byte[] response, string name)
    {
        var status = BitConverter.ToUInt32(response, StatusOffset);
        if (status != 0)
        {
            throw new SevGuestException(name, 0, status);
        }
    }
}

/// <summary>The kernel's <c>/dev/sev-guest</c>, through a <c>LibraryImport</c> of libc's <c>open</c> and <c>ioctl</c>.</summary>
public sealed partial class LinuxSevGuestIoctl : ISevGuestIoctl, IDisposable
{
    public const string DevicePath = "/dev/sev-guest";
    private readonly int fd;

    private LinuxSevGuestIoctl(int fd) => this.fd = fd;

    /// <summary>Opens the device; where it is absent, fails with one message naming the device, the errno and what is needed.</summary>
    public static LinuxSevGuestIoctl Open()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(DevicePath + " exists only in Linux SEV-SNP guests");
        }

        var fd = Libc.Open(DevicePath, Libc.ReadWrite);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new InvalidOperationException(
                $"{DevicePath} cannot be opened (errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)}); it needs an SEV-SNP guest whose kernel has the sev-guest driver (CONFIG_SEV_GUEST) and read-write access to the device");
        }

        return new LinuxSevGuestIoctl(fd);
    }

    public unsafe int Ioctl(uint request, ref SnpGuestRequestIoctl argument)
    {
        fixed (SnpGuestRequestIoctl* pointer = &argument)
        {
            return Libc.Ioctl(fd, request, pointer) < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
    }

    public void Dispose() => Libc.Close(fd);
}
