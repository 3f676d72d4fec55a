using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Recognising.Code;

/// <summary>
/// Reads the Rust items of a code block: <c>const</c>s, <c>#[repr(C)]</c> structs and unions, <c>#[repr(uN)]</c>
/// enums and <c>type</c> aliases, with their <c>///</c> docs. Code that is not a declaration (<c>impl</c>, <c>fn</c>,
/// <c>use</c>, <c>mod</c>, <c>static</c>, <c>trait</c>, <c>macro_rules!</c>) is skipped; anything else that looks
/// like a declaration but cannot be read gets a diagnostic at its position, and the rest of the block is read.
/// </summary>
internal sealed class RustRecogniser
{
    private static readonly HashSet<string> IntegerTypes = new(System.StringComparer.Ordinal)
    {
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
    };

    // Items that are code, not declarations of data: skipped without a word.
    private static readonly HashSet<string> CodeItems = new(System.StringComparer.Ordinal)
    {
        "fn", "impl", "use", "mod", "trait", "static", "extern", "unsafe", "async", "let", "macro_rules", "crate",
    };

    private readonly CodeContext context;
    private readonly CodeTokens code;
    private readonly List<Token> tokens;
    private readonly RecognisedSpec spec;
    private readonly DiagnosticBag diagnostics;
    private RawConstantGroup? constants;
    private int p;

    private RustRecogniser(CodeContext context, RecognisedSpec spec, DiagnosticBag diagnostics)
    {
        this.context = context;
        code = context.Code;
        tokens = code.Tokens;
        this.spec = spec;
        this.diagnostics = diagnostics;
    }

    public static void Read(CodeContext context, RecognisedSpec spec, DiagnosticBag diagnostics) =>
        new RustRecogniser(context, spec, diagnostics).ReadItems();

    private Token Current => tokens[p];

    private Token Peek(int ahead = 1) => tokens[System.Math.Min(p + ahead, tokens.Count - 1)];

    private void ReadItems()
    {
        if (code.Error is { } lexical)
        {
            diagnostics.Add(SpecDiagnostics.MalformedDeclaration, code.Span(lexical.Position, lexical.Position + 1), "Rust", lexical.Problem);
        }

        while (Current.Kind != TokenKind.End)
        {
            var start = p;
            var mark = spec.Mark();
            try
            {
                ReadItem();
            }
            catch (DeclarationException problem)
            {
                spec.Restore(mark);
                spec.Seen.Recognised++;
                diagnostics.Add(SpecDiagnostics.MalformedDeclaration, code.Span(problem.At), "Rust", problem.Message);
                if (problem.Fatal)
                {
                    return;
                }

                // Skip the whole declaration it was found in, braces and all, so that one mistake is one diagnostic.
                p = start;
                try
                {
                    SkipToItemEnd();
                }
                catch (DeclarationException)
                {
                    // Nothing after it can be told apart: the rest of the block is not read.
                    return;
                }
            }

            if (p == start)
            {
                p++;
            }
        }
    }

    private void ReadItem()
    {
        var first = Current;
        var attributes = ReadAttributes();
        SkipVisibility();
        var keyword = Current;
        if (keyword.Kind == TokenKind.Identifier && keyword.Text is "const" && Peek().Kind == TokenKind.Identifier && Peek().Text != "fn")
        {
            ReadConst(first);
        }
        else if (keyword.Is("struct") || keyword.Is("union"))
        {
            ReadStruct(first, attributes);
        }
        else if (keyword.Is("enum"))
        {
            ReadEnum(first, attributes);
        }
        else if (keyword.Is("type"))
        {
            ReadAlias();
        }
        else if (keyword.Kind == TokenKind.Identifier && (CodeItems.Contains(keyword.Text) || keyword.Text == "const"))
        {
            SkipToItemEnd();
        }
        else if (keyword.Kind == TokenKind.Identifier && Peek().Is("!"))
        {
            // A macro invocation (bitflags! { ... }) declares what only the macro knows.
            spec.Seen.Recognised++;
            diagnostics.Add(SpecDiagnostics.DeclarationNotRead, code.Span(keyword), "The macro invocation '" + keyword.Text + "!'", "what it declares is known only to the macro; write the declarations it expands to");
            SkipToItemEnd();
        }
        else if (keyword.Kind == TokenKind.End && attributes.Count > 0)
        {
            throw new DeclarationException(first, "attributes with no item after them");
        }
        else
        {
            throw new DeclarationException(keyword, "'" + keyword.Text + "' does not start a Rust item the reader knows (const, struct, union, enum, type)");
        }
    }

