using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Recognising.Code;

/// <summary>
/// Where a code block stands (its headings and block position) and which comments describe which declaration: the
/// comment on a declaration's own line, else the comment block directly above it (no blank line between).
/// </summary>
internal sealed class CodeContext
{
    // "--- 'capabilities' field bits ---", "=== Flags ===", "*** errors ***": a comment framed by decoration heads a group.
    private static readonly Regex Framed = new(@"^[-=*#~_+]{2,}\s*(?<title>.*?)\s*[-=*#~_+]{2,}$", RegexOptions.CultureInvariant);

    private readonly Dictionary<int, Comment> standaloneByLastLine = new();

    // Trailing comments by the line they stand on, in order: a declaration looks up its own line, not every comment.
    private readonly Dictionary<int, List<Comment>> trailingByLine = new();

    public CodeContext(CodeTokens code, IReadOnlyList<RecognisedHeading> ancestors, int position)
    {
        Code = code;
        Ancestors = ancestors;
        Position = position;
        foreach (var comment in code.Comments)
        {
            if (comment.Trailing)
            {
                if (!trailingByLine.TryGetValue(comment.FirstLine, out var onLine))
                {
                    trailingByLine[comment.FirstLine] = onLine = new List<Comment>(1);
                }

                onLine.Add(comment);
            }
            else if (!comment.Inner)
            {
                standaloneByLastLine[comment.LastLine] = comment;
            }
        }
    }

    public CodeTokens Code { get; }

    public IReadOnlyList<RecognisedHeading> Ancestors { get; }

    public int Position { get; }

    /// <summary>The heading above the block, which names its constants as it names a table's.</summary>
    public string Heading => Ancestors.Count > 0 ? Ancestors[Ancestors.Count - 1].Text : string.Empty;

    /// <summary>The name of a group that no heading or group comment names.</summary>
    public string FallbackGroupName(Token at) =>
        "Constants at line " + Code.Span(at).Line.ToString(CultureInfo.InvariantCulture);

    /// <summary>The title of a group comment (<c>// --- 'flags' field bits ---</c>), or null for a comment that is not one.</summary>
    public static string? GroupTitle(Comment comment) =>
        comment.Text.Length >= 4 && FrameCharacters.IndexOf(comment.Text[0]) >= 0 && Framed.Match(comment.Text) is { Success: true } match
            ? match.Groups["title"].Value.Trim(TitleQuotes)
            : null;

    private static readonly char[] TitleQuotes = { '\'', '"', '`', ' ' };

    // A frame starts with two of these: the pattern need not scan comments that start with anything else.
    private const string FrameCharacters = "-=*#~_+";

    /// <summary>
    /// The description of a declaration from its first to its last token: a comment after the last token on
    /// that line (after <paramref name="after"/>, when given), else the comments directly above the first (Rust doc
    /// comments first when <paramref name="rust"/>).
    /// </summary>
    public string Describe(Token first, Token last, bool rust, int after = -1)
    {
        if (trailingByLine.TryGetValue(last.Line, out var onLine))
        {
            var from = after >= 0 ? after : last.End;
            foreach (var comment in onLine)
            {
                if (comment.Start >= from)
                {
                    return comment.Text;
                }
            }
        }

        var above = Above(first.Line);
        if (above.Count == 0)
        {
            return string.Empty;
        }

        var docOnly = false;
        foreach (var comment in above)
        {
            docOnly |= rust && comment.Doc;
        }

        var description = string.Empty;
        foreach (var comment in above)
        {
            if ((!docOnly || comment.Doc) && comment.Text.Length > 0)
            {
                description = description.Length == 0 ? comment.Text : description + " " + comment.Text;
            }
        }

        return description;
    }

    /// <summary>The comments directly above <paramref name="line"/>, top first, up to a blank line or a group comment.</summary>
    public List<Comment> Above(int line)
    {
        var result = new List<Comment>();
        var next = line - 1;
        while (standaloneByLastLine.TryGetValue(next, out var comment) && GroupTitle(comment) is null)
        {
            result.Insert(0, comment);
            next = comment.FirstLine - 1;
        }

        return result;
    }

    /// <summary>Group comments (framed, or standing alone after a blank line) between two positions, last first.</summary>
    public Comment? LastGroupComment(int from, int to)
    {
        Comment? found = null;
        foreach (var comment in Code.Comments)
        {
            if (comment.Start < from || comment.End > to || comment.Trailing || comment.Inner)
            {
                continue;
            }

            if (GroupTitle(comment) is not null || Code.IsBlank(comment.LastLine + 1))
            {
                found = comment;
            }
        }

        return found;
    }
}
