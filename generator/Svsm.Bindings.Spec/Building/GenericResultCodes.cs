using System.Collections.Generic;

namespace Svsm.Bindings.Spec.Building;

/// <summary>
/// The result codes every SVSM protocol shares, so that a spec may name one for a check without defining it:
/// specs/core.md's "Result codes" table (Linux <c>sev.h</c>, COCONUT-SVSM <c>errors.rs</c>). A test reads core.md
/// and checks that the two agree.
/// </summary>
internal static class GenericResultCodes
{
    public const string InvalidParameter = "SVSM_ERR_INVALID_PARAMETER";

    private static readonly Dictionary<string, ulong> ByName = new()
    {
        ["SVSM_SUCCESS"] = 0,
        ["SVSM_ERR_INCOMPLETE"] = 0x8000_0000,
        ["SVSM_ERR_UNSUPPORTED_PROTOCOL"] = 0x8000_0001,
        ["SVSM_ERR_UNSUPPORTED_CALL"] = 0x8000_0002,
        ["SVSM_ERR_INVALID_ADDRESS"] = 0x8000_0003,
        ["SVSM_ERR_INVALID_FORMAT"] = 0x8000_0004,
        [InvalidParameter] = 0x8000_0005,
        ["SVSM_ERR_INVALID_REQUEST"] = 0x8000_0006,
        ["SVSM_ERR_BUSY"] = 0x8000_0007,
    };

    public static IReadOnlyDictionary<string, ulong> All => ByName;

    public static bool TryGet(string name, out ulong value) => ByName.TryGetValue(name, out value);
}
