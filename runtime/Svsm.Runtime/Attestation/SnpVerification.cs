using System;
using System.Collections.Generic;

namespace Svsm.Runtime.Attestation;

/// <summary>Why a report, its certificates or its expected values did not verify; <see cref="None"/> when they did.</summary>
public enum SnpVerificationFailure
{
    None,
    WrongLength,
    UnsupportedVersion,
    UnsupportedSignatureAlgorithm,
    ReservedBytesSet,
    ReportUnsigned,
    BadSignature,
    NotAnEcdsaP384Key,
    CertificateMalformed,
    ChainInvalid,
    RootNotPinned,
    CertificateRevoked,
    CertificateMissing,
    UnknownProduct,
    ProductMismatch,
    SigningKeyMismatch,
    TcbMismatch,
    HwIdMismatch,
    ReportDataMismatch,
    MeasurementMismatch,
    HostDataMismatch,
    FamilyIdMismatch,
    ImageIdMismatch,
    IdKeyDigestMismatch,
    AuthorKeyDigestMismatch,
    TcbTooOld,
    FirmwareTooOld,
    VmplMismatch,
    PolicyNotAllowed,
}

/// <summary>
/// The outcome of a verification: success, or the failure and a sentence that names the field with both values.
/// A valid result also says what was learnt on the way: the product, whether the chip id was masked, and warnings
/// (reserved platform-info bits, a report version newer than this verifier knows).
/// </summary>
public readonly record struct SnpVerification(SnpVerificationFailure Failure, string Reason)
{
    public bool IsValid => Failure == SnpVerificationFailure.None;

    public static SnpVerification Valid { get; } = new(SnpVerificationFailure.None, "valid");

    /// <summary>The product the report was judged as, where it got that far.</summary>
    public SnpProduct? Product { get; init; }

    /// <summary>The report's chip id is zero (MASK_CHIP_ID): the VCEK's HWID was not compared with it.</summary>
    public bool ChipIdMasked { get; init; }

    /// <summary>What is odd but not wrong: set platform-info bits no library defines, reserved bytes of a newer version.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();
}
