using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Svsm.Runtime.Attestation;

namespace Svsm.Runtime.Tpm;

/// <summary>Why vTPM evidence did not verify; <see cref="None"/> when it did.</summary>
public enum VtpmVerificationFailure
{
    None,

    /// <summary>The SVSM's report, its chain, or its REPORT_DATA over the nonce and manifest.</summary>
    ReportInvalid,

    /// <summary>The manifest's EK is not the TCG default template's, or not the EK the TPM used.</summary>
    EkMismatch,

    /// <summary>The AK is not a restricted signing key that never leaves its TPM.</summary>
    AkNotRestricted,

    /// <summary>The TPM did not give back the verifier's credential: the AK is not in the attested TPM.</summary>
    CredentialNotActivated,

    QuoteSignature,

    QuoteNonce,

    PcrDigest,

    /// <summary>A TPM structure of the evidence is truncated or garbled; the reason names it.</summary>
    Malformed,
}

/// <summary>The outcome: success, or the failure and what was wrong.</summary>
public readonly record struct VtpmVerification(VtpmVerificationFailure Failure, string Reason)
{
    public bool IsValid => Failure == VtpmVerificationFailure.None;

    public static VtpmVerification Valid { get; } = new(VtpmVerificationFailure.None, "valid");
}

/// <summary>
/// What a guest's vTPM attestation returns (<see cref="VtpmAttestation.Attest"/>), and its verification by the
/// relying party (<see cref="Verify"/>): the SVSM evidence (report, manifest, certificates), the EK and AK public
/// areas, the credential challenge and what the TPM recovered, and the quote with the PCR values it covers.
/// </summary>
public sealed class VtpmEvidence(
    byte[] nonce,
    AttestationEvidence report,
    byte[] endorsementKey,
    byte[] attestationKey,
    VtpmChallenge challenge,
    byte[] activatedCredential,
    byte[] quoteAttest,
    byte[] quoteSignature,
    IReadOnlyList<int> pcrs,
    IReadOnlyList<byte[]> pcrValues)
{
    public byte[] Nonce { get; } = nonce;

    public AttestationEvidence Report { get; init; } = report;

    /// <summary>The EK's TPMT_PUBLIC as the TPM gave it.</summary>
    public byte[] EndorsementKey { get; init; } = endorsementKey;

    /// <summary>The AK's TPMT_PUBLIC.</summary>
    public byte[] AttestationKey { get; init; } = attestationKey;

    public VtpmChallenge Challenge { get; init; } = challenge;

    /// <summary>The credential TPM2_ActivateCredential recovered: the proof that the AK is in the EK's TPM.</summary>
    public byte[] ActivatedCredential { get; init; } = activatedCredential;

    /// <summary>The quote's TPMS_ATTEST, as the TPM marshalled and signed it.</summary>
    public byte[] QuoteAttest { get; init; } = quoteAttest;

    /// <summary>The quote's TPMT_SIGNATURE.</summary>
    public byte[] QuoteSignature { get; init; } = quoteSignature;

    /// <summary>The SHA-256 PCRs quoted, ascending.</summary>
    public IReadOnlyList<int> Pcrs { get; init; } = pcrs;

    /// <summary>Their values, as the TPM read them right after the quote.</summary>
    public IReadOnlyList<byte[]> PcrValues { get; init; } = pcrValues;

    /// <summary>
    /// Verifies, in order: the report (chain to <paramref name="pinnedArk"/>, signature, certificate binding, and
    /// REPORT_DATA = SHA-512(nonce ‖ manifest) for <paramref name="challenger"/>'s nonce); that the manifest's EK is
    /// what the TCG default template yields and the EK the TPM used; that the AK is a restricted signing key of the
    /// TPM's own; that the TPM recovered the challenger's credential; and the quote's signature under the AK, its
    /// nonce and its PCR digest.
    /// </summary>
    public VtpmVerification Verify(X509Certificate2 pinnedArk, VtpmChallenger challenger)
    {
        ArgumentNullException.ThrowIfNull(pinnedArk);
        ArgumentNullException.ThrowIfNull(challenger);
        if (!Report.Nonce.Span.SequenceEqual(challenger.Nonce) || !Nonce.AsSpan().SequenceEqual(challenger.Nonce))
        {
            return new(VtpmVerificationFailure.ReportInvalid, "the report was made for another nonce than the one the verifier gave");
        }

        var report = Report.Verify(pinnedArk);
        if (!report.IsValid)
        {
            return new(VtpmVerificationFailure.ReportInvalid, $"{report.Failure}: {report.Reason}");
        }

        var credential = challenger.Credential;

        TpmRsaPublic manifestEk, ek, ak;
        TpmQuote quote;
        try
        {
            manifestEk = TpmRsaPublic.Read(Report.Manifest.Span, "manifest's EK TPMT_PUBLIC");
            ek = TpmRsaPublic.Read(EndorsementKey, "EK TPMT_PUBLIC");
            ak = TpmRsaPublic.Read(AttestationKey, "AK TPMT_PUBLIC");
            quote = TpmQuote.Read(QuoteAttest, QuoteSignature);
        }
        catch (TpmException exception)
        {
            return new(VtpmVerificationFailure.Malformed, exception.Message);
        }

        if (!manifestEk.FromTemplate(TpmWire.EkTemplateRsa2048))
        {
            return new(VtpmVerificationFailure.EkMismatch, "the manifest's EK is not what the TCG EK Credential Profile's RSA-2048 template (L-1) yields");
        }

        if (!manifestEk.SameAs(ek))
        {
            return new(VtpmVerificationFailure.EkMismatch, "the EK the TPM used is not the EK the SVSM attested");
        }

        if ((ak.Attributes & TpmWire.AttestationKeyAttributes) != TpmWire.AttestationKeyAttributes || ak.Scheme != TpmWire.RsassaAlgorithm)
        {
            return new(VtpmVerificationFailure.AkNotRestricted, $"the AK's attributes 0x{ak.Attributes:X8} are not fixedTPM, fixedParent, sensitiveDataOrigin, restricted and sign with RSASSA");
        }

        if (challenger.ChallengedName is not { } challenged || !challenged.AsSpan().SequenceEqual(ak.Name()))
        {
            return new(VtpmVerificationFailure.CredentialNotActivated, "the credential was made for another AK than the evidence's");
        }

        if (!CryptographicOperations.FixedTimeEquals(ActivatedCredential, credential))
        {
            return new(VtpmVerificationFailure.CredentialNotActivated, "the TPM did not give back the credential made for this AK under the attested EK");
        }

        if (!quote.IsSignedBy(ak))
        {
            return new(VtpmVerificationFailure.QuoteSignature, "the quote is not an RSASSA SHA-256 signature by the AK");
        }

        if (!quote.ExtraData.AsSpan().SequenceEqual(SHA256.HashData(Nonce)))
        {
            return new(VtpmVerificationFailure.QuoteNonce, "the quote's qualifying data is not SHA-256 of the nonce: it was made for another request");
        }

        if (!quote.PcrSelection.AsSpan().SequenceEqual(TpmWire.PcrSelectionBytes(Pcrs)) || PcrValues.Count != Pcrs.Count ||
            !quote.PcrDigest.AsSpan().SequenceEqual(SHA256.HashData(PcrValues.SelectMany(v => v).ToArray())))
        {
            return new(VtpmVerificationFailure.PcrDigest, "the quote's PCR digest is not SHA-256 of the PCR values returned for PCRs " + string.Join(",", Pcrs));
        }

        return VtpmVerification.Valid;
    }
}
