using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Runtime;
using Svsm.Runtime.Attestation;
using Xunit;

namespace Svsm.Bindings.Tests;

/// <summary>The emulated firmware's reports verify under its own pinned root with the same verifier as real ones, and under no other.</summary>
public sealed class EmulatedSnpFirmwareTests
{
    [Fact]
    public void AnEmulatedReportCarriesTheRequestAndVerifiesUnderTheEmulatedArk()
    {
        using var firmware = new EmulatedSnpFirmware(new SnpGuestIdentity { Measurement = Enumerable.Range(1, 48).Select(i => (byte)i).ToArray() });
        var data = Enumerable.Range(0, 64).Select(i => (byte)(0xA0 ^ i)).ToArray();
        var bytes = firmware.CreateReport(data, vmpl: 2);

        var report = MemoryMarshal.Read<Svsm.Runtime.Attestation.AttestationReport>(bytes);
        Assert.Equal(data, ((ReadOnlySpan<byte>)report.ReportData).ToArray());
        Assert.Equal(2u, report.Vmpl);
        Assert.Equal(48, ((ReadOnlySpan<byte>)report.Measurement)[47]);
        Assert.Empty(report.Validate());

        var (key, result) = SnpTrustedSigningKey.Validate(firmware.Vcek, firmware.Ask, firmware.Ark);
        Assert.True(result.IsValid, result.Reason);
        using (key)
        {
            Assert.Equal(SnpVerification.Valid, key!.Verify(bytes));
            for (var bit = 0; bit < bytes.Length * 8; bit += 13)
            {
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.False(key.Verify(bytes).IsValid, "bit " + bit);
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            }
        }
    }

    [Fact]
    public void EmulatedKeysDoNotChainToAmdsRootNorToAnotherEmulator()
    {
        using var firmware = new EmulatedSnpFirmware();
        using var other = new EmulatedSnpFirmware();
        var amdArk = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "milan_ark.pem")));
        Assert.Equal(SnpVerificationFailure.ChainInvalid, SnpTrustedSigningKey.Validate(firmware.Vcek, firmware.Ask, amdArk).Result.Failure);
        Assert.Equal(SnpVerificationFailure.ChainInvalid, SnpTrustedSigningKey.Validate(firmware.Vcek, firmware.Ask, other.Ark).Result.Failure);
        Assert.Throws<ArgumentException>(() => firmware.CreateReport(new byte[63], 0));
    }
}
