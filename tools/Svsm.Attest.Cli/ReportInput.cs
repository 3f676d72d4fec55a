using System.Globalization;
using Svsm.Runtime.Attestation;

namespace Svsm.Attest.Cli;

/// <summary>Input svsm-attest cannot use: exit 2 with one line that names the problem.</summary>
internal sealed class UnusableInputException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Reads REPORT (a raw 1184-byte file, its hex, or - for standard input) and the options' values.</summary>
internal static class ReportInput
{
    public const int ExitValid = 0;
    public const int ExitInvalid = 1;
    public const int ExitUnusable = 2;

    public static byte[] Read(string path)
    {
        byte[] bytes;
        try
        {
            if (path == "-")
            {
                using var stdin = Console.OpenStandardInput();
                using var buffer = new MemoryStream();
                stdin.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            else
            {
                bytes = File.ReadAllBytes(path);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UnusableInputException("cannot read " + path + ": " + exception.Message, exception);
        }

        var name = path == "-" ? "standard input" : path;
        if (bytes.Length != AttestationReport.Size && LooksLikeText(bytes))
        {
            var text = new string(System.Text.Encoding.ASCII.GetString(bytes).Where(c => !char.IsWhiteSpace(c)).ToArray());
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                text = text[2..];
            }

            var bad = text.FirstOrDefault(c => !char.IsAsciiHexDigit(c));
            if (bad != default)
            {
                throw new UnusableInputException($"{name} is neither a {AttestationReport.Size}-byte report nor hex: '{bad}' is not a hex digit");
            }

            if (text.Length % 2 != 0)
            {
                throw new UnusableInputException($"{name} holds an odd number of hex digits ({text.Length})");
            }

            bytes = Convert.FromHexString(text);
        }

        if (bytes.Length != AttestationReport.Size)
        {
            throw new UnusableInputException($"{name} is {bytes.Length} bytes; a report is {AttestationReport.Size}");
        }

        var algorithm = BitConverter.ToUInt32(bytes, AttestationReport.SignatureAlgoOffset);
        if (algorithm != 1)
        {
            throw new UnusableInputException($"{name} is signed with algorithm {algorithm}, not ECDSA P-384 with SHA-384 (1)");
        }

        return bytes;
    }

    public static SnpProduct? Product(string? name) =>
        name is null ? null : SnpProducts.Parse(name) ?? throw new UnusableInputException($"'{name}' is not a product: Milan, Genoa or Turin");

    public static byte[]? Hex(string? value, string option, int length)
    {
        if (value is null)
        {
            return null;
        }

        try
        {
            var bytes = Convert.FromHexString(value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value);
            return bytes.Length == length ? bytes : throw new UnusableInputException($"{option} takes {length} bytes ({length * 2} hex digits), not {bytes.Length}");
        }
        catch (FormatException)
        {
            throw new UnusableInputException($"{option} '{value}' is not hex");
        }
    }

    /// <summary>A TCB minimum such as <c>bl=3,tee=0,snp=8,ucode=115</c> (and <c>fmc=</c> on Turin).</summary>
    public static SnpTcb? Tcb(string? value, string option)
    {
        if (value is null)
        {
            return null;
        }

        byte bootLoader = 0, tee = 0, snp = 0, microcode = 0;
        byte? fmc = null;
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=');
            if (equals < 0 || !byte.TryParse(part[(equals + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                throw new UnusableInputException($"{option}: '{part}' is not part=number (0 to 255)");
            }

            switch (part[..equals].ToLowerInvariant())
            {
                case "bl" or "bootloader": bootLoader = number; break;
                case "tee": tee = number; break;
                case "snp": snp = number; break;
                case "ucode" or "microcode": microcode = number; break;
                case "fmc": fmc = number; break;
                default: throw new UnusableInputException($"{option}: '{part[..equals]}' is not bl, tee, snp, ucode or fmc");
            }
        }

        return new SnpTcb(bootLoader, tee, snp, microcode, fmc);
    }

    public static Version? Version(string? value, string option) =>
        value is null ? null : System.Version.TryParse(value, out var version) ? version : throw new UnusableInputException($"{option} '{value}' is not MAJOR.MINOR");

    private static bool LooksLikeText(byte[] bytes) => bytes.All(b => b is (byte)'\n' or (byte)'\r' or (byte)'\t' or (>= 0x20 and < 0x7F));
}