    /// <summary><c>#[...]</c> attributes before an item or member, as their token texts joined; inner <c>#![...]</c> ones are skipped.</summary>
    private List<string> ReadAttributes()
    {
        var attributes = new List<string>();
        while (Current.Is("#"))
        {
            var inner = Peek().Is("!");
            p += inner ? 2 : 1;
            if (!Current.Is("["))
            {
                throw new DeclarationException(Current, "'#' starts no attribute");
            }

            var open = p;
            var close = SkipBalanced("[", "]");
            if (!inner)
            {
                attributes.Add(string.Concat(tokens.Skip(open + 1).Take(close - open - 1).Select(t => t.Text)));
            }
        }

        return attributes;
    }

    private void SkipVisibility()
    {
        if (Current.Is("pub"))
        {
            p++;
            if (Current.Is("("))
            {
                SkipBalanced("(", ")");
            }
        }
    }

    private void ReadConst(Token first)
    {
        p++;
        var name = Expect(TokenKind.Identifier, "a constant's name");
        ExpectPunctuation(":");
        var typeStart = Current;
        while (!Current.Is("=") && !Current.Is(";") && Current.Kind != TokenKind.End)
        {
            p++;
        }

        var type = code.Slice(typeStart.Start, tokens[p - 1].End).Replace(" ", string.Empty);
        ExpectPunctuation("=");
        var valueStart = Current;
        var depth = 0;
        while (Current.Kind != TokenKind.End && !(depth == 0 && Current.Is(";")))
        {
            depth += Current.Is("(") || Current.Is("[") || Current.Is("{") ? 1 : Current.Is(")") || Current.Is("]") || Current.Is("}") ? -1 : 0;
            p++;
        }

        var valueEnd = tokens[p - 1];
        var semicolon = ExpectPunctuation(";");
        if (name.Text == "_")
        {
            // const _: () = assert!(...): a compile-time check, not a constant.
            return;
        }

        spec.Seen.Recognised++;
        if (!IntegerTypes.Contains(type))
        {
            diagnostics.Add(SpecDiagnostics.DeclarationNotRead, code.Span(name), "Constant '" + name.Text + "'", "its type '" + type + "' is not an integer type (u8 to u64, i8 to i64, usize, isize)");
            return;
        }

        constants ??= NewGroup(first);
        constants.Constants.Add(new RawConstant(
            name.Text,
            new RawExpression(code.Slice(valueStart.Start, valueEnd.End), code.Span(valueStart, valueEnd), DeclarationStyle.Rust),
            context.Describe(first, semicolon, rust: true),
            code.Span(first, semicolon),
            code.Span(name),
            type));
    }

    private RawConstantGroup NewGroup(Token first)
    {
        var name = context.Heading.Length > 0 ? context.Heading : context.FallbackGroupName(first);
        var group = new RawConstantGroup(name, ConstantGroupKind.Values, DeclarationStyle.Rust, code.Span(first), context.Position, context.Ancestors);
        spec.ConstantGroups.Add(group);
        return group;
    }

