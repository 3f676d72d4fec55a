using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;

namespace Svsm.Bindings.Spec.Recognising.Code;

internal enum TokenKind
{
    Identifier,
    Number,
    Punctuation,
    String,
    Character,

    /// <summary>A C preprocessor line (<c>#define X 1</c>), continuations joined and comments removed.</summary>
    Directive,

    End,
}

/// <param name="Line">The code line the token starts on, from 0.</param>
internal readonly record struct Token(TokenKind Kind, string Text, int Start, int End, int Line)
{
    public bool Is(string text) => Kind is TokenKind.Punctuation or TokenKind.Identifier && string.Equals(Text, text, StringComparison.Ordinal);
}

/// <summary>A comment, with the lines it spans and whether code stands before it on its first line.</summary>
/// <param name="Text">The comment's words: markers, decoration of block comments and surrounding space removed.</param>
/// <param name="Doc">A Rust outer doc comment (<c>///</c> or <c>/** */</c>).</param>
/// <param name="Inner">A Rust inner doc comment (<c>//!</c>, <c>/*! */</c>), which documents the enclosing module.</param>
/// <param name="Trailing">Code stands before it on its first line: it belongs to that line.</param>
internal sealed record Comment(string Text, int Start, int End, int FirstLine, int LastLine, bool Doc, bool Inner, bool Trailing);

/// <summary>
/// A code block's text as one string, its tokens and comments, and the map from positions in it back to the spec
/// file. C and Rust share it: their tokens differ only in C's preprocessor lines and Rust's nested block comments.
/// </summary>
internal sealed class CodeTokens
{
    private static readonly string[] LongPunctuation = { "...", "<<=", ">>=", "::", "->", "=>", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "..", "+=", "-=", "|=", "&=" };

    // Punctuation is one of few strings: made once, not once per token.
    private static readonly string[] SingleCharacters = Enumerable.Range(0, 128).Select(c => ((char)c).ToString()).ToArray();

    private readonly int[] lineStarts;
    private readonly CodeBlock block;
    private readonly LineMap map;

    private CodeTokens(CodeBlock block, LineMap map, bool c)
    {
        this.block = block;
        this.map = map;
        lineStarts = block.LineStarts;
        Text = block.Text;
        // Tokens are gathered in a list kept for the thread and copied out at their count: a block's count is not
        // known before, and a list grown to it, or sized by a guess, leaves arrays of unused room behind.
        var gathered = tokenBuffer ??= new List<Token>(256);
        gathered.Clear();
        Tokens = gathered;
        Tokenize(c);
        Tokens = new List<Token>(gathered);
        gathered.Clear();
        if (gathered.Capacity > 64 * 1024)
        {
            // One huge block does not keep its room for the thread's life.
            tokenBuffer = null;
        }
    }

    [ThreadStatic]
    private static List<Token>? tokenBuffer;

    public string Text { get; }

    public List<Token> Tokens { get; private set; }

    public List<Comment> Comments { get; } = new();

    /// <summary>A lexical problem (an unterminated comment or literal): where, and what.</summary>
    public (int Position, string Problem)? Error { get; private set; }

    public int LineCount => block.LineCount;

    public static CodeTokens ForC(CodeBlock block, LineMap map) => new(block, map, c: true);

    public static CodeTokens ForRust(CodeBlock block, LineMap map) => new(block, map, c: false);

    /// <summary>The spec-file span of code from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public SpecSpan Span(int start, int end)
    {
        var from = SourceOffset(start);
        var to = SourceOffset(Math.Max(start, end));
        return map.Span(from, Math.Max(0, to - from));
    }

    public SpecSpan Span(Token token) => Span(token.Start, token.End);

    public SpecSpan Span(Token first, Token last) => Span(first.Start, last.End);

    public string Slice(int start, int end) => Text.Substring(start, Math.Max(0, end - start));

    /// <summary>The code line holding <paramref name="position"/>, from 0.</summary>
    public int LineOf(int position)
    {
        var index = Array.BinarySearch(lineStarts, position);
        return Math.Max(0, index >= 0 ? Math.Min(index, LineCount - 1) : ~index - 1);
    }

