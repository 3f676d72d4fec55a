using System.Buffers.Binary;
using System.Security.Cryptography;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Runtime.Attestation;
using Svsm.Runtime.SevGuest;
using Xunit;

namespace Svsm.Bindings.Tests;

/// <summary>
/// SevGuestDevice over the emulated device, and over a recording seam whose request codes and argument bytes are
/// checked against the figures gcc gives for linux/sev-guest.h (see GccLayoutTests).
/// </summary>
public sealed class SevGuestDeviceTests
{
    private sealed class Recorder(ISevGuestIoctl inner) : ISevGuestIoctl
    {
        public List<(uint Request, byte[] Argument)> Calls { get; } = new();

        public int Ioctl(uint request, ref SnpGuestRequestIoctl argument)
        {
            Calls.Add((request, System.Runtime.InteropServices.MemoryMarshal.AsBytes(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref argument, 1)).ToArray()));
            return inner.Ioctl(request, ref argument);
        }
    }

    private static readonly byte[] UserData = Enumerable.Range(0, 64).Select(i => (byte)(i * 3)).ToArray();

    [Fact]
    public void AReportCarriesTheUserDataAndVerifiesUnderTheEmulatedChain()
    {
        using var firmware = new EmulatedSnpFirmware();
        var recorder = new Recorder(new EmulatedSevGuestDevice(firmware));
        var report = new SevGuestDevice(recorder).GetReport(UserData, vmpl: 0);

        Assert.Equal(UserData, report.AsSpan(0x50, 64).ToArray());
        var (key, chain) = SnpTrustedSigningKey.Validate(firmware.Vcek, firmware.Ask, firmware.Ark);
        Assert.True(chain.IsValid, chain.Reason);
        Assert.True(key!.Verify(report).IsValid);

        // The ioctl as gcc computes it, and the 32-byte argument: msg_version 1 at 0, two pointers at 8 and 16.
        var (request, argument) = Assert.Single(recorder.Calls);
        Assert.Equal(0xC020_5300u, request);
        Assert.Equal(32, argument.Length);
        Assert.Equal(1, argument[0]);
        Assert.All(argument.AsSpan(1, 7).ToArray(), b => Assert.Equal(0, b));
        Assert.NotEqual(0UL, BinaryPrimitives.ReadUInt64LittleEndian(argument.AsSpan(8)));
        Assert.NotEqual(0UL, BinaryPrimitives.ReadUInt64LittleEndian(argument.AsSpan(16)));
    }

    [Fact]
    public void ReservedBytesAndLowerVmplsAreRefusedWithTheFirmwaresStatus()
    {
        using var firmware = new EmulatedSnpFirmware();
        var device = new SevGuestDevice(new EmulatedSevGuestDevice(firmware, vmpl: 1));
        var refused = Assert.Throws<SevGuestException>(() => device.GetReport(UserData, vmpl: 0));
        Assert.Equal(EmulatedSevGuestDevice.FirmwareInvalidParam, refused.FirmwareError);
        Assert.Equal(1, device.GetReport(UserData, vmpl: 1)[0x30]);
    }

    [Fact]
    public void DerivedKeysDependOnTheSelectedFieldsOnly()
    {
        using var firmware = new EmulatedSnpFirmware();
        var device = new SevGuestDevice(new EmulatedSevGuestDevice(firmware));
        var svnSelected = new SnpDerivedKeyReq { GuestFieldSelect = 1 << 4, GuestSvn = 1 };
        var a = device.GetDerivedKey(svnSelected);
        Assert.Equal(a, device.GetDerivedKey(svnSelected));
        Assert.NotEqual(a, device.GetDerivedKey(svnSelected with { GuestSvn = 2 }));
        var unselected = new SnpDerivedKeyReq { GuestFieldSelect = 0, GuestSvn = 1 };
        Assert.Equal(device.GetDerivedKey(unselected), device.GetDerivedKey(unselected with { GuestSvn = 7 }));
        Assert.Throws<SevGuestException>(() => device.GetDerivedKey(new SnpDerivedKeyReq { Reserved = 1 }));
    }

    [Fact]
    public void ATooSmallCertificateBufferGetsTheSizeNeededAndTheClientRetries()
    {
        // A host that also hands out a CRL: the table no longer fits the first page.
        using var firmware = new EmulatedSnpFirmware();
        var crl = (new Guid("92f81bc3-5811-4d3d-97ff-d19f88dc67ea"), RandomNumberGenerator.GetBytes(6000));
        var recorder = new Recorder(new EmulatedSevGuestDevice(firmware, hostCertificates: [.. firmware.HostCertificates, crl]));
        var (report, certificates) = new SevGuestDevice(recorder).GetExtendedReport(UserData, vmpl: 0);

        Assert.Equal(2, recorder.Calls.Count);
        Assert.All(recorder.Calls, c => Assert.Equal(0xC020_5302u, c.Request));
        Assert.Equal(1184, report.Length);
        Assert.Equal(3 * 4096, certificates.Length);
        var vcekOffset = BinaryPrimitives.ReadUInt32LittleEndian(certificates.AsSpan(16));
        var vcekLength = BinaryPrimitives.ReadUInt32LittleEndian(certificates.AsSpan(20));

        // GUIDs in string byte order, as the host writes them and Linux's snp_msg_cert_entry reads them.
        Assert.Equal(new Guid("63da758d-e664-4564-adc5-f4b93be8accd"), new Guid(certificates.AsSpan(0, 16), bigEndian: true));
        Assert.Equal(firmware.Vcek.RawData, certificates.AsSpan((int)vcekOffset, (int)vcekLength).ToArray());
        Assert.All(certificates.AsSpan(96, 24).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void NoCertificateBufferIsAPlainReportAndABufferNotInWholePagesIsRefused()
    {
        using var firmware = new EmulatedSnpFirmware();
        var recorder = new Recorder(new EmulatedSevGuestDevice(firmware));
        var (report, certificates) = new SevGuestDevice(recorder).GetExtendedReport(UserData, vmpl: 0, certificatesLength: 0);
        Assert.Single(recorder.Calls);
        Assert.Equal(1184, report.Length);
        Assert.Empty(certificates);

        Assert.Equal(EmulatedSevGuestDevice.EInval, Assert.Throws<SevGuestException>(() => new SevGuestDevice(recorder).GetExtendedReport(UserData, vmpl: 0, certificatesLength: 1000)).Errno);
        Assert.Equal(EmulatedSevGuestDevice.EInval, Assert.Throws<SevGuestException>(() => new SevGuestDevice(recorder).GetExtendedReport(UserData, vmpl: 0, certificatesLength: 5 * 4096)).Errno);
    }

    [Fact]
    public void WithoutTheDeviceOpeningFailsWithOneClearMessage()
    {
        Assert.SkipWhen(File.Exists(LinuxSevGuestIoctl.DevicePath), "this machine is an SEV-SNP guest");
        var failure = Assert.Throws<InvalidOperationException>(() => LinuxSevGuestIoctl.Open());
        Assert.Contains("/dev/sev-guest cannot be opened (errno 2", failure.Message);
        Assert.Contains("CONFIG_SEV_GUEST", failure.Message);
    }
}
