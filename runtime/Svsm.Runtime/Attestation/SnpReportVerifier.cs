using System;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Svsm.Runtime.Attestation;

/// <summary>Why a report or a certificate chain did not verify; <see cref="None"/> when it did.</summary>
public enum SnpVerificationFailure
{
    None,
    WrongLength,
    UnsupportedSignatureAlgorithm,
    ReservedBytesSet,
    BadSignature,
    NotAnEcdsaP384Key,
    ChainInvalid,
    RootNotPinned,
    CertificateMissing,
    ReportDataMismatch,
}

/// <summary>The outcome of a verification: success, or the failure and a sentence saying what was wrong.</summary>
public readonly record struct SnpVerification(SnpVerificationFailure Failure, string Reason)
{
    public bool IsValid => Failure == SnpVerificationFailure.None;

    public static SnpVerification Valid { get; } = new(SnpVerificationFailure.None, "valid");
}

/// <summary>
/// A VCEK (or VLEK) whose certificate chain to a pinned AMD root has been checked: it verifies reports. Build one
/// with <see cref="Validate"/>, once per chip and TCB, then verify as many reports as needed.
/// </summary>
public sealed class SnpTrustedSigningKey : IDisposable
{
    /// <summary>The bytes the firmware signs: the report up to its signature.</summary>
    public const int SignedLength = AttestationReport.SignatureOffset;

    private readonly ECDsa key;

    private SnpTrustedSigningKey(ECDsa key, X509Certificate2 certificate)
    {
        this.key = key;
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// Checks that <paramref name="vcek"/> chains through <paramref name="ask"/> to <paramref name="pinnedArk"/>, and
    /// that the chain's root is exactly the pinned certificate (not merely one with its name), then returns the key.
    /// </summary>
    public static (SnpTrustedSigningKey? Key, SnpVerification Result) Validate(X509Certificate2 vcek, X509Certificate2 ask, X509Certificate2 pinnedArk)
    {
        ArgumentNullException.ThrowIfNull(vcek);
        ArgumentNullException.ThrowIfNull(ask);
        ArgumentNullException.ThrowIfNull(pinnedArk);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(pinnedArk);
        chain.ChainPolicy.ExtraStore.Add(ask);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        // AMD's KDS certificates carry no usages for a general-purpose chain builder to check, and the chain is
        // judged at the report's time by its TCB, not by the wall clock.
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreWrongUsage;
        if (!chain.Build(vcek))
        {
            var status = chain.ChainStatus.Length > 0 ? chain.ChainStatus[0].StatusInformation.Trim() : "unknown";
            return (null, new(SnpVerificationFailure.ChainInvalid, "the VCEK does not chain to the pinned ARK through the ASK: " + status));
        }

        var root = chain.ChainElements[^1].Certificate;
        if (!root.RawDataMemory.Span.SequenceEqual(pinnedArk.RawDataMemory.Span) || chain.ChainElements.Count != 3)
        {
            return (null, new(SnpVerificationFailure.RootNotPinned, "the chain does not end at the pinned ARK: " + root.Subject));
        }

        var key = vcek.GetECDsaPublicKey();
        if (key is null || key.KeySize != 384)
        {
            key?.Dispose();
            return (null, new(SnpVerificationFailure.NotAnEcdsaP384Key, "the VCEK's key is not ECDSA P-384"));
        }

        return (new SnpTrustedSigningKey(key, vcek), SnpVerification.Valid);
    }

    /// <summary>
    /// Verifies <paramref name="report"/> (1184 bytes): signature algorithm 1, reserved bytes zero, and the ECDSA
    /// P-384/SHA-384 signature over bytes 0x000-0x29F, whose R and S the firmware stores little-endian in 72 bytes.
    /// </summary>
    public SnpVerification Verify(ReadOnlySpan<byte> report)
    {
        if (report.Length != AttestationReport.Size)
        {
            return new(SnpVerificationFailure.WrongLength, $"a report is {AttestationReport.Size} bytes, not {report.Length}");
        }

        var parsed = MemoryMarshal.Read<AttestationReport>(report);
        if (parsed.SignatureAlgo != 1)
        {
            return new(SnpVerificationFailure.UnsupportedSignatureAlgorithm, $"signature algorithm {parsed.SignatureAlgo} is not ECDSA P-384 with SHA-384 (1)");
        }

        var signature = MemoryMarshal.Read<Signature>(report[SignedLength..]);
        var problems = parsed.Validate();
        if (problems.Count > 0 || signature.Validate().Count > 0)
        {
            return new(SnpVerificationFailure.ReservedBytesSet, problems.Count > 0 ? problems[0] : "the signature's reserved bytes are not zero");
        }

        Span<byte> p1363 = stackalloc byte[96];
        if (!signature.TryToP1363(p1363))
        {
            return new(SnpVerificationFailure.BadSignature, "R or S is wider than 384 bits");
        }

        return key.VerifyData(report[..SignedLength], p1363, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? SnpVerification.Valid
            : new(SnpVerificationFailure.BadSignature, "the signature does not verify with the VCEK");
    }

    public void Dispose() => key.Dispose();
}
