using System;
using System.Security.Cryptography.X509Certificates;

namespace Svsm.Runtime.Attestation;

/// <summary>Checks an AMD chain, key certificate to intermediate (ASK or ASVK) to a pinned ARK, without the wall clock.</summary>
internal static class AmdCertificateChain
{
    public static SnpVerification Check(X509Certificate2 leaf, X509Certificate2 intermediate, X509Certificate2 pinnedArk, string leafName)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(pinnedArk);
        chain.ChainPolicy.ExtraStore.Add(intermediate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        // AMD's KDS certificates carry no usages for a general-purpose chain builder to check, and the chain is
        // judged at the report's time by its TCB, not by the wall clock: real certificates expire.
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreWrongUsage;
        if (!chain.Build(leaf))
        {
            var status = chain.ChainStatus.Length > 0 ? chain.ChainStatus[0].StatusInformation.Trim() : "unknown";
            return new(SnpVerificationFailure.ChainInvalid, $"the {leafName} does not chain to the pinned ARK through {intermediate.GetNameInfo(X509NameType.SimpleName, false)}: {status}");
        }

        var root = chain.ChainElements[^1].Certificate;
        if (!root.RawDataMemory.Span.SequenceEqual(pinnedArk.RawDataMemory.Span) || chain.ChainElements.Count != 3)
        {
            return new(SnpVerificationFailure.RootNotPinned, "the chain does not end at the pinned ARK: " + root.Subject);
        }

        return SnpVerification.Valid;
    }
}