    private void ReadStruct(Token first, List<string> attributes)
    {
        var isUnion = Current.Is("union");
        p++;
        var name = Expect(TokenKind.Identifier, "a struct's name");
        spec.Seen.Recognised++;
        var repr = Repr(attributes);
        if (Current.Is("<"))
        {
            SkipBalanced("<", ">");
            diagnostics.Add(SpecDiagnostics.DeclarationNotRead, code.Span(name), "Struct '" + name.Text + "'", "a generic struct has no layout of its own");
            SkipBodyOrSemicolon();
            return;
        }

        if (Current.Is("(") || Current.Is(";"))
        {
            diagnostics.Add(SpecDiagnostics.DeclarationNotRead, code.Span(name), "Struct '" + name.Text + "'", "a tuple or unit struct has no named fields; write one with fields");
            SkipBodyOrSemicolon();
            return;
        }

        if (attributes.Any(a => a.StartsWith("bitfield(", System.StringComparison.Ordinal)))
        {
            diagnostics.Add(SpecDiagnostics.DeclarationNotRead, code.Span(name), "Struct '" + name.Text + "'", "#[bitfield] structs (the bitfield-struct crate) are not read yet; write its bits as a bit table");
            SkipBodyOrSemicolon();
            return;
        }

        var open = ExpectPunctuation("{");
        var structure = new RawStruct(name.Text, DeclarationStyle.Rust, code.Span(first), code.Span(name), context.Position)
        {
            IsUnion = isUnion,
            PackLimit = repr.Pack,
            AlignAttribute = repr.Align,
            RustLayout = !repr.C,
            Description = context.Describe(first, open, rust: true, after: int.MaxValue),
        };
        while (!Current.Is("}"))
        {
            if (Current.Kind == TokenKind.End)
            {
                throw new DeclarationException(open, "the '{' of '" + name.Text + "' has no matching '}'", fatal: true);
            }

            var fieldFirst = Current;
            ReadAttributes();
            SkipVisibility();
            var fieldName = Expect(TokenKind.Identifier, "a field's name");
            ExpectPunctuation(":");
            var type = ReadType();
            var last = tokens[p - 1];
            if (Current.Is(","))
            {
                last = Current;
                p++;
            }
            else if (!Current.Is("}"))
            {
                throw new DeclarationException(Current, "expected ',' or '}' after field '" + fieldName.Text + "'");
            }

            structure.Members.Add(new RawMember(
                MemberKind.ByType, fieldName.Text, context.Describe(fieldFirst, last, rust: true), code.Span(fieldFirst, tokens[p - 1]), code.Span(fieldName), Type: type,
                Reserved: CellValues.IsReservedIdentifier(fieldName.Text)));
        }

        p++;
        spec.Structs.Add(structure);
    }

    /// <summary>A field type: a path, <c>[T; N]</c>, or a pointer (<c>*const T</c>, <c>*mut T</c>, <c>&amp;T</c>).</summary>
    private RawType ReadType(int depth = 0)
    {
        var first = Current;
        if (depth > 64)
        {
            // Deeper than any real type nests, and shallow enough that no spec exhausts the stack.
            throw new DeclarationException(first, "the type nests deeper than 64 levels", fatal: true);
        }

        if (Current.Is("["))
        {
            p++;
            var element = ReadType(depth + 1);
            ExpectPunctuation(";");
            var lengthStart = Current;
            var open = 0;
            while (Current.Kind != TokenKind.End && !(open == 0 && Current.Is("]")))
            {
                open += Current.Is("[") || Current.Is("(") ? 1 : Current.Is("]") || Current.Is(")") ? -1 : 0;
                p++;
            }

            var lengthEnd = tokens[p - 1];
            ExpectPunctuation("]");
            var length = new RawExpression(code.Slice(lengthStart.Start, lengthEnd.End), code.Span(lengthStart, lengthEnd), DeclarationStyle.Rust);
            return element with { Lengths = new[] { length }.Concat(element.Lengths).ToList(), Span = code.Span(first, tokens[p - 1]) };
        }

        if (Current.Is("*") || Current.Is("&") || Current.Is("&&"))
        {
            p++;
            while (Current.Is("const") || Current.Is("mut") || (Current.Kind == TokenKind.Character))
            {
                p++;
            }

            var target = ReadType(depth + 1);
            return new RawType(target.Name, null, new List<RawExpression>(), false, Pointer: true, code.Span(first, tokens[p - 1]));
        }

        if (Current.Is("("))
        {
            var close = SkipBalanced("(", ")");
            return new RawType(code.Slice(first.Start, tokens[close].End), null, new List<RawExpression>(), false, false, code.Span(first, tokens[close]));
        }

        var segment = Expect(TokenKind.Identifier, "a type");
        while (Current.Is("::") && Peek().Kind == TokenKind.Identifier)
        {
            p++;
            segment = Current;
            p++;
        }

        var name = segment.Text;
        if (Current.Is("<"))
        {
            var close = SkipBalanced("<", ">");
            name = code.Slice(segment.Start, tokens[close].End);
        }

        return new RawType(name, null, new List<RawExpression>(), false, false, code.Span(first, tokens[p - 1]));
    }

