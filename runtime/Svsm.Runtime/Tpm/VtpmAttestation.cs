using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using Svsm.Runtime.Attestation;

namespace Svsm.Runtime.Tpm;

/// <summary>The verifier's challenge for an attestation key: TPM2_MakeCredential's blob and encrypted seed, each with its size.</summary>
public sealed record VtpmChallenge(byte[] CredentialBlob, byte[] Secret);

/// <summary>
/// The relying party's half of an attestation: a fresh nonce for the guest, and a fresh 32-byte credential made into
/// a challenge that only the TPM holding the endorsement key, with the attestation key loaded, can answer
/// (<see cref="TpmCredential"/>). <see cref="VtpmEvidence.Verify"/> checks the evidence against both.
/// </summary>
public sealed class VtpmChallenger
{
    /// <summary>The nonce the guest attests with: the report's REPORT_DATA and the quote's qualifying data bind it.</summary>
    public byte[] Nonce { get; } = RandomNumberGenerator.GetBytes(64);

    /// <summary>The credential the TPM must give back.</summary>
    public byte[] Credential { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>The name of the AK the credential was made for, once <see cref="Challenge"/> ran.</summary>
    public byte[]? ChallengedName { get; private set; }

    /// <summary>The challenge for <paramref name="attestationKey"/> under <paramref name="endorsementKey"/>; the AK's name is kept for the verification.</summary>
    public VtpmChallenge Challenge(TpmRsaPublic endorsementKey, TpmRsaPublic attestationKey)
    {
        ArgumentNullException.ThrowIfNull(endorsementKey);
        ArgumentNullException.ThrowIfNull(attestationKey);
        ChallengedName = attestationKey.Name();
        var (blob, secret) = TpmCredential.Make(endorsementKey, ChallengedName, Credential);
        return new VtpmChallenge(blob, secret);
    }
}

/// <summary>
/// The guest's side of a vTPM attestation, the library COCONUT-SVSM issue #361 asks for: the SVSM's report binding
/// the vTPM's endorsement key, an attestation key proven to live in that TPM, and a quote of PCRs under it.
/// </summary>
public static class VtpmAttestation
{
    /// <summary>
    /// Attests the vTPM: the SVSM attestation of the vTPM service (REPORT_DATA = SHA-512(nonce ‖ manifest), the
    /// manifest its EK public); the EK from the TCG default template and an RSA-2048 restricted signing AK;
    /// TPM2_ActivateCredential of <paramref name="challenger"/>'s challenge, the EK authorized by
    /// PolicySecret(TPM_RH_ENDORSEMENT); and TPM2_Quote of <paramref name="pcrs"/> with SHA-256(nonce) as qualifying
    /// data. The keys are flushed afterwards.
    /// </summary>
    /// <param name="challenger">The relying party: given the EK and the AK, its MakeCredential challenge (a call over the network in a deployment).</param>
    public static VtpmEvidence Attest(IAttestationSource svsm, ITpm tpm, ReadOnlySpan<byte> nonce, IReadOnlyList<int> pcrs, Func<TpmRsaPublic, TpmRsaPublic, VtpmChallenge> challenger)
    {
        ArgumentNullException.ThrowIfNull(svsm);
        ArgumentNullException.ThrowIfNull(tpm);
        ArgumentNullException.ThrowIfNull(pcrs);
        ArgumentNullException.ThrowIfNull(challenger);
        var report = svsm.AttestService(SvsmAttestationGuids.Vtpm, nonce);
        var tpmHalf = AttestTpm(tpm, nonce, pcrs, challenger);
        return new VtpmEvidence(nonce.ToArray(), report, tpmHalf.Ek, tpmHalf.Ak, tpmHalf.Challenge, tpmHalf.Activated, tpmHalf.Attest, tpmHalf.Signature, tpmHalf.Pcrs, tpmHalf.Values);
    }

    /// <summary>The TPM's half of <see cref="Attest"/>: the keys, the activation and the quote, on any TPM.</summary>
    internal static (byte[] Ek, byte[] Ak, VtpmChallenge Challenge, byte[] Activated, byte[] Attest, byte[] Signature, int[] Pcrs, IReadOnlyList<byte[]> Values) AttestTpm(
        ITpm tpm, ReadOnlySpan<byte> nonce, IReadOnlyList<int> pcrs, Func<TpmRsaPublic, TpmRsaPublic, VtpmChallenge> challenger)
    {
        var selection = pcrs.OrderBy(p => p).ToArray();
        var response = new byte[TpmWire.MaxResponseSize];
        var (ekHandle, ekArea) = TpmWire.CreatePrimaryResult(Run(tpm, TpmWire.CreatePrimaryCommand(TpmWire.EndorsementHierarchy, TpmWire.EkTemplateRsa2048), response));
        try
        {
            // A fresh AK each time: the template's unique field, random, is entropy for the primary key's derivation.
            var (akHandle, akArea) = TpmWire.CreatePrimaryResult(Run(tpm, TpmWire.CreatePrimaryCommand(TpmWire.OwnerHierarchy, TpmWire.AkTemplate(RandomNumberGenerator.GetBytes(32))), response));
            try
            {
                var challenge = challenger(TpmRsaPublic.Read(ekArea, "EK TPMT_PUBLIC"), TpmRsaPublic.Read(akArea, "AK TPMT_PUBLIC"));
                var session = TpmWire.SessionHandle(Run(tpm, TpmWire.StartPolicySessionCommand(RandomNumberGenerator.GetBytes(32)), response));
                byte[] activated;
                try
                {
                    RunOk(tpm, TpmWire.PolicySecretEndorsementCommand(session), response, "TPM2_PolicySecret");
                    activated = TpmWire.ActivatedCredential(Run(tpm, TpmWire.ActivateCredentialCommand(akHandle, ekHandle, session, challenge.CredentialBlob, challenge.Secret), response));
                }
                finally
                {
                    // ActivateCredential ends the session it used; one that failed earlier is flushed here (an error for an ended one changes nothing).
                    tpm.Execute(TpmWire.FlushContextCommand(session), response);
                }

                var (attest, signature) = TpmWire.QuoteResult(Run(tpm, TpmWire.QuoteCommand(akHandle, SHA256.HashData(nonce), selection), response));
                var values = TpmWire.PcrReadDigests(Run(tpm, TpmWire.PcrReadCommand(selection), response));
                return (ekArea, akArea, challenge, activated, attest, signature, selection, values);
            }
            finally
            {
                tpm.Execute(TpmWire.FlushContextCommand(akHandle), response);
            }
        }
        finally
        {
            tpm.Execute(TpmWire.FlushContextCommand(ekHandle), response);
        }
    }

    // TPM_RC_RETRY, TPM_RC_TESTING and TPM_RC_YIELDED mean the command did not start: it is sent again, as a TSS does
    // (a TPM answers RETRY to the first command that needs an algorithm it has not yet tested, such as OAEP here).
    private static ReadOnlySpan<byte> Run(ITpm tpm, byte[] command, byte[] response)
    {
        for (var attempt = 1; ; attempt++)
        {
            var length = tpm.Execute(command, response);
            if (attempt == 10 || length < TpmWire.HeaderSize || TpmWire.ResponseCode(response.AsSpan(0, length)) is not (0x922 or 0x90A or 0x908))
            {
                return response.AsSpan(0, length);
            }
        }
    }

    private static void RunOk(ITpm tpm, byte[] command, byte[] response, string name)
    {
        var code = TpmWire.ResponseCode(Run(tpm, command, response));
        if (code != 0)
        {
            throw new TpmException($"{name} failed with TPM response code 0x{code:X}");
        }
    }
}