    /// <summary>Whether a code line holds nothing but white space.</summary>
    public bool IsBlank(int line)
    {
        if (line < 0 || line >= LineCount)
        {
            return false;
        }

        for (var i = lineStarts[line]; i < lineStarts[line] + block.LineLength(line); i++)
        {
            if (!char.IsWhiteSpace(Text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private int SourceOffset(int position)
    {
        var line = LineOf(position);
        if (line >= LineCount || position >= Text.Length)
        {
            return block.Span.Start + block.Span.Length;
        }

        return block.SourceStarts[line] + Math.Min(position - lineStarts[line], block.LineLength(line));
    }

    private void Tokenize(bool c)
    {
        var text = Text;
        var i = 0;
        var lineHasCode = false;
        var line = 0;
        while (i < text.Length && Error is null)
        {
            var ch = text[i];
            if (ch == '\n')
            {
                i++;
                line++;
                lineHasCode = false;
                continue;
            }

            if (char.IsWhiteSpace(ch))
            {
                i++;
                continue;
            }

            if (c && ch == '#' && !lineHasCode)
            {
                i = ReadDirective(i, ref line);
                lineHasCode = false;
                continue;
            }

            if (ch == '/' && i + 1 < text.Length && (text[i + 1] == '/' || text[i + 1] == '*'))
            {
                var start = i;
                var startLine = line;
                i = text[i + 1] == '/' ? LineCommentEnd(i) : BlockCommentEnd(i, nested: !c, ref line);
                if (Error is null)
                {
                    AddComment(start, i, startLine, line, lineHasCode, c);
                }

                continue;
            }

            lineHasCode = true;
            var tokenStart = i;
            if (char.IsLetter(ch) || ch == '_')
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                Tokens.Add(new Token(TokenKind.Identifier, text.Substring(tokenStart, i - tokenStart), tokenStart, i, line));
            }
            else if (char.IsDigit(ch))
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_' || (text[i] == '.' && i + 1 < text.Length && char.IsDigit(text[i + 1]))))
                {
                    i++;
                }

                Tokens.Add(new Token(TokenKind.Number, text.Substring(tokenStart, i - tokenStart), tokenStart, i, line));
            }
            else if (ch == '"')
            {
                i = QuotedEnd(i, '"');
                Tokens.Add(new Token(TokenKind.String, text.Substring(tokenStart, i - tokenStart), tokenStart, i, line));
            }
            else if (ch == '\'' && IsCharacterLiteral(i))
            {
                i = QuotedEnd(i, '\'');
                Tokens.Add(new Token(TokenKind.Character, text.Substring(tokenStart, i - tokenStart), tokenStart, i, line));
            }
            else
            {
                string? symbolText = null;
                foreach (var symbol in LongPunctuation)
                {
                    if (symbol[0] == ch && string.CompareOrdinal(text, i, symbol, 0, symbol.Length) == 0)
                    {
                        symbolText = symbol;
                        break;
                    }
                }

                symbolText ??= ch < 128 ? SingleCharacters[ch] : ch.ToString();
                i += symbolText.Length;
                Tokens.Add(new Token(TokenKind.Punctuation, symbolText, tokenStart, i, line));
            }
        }

        Tokens.Add(new Token(TokenKind.End, string.Empty, text.Length, text.Length, Math.Max(0, LineCount - 1)));
    }

    // A Rust lifetime ('a) is not a character literal: a quote, one character or an escape, then a quote.
    private bool IsCharacterLiteral(int i) =>
        i + 2 < Text.Length && (Text[i + 1] == '\\' ? Text.IndexOf('\'', i + 2) is > 0 and var end && end - i <= 12 : Text[i + 2] == '\'');

    private int QuotedEnd(int i, char quote)
    {
        var j = i + 1;
        while (j < Text.Length && Text[j] != quote && Text[j] != '\n')
        {
            j += Text[j] == '\\' ? 2 : 1;
        }

        if (j >= Text.Length || Text[j] != quote)
        {
            Error = (i, "a literal that does not end on its line");
            return Math.Min(j, Text.Length);
        }

        return j + 1;
    }

    private int LineCommentEnd(int i)
    {
        var end = Text.IndexOf('\n', i);
        return end < 0 ? Text.Length : end;
    }

    private int BlockCommentEnd(int i, bool nested, ref int line)
    {
        var depth = 0;
        var j = i;
        while (j + 1 < Text.Length)
        {
            if (Text[j] == '/' && Text[j + 1] == '*' && (nested || depth == 0))
            {
                depth++;
                j += 2;
                continue;
            }

            if (Text[j] == '*' && Text[j + 1] == '/')
            {
                depth--;
                j += 2;
                if (depth == 0)
                {
                    return j;
                }

                continue;
            }

            if (Text[j] == '\n')
            {
                line++;
            }

            j++;
        }

        Error = (i, "a /* comment with no */");
        return Text.Length;
    }

    private void AddComment(int start, int end, int firstLine, int lastLine, bool trailing, bool c)
    {
        var raw = Text.Substring(start, end - start);
        var doc = !c && (raw.StartsWith("///", StringComparison.Ordinal) && !raw.StartsWith("////", StringComparison.Ordinal) || raw.StartsWith("/**", StringComparison.Ordinal) && raw != "/**/" && !raw.StartsWith("/***", StringComparison.Ordinal));
        var inner = !c && (raw.StartsWith("//!", StringComparison.Ordinal) || raw.StartsWith("/*!", StringComparison.Ordinal));
        Comments.Add(new Comment(CommentWords(raw), start, end, firstLine, lastLine, doc, inner, trailing));
    }

    /// <summary>A comment's words: <c>//</c>, <c>///</c>, <c>/*</c>, <c>*/</c> and each line's leading <c>*</c> removed, lines joined by spaces.</summary>
    internal static string CommentWords(string raw)
    {
        string body;
        if (raw.StartsWith("//", StringComparison.Ordinal))
        {
            body = raw.TrimStart('/').TrimStart('!');
        }
        else
        {
            body = raw.Substring(2, Math.Max(0, raw.Length - 4)).TrimStart('*', '!');
        }

        if (body.IndexOf('\n') < 0)
        {
            // One line, as most comments are: its words without the split and the join.
            var only = body.Trim();
            return only.StartsWith("*", StringComparison.Ordinal) ? only.TrimStart('*').Trim() : only;
        }

        var words = new StringBuilder();
        foreach (var part in body.Split('\n'))
        {
            var lineText = part.Trim();
            if (lineText.StartsWith("*", StringComparison.Ordinal))
            {
                lineText = lineText.TrimStart('*').Trim();
            }

            if (lineText.Length > 0)
            {
                if (words.Length > 0)
                {
                    words.Append(' ');
                }

                words.Append(lineText);
            }
        }

        return words.ToString();
    }

    /// <summary>
    /// A preprocessor line: from the <c>#</c> to the end of the line, with lines ended by <c>\</c> joined, and its
    /// comments taken out (a <c>//</c> or <c>/* */</c> after a define is the define's description).
    /// </summary>
    private int ReadDirective(int i, ref int line)
    {
        var start = i;
        var startLine = line;
        var content = new StringBuilder();
        var j = i;
        while (j < Text.Length)
        {
            var ch = Text[j];
            if (ch == '\\' && j + 1 < Text.Length && Text[j + 1] == '\n')
            {
                j += 2;
                line++;
                content.Append(' ');
                continue;
            }

            if (ch == '\n')
            {
                break;
            }

            if (ch == '/' && j + 1 < Text.Length && (Text[j + 1] == '/' || Text[j + 1] == '*'))
            {
                var commentStart = j;
                var commentLine = line;
                j = Text[j + 1] == '/' ? LineCommentEnd(j) : BlockCommentEnd(j, nested: false, ref line);
                if (Error is not null)
                {
                    return Text.Length;
                }

                AddComment(commentStart, j, commentLine, line, trailing: true, c: true);
                content.Append(' ');
                continue;
            }

            content.Append(ch);
            j++;
        }

        Tokens.Add(new Token(TokenKind.Directive, content.ToString().Trim(), start, j, startLine));
        return j;
    }
}