    private void ReadEnum(Token first, List<string> attributes)
    {
        p++;
        var name = Expect(TokenKind.Identifier, "an enum's name");
        spec.Seen.Recognised++;
        if (Current.Is("<"))
        {
            SkipBalanced("<", ">");
            diagnostics.Add(SpecDiagnostics.DeclarationNotRead, code.Span(name), "Enum '" + name.Text + "'", "a generic enum has no layout of its own");
            SkipBodyOrSemicolon();
            return;
        }

        var openIndex = p;
        var open = ExpectPunctuation("{");
        var repr = Repr(attributes);
        var group = new RawConstantGroup(name.Text, ConstantGroupKind.Enum, DeclarationStyle.Rust, code.Span(first), context.Position, context.Ancestors)
        {
            EnumSize = repr.IntegerSize,
            EnumSizeUnknown = repr.IntegerSize is null,
            Description = context.Describe(first, open, rust: true, after: int.MaxValue),
        };
        while (!Current.Is("}"))
        {
            if (Current.Kind == TokenKind.End)
            {
                throw new DeclarationException(open, "the '{' of '" + name.Text + "' has no matching '}'", fatal: true);
            }

            var variantFirst = Current;
            ReadAttributes();
            var variant = Expect(TokenKind.Identifier, "a variant's name");
            if (Current.Is("(") || Current.Is("{"))
            {
                diagnostics.Add(SpecDiagnostics.DeclarationNotRead, code.Span(name), "Enum '" + name.Text + "'", "its variant '" + variant.Text + "' holds data, so it is not a set of values");
                p = openIndex;
                SkipBalanced("{", "}");
                return;
            }

            RawExpression? value = null;
            if (Current.Is("="))
            {
                p++;
                var valueStart = Current;
                var depth = 0;
                while (Current.Kind != TokenKind.End && !(depth == 0 && (Current.Is(",") || Current.Is("}"))))
                {
                    depth += Current.Is("(") ? 1 : Current.Is(")") ? -1 : 0;
                    p++;
                }

                var valueEnd = tokens[p - 1];
                value = new RawExpression(code.Slice(valueStart.Start, valueEnd.End), code.Span(valueStart, valueEnd), DeclarationStyle.Rust);
            }

            var last = tokens[p - 1];
            if (Current.Is(","))
            {
                last = Current;
                p++;
            }
            else if (!Current.Is("}"))
            {
                throw new DeclarationException(Current, "expected ',' or '}' after variant '" + variant.Text + "'");
            }

            group.Constants.Add(new RawConstant(variant.Text, value, context.Describe(variantFirst, last, rust: true), code.Span(variantFirst, tokens[p - 1]), code.Span(variant), Implicit: value is null));
        }

        p++;
        spec.ConstantGroups.Add(group);
    }

    private void ReadAlias()
    {
        p++;
        var name = Expect(TokenKind.Identifier, "an alias's name");
        if (Current.Is("<"))
        {
            SkipToItemEnd();
            return;
        }

        ExpectPunctuation("=");
        var target = ReadType();
        ExpectPunctuation(";");
        spec.Aliases.Add(new RawTypeAlias(name.Text, target, code.Span(name)));
    }

