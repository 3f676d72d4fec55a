using System;

namespace Svsm.Runtime.Attestation;

/// <summary>
/// The firmware's ECDSA P-384 signature (generated from specs/snp-report.md): R and S little-endian, each zero-extended
/// to 72 bytes. .NET signs and verifies in IEEE P1363 form (R then S, big-endian, 48 bytes each); this converts.
/// </summary>
public partial struct Signature
{
    private const int P384Bytes = 48;

    /// <summary>The 96-byte P1363 form of this signature; false when R or S is wider than 384 bits.</summary>
    public readonly bool TryToP1363(Span<byte> destination)
    {
        if (destination.Length != 2 * P384Bytes)
        {
            throw new ArgumentException("a P-384 signature in P1363 form is 96 bytes", nameof(destination));
        }

        return Reverse(R, destination[..P384Bytes]) && Reverse(S, destination[P384Bytes..]);
    }

    /// <summary>The signature as the firmware stores it, from its 96-byte P1363 form.</summary>
    public static Signature FromP1363(ReadOnlySpan<byte> p1363)
    {
        if (p1363.Length != 2 * P384Bytes)
        {
            throw new ArgumentException("a P-384 signature in P1363 form is 96 bytes", nameof(p1363));
        }

        var signature = default(Signature);
        p1363[..P384Bytes].CopyTo(signature.R);
        p1363[P384Bytes..].CopyTo(signature.S);
        ((Span<byte>)signature.R)[..P384Bytes].Reverse();
        ((Span<byte>)signature.S)[..P384Bytes].Reverse();
        return signature;
    }

    // A little-endian component into 48 big-endian bytes; false when its bytes above 384 bits are not zero.
    private static bool Reverse(ReadOnlySpan<byte> littleEndian, Span<byte> bigEndian)
    {
        if (littleEndian[P384Bytes..].IndexOfAnyExcept((byte)0) >= 0)
        {
            return false;
        }

        littleEndian[..P384Bytes].CopyTo(bigEndian);
        bigEndian.Reverse();
        return true;
    }
}
