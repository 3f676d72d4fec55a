using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Reading;

namespace Svsm.Bindings.Spec.Recognising.Code;

/// <summary>
/// Which language a fenced block holds. A label decides: <c>rust</c>/<c>rs</c> is Rust, <c>c</c>/<c>h</c> is C, any
/// other label (yaml, sh, text, markdown, ...) is never read. An unlabeled block is read by its first line that
/// only one of the two languages writes (docs/spec-format.md, "Which blocks are read"); a block with none is not read.
/// </summary>
internal static class CodeLanguage
{
    public enum Kind
    {
        None,
        C,
        Rust,
    }

    private const RegexOptions Options = RegexOptions.CultureInvariant;

    private static readonly Regex RustLine = new(
        @"^(?:#!?\[|pub\b|fn\s|impl\b|use\s|mod\s|let\s|(?:const|static)\s+[A-Za-z_][A-Za-z0-9_]*\s*:|type\s+[A-Za-z_][A-Za-z0-9_]*\s*=|///|//!|[a-z_][A-Za-z0-9_]*\s*:\s*(?:\[[^;\]]+;[^\]]+\]|&?[A-Za-z_][A-Za-z0-9_:<>]*)\s*,\s*(?://.*)?$)",
        Options);

    private static readonly Regex CLine = new(
        @"^(?:#\s*(?:define|include|if|ifdef|ifndef|endif|else|elif|pragma|undef|error)\b|typedef\b|union\b.*[{;]\s*$|(?:(?:unsigned|signed|const|volatile)\s+)*(?:__[us](?:8|16|32|64)|[us](?:8|16|32|64)|u?int(?:8|16|32|64)_t|__(?:le|be)(?:16|32|64)|char|short|int|long|unsigned|bool|_Bool|struct\s+\w+|enum\s+\w+|[A-Z_][A-Z0-9_]*)\s*\**\s*[A-Za-z_][A-Za-z0-9_]*\s*(?:\[[^\]]*\]\s*)*(?::\s*\d+\s*)?(?:,\s*\**\s*[A-Za-z_][A-Za-z0-9_]*\s*(?:\[[^\]]*\])*)*\s*;)",
        Options);

    // struct or enum openings are written the same in both languages: they decide nothing, but make a block code.
    private static readonly Regex Neutral = new(@"^(?:struct|enum|union)\s+[A-Za-z_][A-Za-z0-9_]*\s*\{?\s*$|^(?:struct|enum|union)\s*\{\s*$", Options);

    public static Kind Of(CodeBlock block)
    {
        switch (block.Language)
        {
            case "rust":
            case "rs":
                return Kind.Rust;
            case "c":
            case "h":
                return Kind.C;
            case "":
                break;
            default:
                return Kind.None;
        }

        var sawNeutral = false;
        var inComment = false;
        for (var i = 0; i < block.LineCount; i++)
        {
            var line = block.LineText(i).Trim();
            if (inComment)
            {
                inComment = !line.Contains("*/");
                continue;
            }

            if (line.StartsWith("///", System.StringComparison.Ordinal) || line.StartsWith("//!", System.StringComparison.Ordinal))
            {
                return Kind.Rust;
            }

            if (line.Length == 0 || line.StartsWith("//", System.StringComparison.Ordinal) || line == "}" || line == "};" || line == "{")
            {
                continue;
            }

            if (line.StartsWith("/*", System.StringComparison.Ordinal))
            {
                inComment = !line.Contains("*/");
                continue;
            }

            if (RustLine.IsMatch(line))
            {
                return Kind.Rust;
            }

            if (CLine.IsMatch(line))
            {
                return Kind.C;
            }

            sawNeutral |= Neutral.IsMatch(line);
        }

        // Only struct and enum openings with members both languages write alike (A = 1,): C reads them the same.
        return sawNeutral ? Kind.C : Kind.None;
    }
}
