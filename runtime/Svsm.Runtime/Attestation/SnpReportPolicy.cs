using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;

namespace Svsm.Runtime.Attestation;

/// <summary>
/// What a relying party expects of a verified report, as go-sev-guest's <c>validate.Options</c> has it: exact
/// values (any of several measurements), minimums (TCB per part, firmware build and version, guest SVN), the VMPL,
/// and what the guest policy may allow. A property left null is not checked. <see cref="Check"/> names the first
/// field that differs, with the expected and the actual value.
/// </summary>
public sealed record SnpReportPolicy
{
    /// <summary>The launch measurements accepted (48 bytes each); any one of them.</summary>
    public IReadOnlyList<byte[]>? Measurements { get; init; }

    public byte[]? HostData { get; init; }

    public byte[]? ReportData { get; init; }

    public byte[]? FamilyId { get; init; }

    public byte[]? ImageId { get; init; }

    public byte[]? IdKeyDigest { get; init; }

    public byte[]? AuthorKeyDigest { get; init; }

    /// <summary>The lowest REPORTED_TCB accepted, per part (the FMC only where the product has one).</summary>
    public SnpTcb? MinimumTcb { get; init; }

    /// <summary>The lowest LAUNCH_TCB accepted, per part.</summary>
    public SnpTcb? MinimumLaunchTcb { get; init; }

    /// <summary>The lowest CURRENT_BUILD accepted.</summary>
    public byte? MinimumBuild { get; init; }

    /// <summary>The lowest CURRENT_MAJOR.CURRENT_MINOR accepted.</summary>
    public Version? MinimumFirmware { get; init; }

    public uint? MinimumGuestSvn { get; init; }

    /// <summary>The VMPL the report must be for.</summary>
    public uint? Vmpl { get; init; }

    /// <summary>Whether the guest policy may allow debugging (<c>false</c>, the default, refuses a debuggable guest).</summary>
    public bool AllowDebug { get; init; }

    /// <summary>Whether the guest policy may allow SMT; null does not check it.</summary>
    public bool? AllowSmt { get; init; }

    /// <summary>Whether the guest policy may allow a migration agent.</summary>
    public bool AllowMigrationAgent { get; init; } = true;

    /// <summary>The lowest ABI version the guest policy may demand at least; null does not check it.</summary>
    public Version? MinimumAbi { get; init; }

    /// <summary>Checks <paramref name="reportBytes"/> (a report whose signature was verified) against the expectations; the product picks the TCB layout.</summary>
    public SnpVerification Check(ReadOnlySpan<byte> reportBytes, SnpProduct product)
    {
        if (reportBytes.Length != AttestationReport.Size)
        {
            return new(SnpVerificationFailure.WrongLength, $"a report is {AttestationReport.Size} bytes, not {reportBytes.Length}");
        }

        var report = MemoryMarshal.Read<AttestationReport>(reportBytes);
        if (Measurements is { Count: > 0 } measurements && !measurements.Any(m => ((ReadOnlySpan<byte>)report.Measurement).SequenceEqual(m)))
        {
            return new(SnpVerificationFailure.MeasurementMismatch, $"MEASUREMENT is {Hex(report.Measurement)}, expected {string.Join(" or ", measurements.Select(m => Convert.ToHexString(m)))}");
        }

        var exact = Exact(SnpVerificationFailure.HostDataMismatch, "HOST_DATA", HostData, report.HostData)
            ?? Exact(SnpVerificationFailure.ReportDataMismatch, "REPORT_DATA", ReportData, report.ReportData)
            ?? Exact(SnpVerificationFailure.FamilyIdMismatch, "FAMILY_ID", FamilyId, report.FamilyId)
            ?? Exact(SnpVerificationFailure.ImageIdMismatch, "IMAGE_ID", ImageId, report.ImageId)
            ?? Exact(SnpVerificationFailure.IdKeyDigestMismatch, "ID_KEY_DIGEST", IdKeyDigest, report.IdKeyDigest)
            ?? Exact(SnpVerificationFailure.AuthorKeyDigestMismatch, "AUTHOR_KEY_DIGEST", AuthorKeyDigest, report.AuthorKeyDigest);
        if (exact is { } mismatch)
        {
            return mismatch;
        }

        if (MinimumTcb is { } minimum && SnpTcb.Read(report.ReportedTcb, product) is var reported && !reported.AtLeast(minimum))
        {
            return new(SnpVerificationFailure.TcbTooOld, $"REPORTED_TCB is {reported}, below the minimum {minimum}");
        }

        if (MinimumLaunchTcb is { } launchMinimum && SnpTcb.Read(report.LaunchTcb, product) is var launch && !launch.AtLeast(launchMinimum))
        {
            return new(SnpVerificationFailure.TcbTooOld, $"LAUNCH_TCB is {launch}, below the minimum {launchMinimum}");
        }

        var firmware = new Version(report.CurrentMajor, report.CurrentMinor);
        if (MinimumFirmware is { } minimumFirmware && firmware < minimumFirmware)
        {
            return new(SnpVerificationFailure.FirmwareTooOld, $"the firmware is {firmware}, below the minimum {minimumFirmware}");
        }

        if (MinimumBuild is { } build && report.CurrentBuild < build)
        {
            return new(SnpVerificationFailure.FirmwareTooOld, $"CURRENT_BUILD is {report.CurrentBuild}, below the minimum {build}");
        }

        if (MinimumGuestSvn is { } svn && report.GuestSvn < svn)
        {
            return new(SnpVerificationFailure.FirmwareTooOld, $"GUEST_SVN is {report.GuestSvn}, below the minimum {svn}");
        }

        if (Vmpl is { } vmpl && report.Vmpl != vmpl)
        {
            return new(SnpVerificationFailure.VmplMismatch, $"VMPL is {report.Vmpl}, expected {vmpl}");
        }

        var policy = report.Policy;
        if (!AllowDebug && (policy & AttestationReportPolicy.Debug) != 0)
        {
            return new(SnpVerificationFailure.PolicyNotAllowed, "the guest policy allows debugging (bit 19), which is not allowed");
        }

        if (AllowSmt == false && (policy & AttestationReportPolicy.Smt) != 0)
        {
            return new(SnpVerificationFailure.PolicyNotAllowed, "the guest policy allows SMT (bit 16), which is not allowed");
        }

        if (!AllowMigrationAgent && (policy & AttestationReportPolicy.MigrateMa) != 0)
        {
            return new(SnpVerificationFailure.PolicyNotAllowed, "the guest policy allows a migration agent (bit 18), which is not allowed");
        }

        var abi = new Version((int)policy.GetAbiMajor(), (int)policy.GetAbiMinor());
        if (MinimumAbi is { } minimumAbi && abi < minimumAbi)
        {
            return new(SnpVerificationFailure.PolicyNotAllowed, $"the guest policy accepts ABI {abi}, below the minimum {minimumAbi}");
        }

        return SnpVerification.Valid with { Product = product };
    }

    private static SnpVerification? Exact(SnpVerificationFailure failure, string field, byte[]? expected, ReadOnlySpan<byte> actual) =>
        expected is null || actual.SequenceEqual(expected) ? null : new(failure, $"{field} is {Convert.ToHexString(actual)}, expected {Convert.ToHexString(expected)}");

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
