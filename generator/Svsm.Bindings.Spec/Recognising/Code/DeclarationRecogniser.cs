using System.Collections.Generic;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Recognising.Code;

/// <summary>
/// What the C and the Rust recogniser share: a cursor over a block's tokens, and the recovery that makes one
/// unreadable declaration one diagnostic. A declaration that cannot be read is reported where it fails, what it had
/// added is taken back, and reading goes on after it (after its braces); one whose braces never close ends the block.
/// </summary>
internal abstract class DeclarationRecogniser
{
    private readonly string language;

    protected DeclarationRecogniser(CodeContext context, RecognisedSpec spec, DiagnosticBag diagnostics, string language)
    {
        Context = context;
        Code = context.Code;
        Tokens = Code.Tokens;
        Spec = spec;
        Diagnostics = diagnostics;
        this.language = language;
    }

    protected CodeContext Context { get; }

    protected CodeTokens Code { get; }

    protected List<Token> Tokens { get; }

    protected RecognisedSpec Spec { get; }

    protected DiagnosticBag Diagnostics { get; }

    /// <summary>The index of the current token.</summary>
    protected int P { get; set; }

    protected Token Current => Tokens[P];

    protected Token Peek(int ahead = 1) => Tokens[System.Math.Min(P + ahead, Tokens.Count - 1)];

    /// <summary>Reads every declaration of the block.</summary>
    public void ReadAll()
    {
        if (Code.Error is { } lexical)
        {
            Diagnostics.Add(SpecDiagnostics.MalformedDeclaration, Code.Span(lexical.Position, lexical.Position + 1), language, lexical.Problem);
        }

        while (Current.Kind != TokenKind.End)
        {
            var start = P;
            var mark = Spec.Mark();
            try
            {
                ReadOne();
            }
            catch (DeclarationException problem)
            {
                // What the declaration had added is not a declaration after all.
                Spec.Restore(mark);
                Recovered();
                Spec.Seen.Recognised++;
                Diagnostics.Add(SpecDiagnostics.MalformedDeclaration, Code.Span(problem.At), language, problem.Message);
                if (problem.Fatal)
                {
                    return;
                }

                // Skip the whole declaration it was found in, braces and all, so that one mistake is one diagnostic.
                P = start;
                try
                {
                    SkipDeclaration();
                }
                catch (DeclarationException)
                {
                    // Nothing after it can be told apart: the rest of the block is not read.
                    return;
                }
            }

            if (P == start)
            {
                P++;
            }
        }
    }

    /// <summary>Reads one declaration at the current token, or skips what is not one.</summary>
    protected abstract void ReadOne();

    /// <summary>Forgets the state a declaration that could not be read left behind.</summary>
    protected virtual void Recovered()
    {
    }

    protected Token Expect(TokenKind kind, string what)
    {
        var token = Current;
        if (token.Kind != kind)
        {
            throw new DeclarationException(token, "expected " + what + (token.Kind == TokenKind.End ? " before the block ends" : ", found '" + token.Text + "'"));
        }

        P++;
        return token;
    }

    protected Token ExpectPunctuation(string symbol)
    {
        var token = Current;
        if (!token.Is(symbol))
        {
            throw new DeclarationException(token, "expected '" + symbol + "'" + (token.Kind == TokenKind.End ? " before the block ends" : ", found '" + token.Text + "'"));
        }

        P++;
        return token;
    }

    /// <summary>Skips from an opening symbol at the current token to its match (<c>&gt;&gt;</c> closes two generics); returns the match's index.</summary>
    protected int SkipBalanced(string open, string close)
    {
        var opening = Current;
        var depth = 0;
        while (Current.Kind != TokenKind.End)
        {
            if (Current.Is(open))
            {
                depth++;
            }
            else if (Current.Is(close) || (close == ">" && Current.Is(">>")))
            {
                depth -= Current.Is(">>") ? 2 : 1;
                if (depth <= 0)
                {
                    return P++;
                }
            }

            P++;
        }

        throw new DeclarationException(opening, "the '" + open + "' has no matching '" + close + "'", fatal: true);
    }

    /// <summary>
    /// An enumerator or variant after its name: its <c>= value</c> if it has one (to the next top-level <c>,</c> or
    /// <c>}</c>), then the <c>,</c> that ends it, if any, and the constant read. C and Rust write them alike.
    /// </summary>
    protected RawConstant ReadEnumerator(Token first, Token name, string what, DeclarationStyle style)
    {
        RawExpression? value = null;
        if (Current.Is("="))
        {
            P++;
            var start = Current;
            var depth = 0;
            while (Current.Kind != TokenKind.End && !(depth == 0 && (Current.Is(",") || Current.Is("}"))))
            {
                depth += Current.Is("(") ? 1 : Current.Is(")") ? -1 : 0;
                P++;
            }

            var end = Tokens[P - 1];
            value = new RawExpression(Code.Slice(start.Start, end.End), Code.Span(start, end), style);
        }

        var last = Tokens[P - 1];
        if (Current.Is(","))
        {
            last = Current;
            P++;
        }
        else if (!Current.Is("}"))
        {
            throw new DeclarationException(Current, "expected ',' or '}' after " + what + " '" + name.Text + "'");
        }

        return new RawConstant(name.Text, value, Context.Describe(first, last, rust: style == DeclarationStyle.Rust), Code.Span(first, Tokens[P - 1]), Code.Span(name), Implicit: value is null);
    }

    /// <summary>Skips a declaration the reader does not read (code, or one that failed): to its <c>;</c>, or past its braced body.</summary>
    protected void SkipDeclaration()
    {
        if (Current.Is("}") || Current.Is(")") || Current.Is("]"))
        {
            P++;
            return;
        }

        while (Current.Kind is not TokenKind.End and not TokenKind.Directive)
        {
            if (Current.Is(";"))
            {
                P++;
                return;
            }

            if (Current.Is("{"))
            {
                SkipBalanced("{", "}");
                if (Current.Is(";"))
                {
                    P++;
                }

                return;
            }

            if (Current.Is("(") || Current.Is("["))
            {
                SkipBalanced(Current.Text, Current.Is("(") ? ")" : "]");
                continue;
            }

            if (Current.Is("}") || Current.Is(")") || Current.Is("]"))
            {
                throw new DeclarationException(Current, "a '" + Current.Text + "' that closes nothing");
            }

            P++;
        }
    }
}

/// <summary>A declaration that cannot be read, at <see cref="At"/>; a fatal one leaves the rest of the block unreadable.</summary>
internal sealed class DeclarationException(Token at, string message, bool fatal = false) : System.Exception(message)
{
    public Token At { get; } = at;

    public bool Fatal { get; } = fatal;
}