    /// <summary>What <c>#[repr(...)]</c> says: C layout, packing, alignment, an enum's integer.</summary>
    private static (bool C, int? Pack, int? Align, int? IntegerSize) Repr(List<string> attributes)
    {
        bool c = false;
        int? pack = null;
        int? align = null;
        int? integer = null;
        foreach (var attribute in attributes.Where(a => a.Length > 5 && a.StartsWith("repr(", System.StringComparison.Ordinal) && a.EndsWith(")", System.StringComparison.Ordinal)))
        {
            var inner = attribute.Substring(5, attribute.Length - 6);
            foreach (var part in SplitTopLevel(inner))
            {
                switch (part)
                {
                    case "C":
                    case "transparent":
                        c = true;
                        break;
                    case "packed":
                        pack = 1;
                        break;
                    default:
                        if (part.StartsWith("packed(", System.StringComparison.Ordinal) && int.TryParse(part.Substring(7).TrimEnd(')'), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                        {
                            pack = n;
                        }
                        else if (part.StartsWith("align(", System.StringComparison.Ordinal) && int.TryParse(part.Substring(6).TrimEnd(')'), NumberStyles.None, CultureInfo.InvariantCulture, out var a))
                        {
                            align = a;
                        }
                        else if (part.Length > 1 && (part[0] == 'u' || part[0] == 'i') && int.TryParse(part.Substring(1), NumberStyles.None, CultureInfo.InvariantCulture, out var bits) && bits is 8 or 16 or 32 or 64)
                        {
                            integer = bits / 8;
                            c = true;
                        }
                        else if (part is "usize" or "isize")
                        {
                            integer = 8;
                            c = true;
                        }

                        break;
                }
            }
        }

        return (c, pack, align, integer);
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
            if (text[i] == ',' && depth == 0)
            {
                yield return text.Substring(start, i - start).Trim();
                start = i + 1;
            }
        }

        yield return text.Substring(start).Trim();
    }

    private Token Expect(TokenKind kind, string what)
    {
        var token = Current;
        if (token.Kind != kind || (kind == TokenKind.Identifier && token.Text.Length == 0))
        {
            throw new DeclarationException(token, "expected " + what + (token.Kind == TokenKind.End ? " before the block ends" : ", found '" + token.Text + "'"));
        }

        p++;
        return token;
    }

    private Token ExpectPunctuation(string symbol)
    {
        var token = Current;
        if (!token.Is(symbol))
        {
            throw new DeclarationException(token, "expected '" + symbol + "'" + (token.Kind == TokenKind.End ? " before the block ends" : ", found '" + token.Text + "'"));
        }

        p++;
        return token;
    }

    /// <summary>Skips from an opening symbol at the current token to its match; returns the match's index.</summary>
    private int SkipBalanced(string open, string close)
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
                    return p++;
                }
            }

            p++;
        }

        throw new DeclarationException(opening, "the '" + open + "' has no matching '" + close + "'", fatal: true);
    }

    private void SkipBodyOrSemicolon()
    {
        if (Current.Is("}") || Current.Is(")") || Current.Is("]"))
        {
            p++;
            return;
        }

        while (Current.Kind != TokenKind.End)
        {
            if (Current.Is(";"))
            {
                p++;
                return;
            }

            if (Current.Is("{"))
            {
                SkipBalanced("{", "}");
                if (Current.Is(";"))
                {
                    p++;
                }

                return;
            }

            if (Current.Is("("))
            {
                SkipBalanced("(", ")");
                continue;
            }

            if (Current.Is("["))
            {
                SkipBalanced("[", "]");
                continue;
            }

            p++;
        }
    }

    /// <summary>Skips an item of code: to its <c>;</c> or past its braced body, whichever comes first.</summary>
    private void SkipToItemEnd() => SkipBodyOrSemicolon();
}

/// <summary>A declaration that cannot be read, at <see cref="At"/>; a fatal one leaves the rest of the block unreadable.</summary>
internal sealed class DeclarationException(Token at, string message, bool fatal = false) : System.Exception(message)
{
    public Token At { get; } = at;

    public bool Fatal { get; } = fatal;
}
