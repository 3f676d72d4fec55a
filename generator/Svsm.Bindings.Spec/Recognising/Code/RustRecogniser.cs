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
internal sealed class RustRecogniser : DeclarationRecogniser
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

    private RawConstantGroup? constants;

    private RustRecogniser(CodeContext context, RecognisedSpec spec, DiagnosticBag diagnostics)
        : base(context, spec, diagnostics, "Rust")
    {
    }

    public static void Read(CodeContext context, RecognisedSpec spec, DiagnosticBag diagnostics) =>
        new RustRecogniser(context, spec, diagnostics).ReadAll();

    protected override void ReadOne()
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
            SkipDeclaration();
        }
        else if (keyword.Kind == TokenKind.Identifier && Peek().Is("!"))
        {
            // A macro invocation (bitflags! { ... }) declares what only the macro knows.
            Spec.Seen.Recognised++;
            Diagnostics.Add(SpecDiagnostics.DeclarationNotRead, Code.Span(keyword), "The macro invocation '" + keyword.Text + "!'", "what it declares is known only to the macro; write the declarations it expands to");
            SkipDeclaration();
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
            P += inner ? 2 : 1;
            if (!Current.Is("["))
            {
                throw new DeclarationException(Current, "'#' starts no attribute");
            }

            var open = P;
            var close = SkipBalanced("[", "]");
            if (!inner)
            {
                attributes.Add(string.Concat(Tokens.Skip(open + 1).Take(close - open - 1).Select(t => t.Text)));
            }
        }

        return attributes;
    }

    private void SkipVisibility()
    {
        if (Current.Is("pub"))
        {
            P++;
            if (Current.Is("("))
            {
                SkipBalanced("(", ")");
            }
        }
    }

    private void ReadConst(Token first)
    {
        P++;
        var name = Expect(TokenKind.Identifier, "a constant's name");
        ExpectPunctuation(":");
        var typeStart = Current;
        while (!Current.Is("=") && !Current.Is(";") && Current.Kind != TokenKind.End)
        {
            P++;
        }

        var type = Code.Slice(typeStart.Start, Tokens[P - 1].End).Replace(" ", string.Empty);
        ExpectPunctuation("=");
        var valueStart = Current;
        var depth = 0;
        while (Current.Kind != TokenKind.End && !(depth == 0 && Current.Is(";")))
        {
            depth += Current.Is("(") || Current.Is("[") || Current.Is("{") ? 1 : Current.Is(")") || Current.Is("]") || Current.Is("}") ? -1 : 0;
            P++;
        }

        var valueEnd = Tokens[P - 1];
        var semicolon = ExpectPunctuation(";");
        if (name.Text == "_")
        {
            // const _: () = assert!(...): a compile-time check, not a constant.
            return;
        }

        Spec.Seen.Recognised++;
        if (!IntegerTypes.Contains(type))
        {
            Diagnostics.Add(SpecDiagnostics.DeclarationNotRead, Code.Span(name), "Constant '" + name.Text + "'", "its type '" + type + "' is not an integer type (u8 to u64, i8 to i64, usize, isize)");
            return;
        }

        constants ??= NewGroup(first);
        constants.Constants.Add(new RawConstant(
            name.Text,
            new RawExpression(Code.Slice(valueStart.Start, valueEnd.End), Code.Span(valueStart, valueEnd), DeclarationStyle.Rust),
            Context.Describe(first, semicolon, rust: true),
            Code.Span(first, semicolon),
            Code.Span(name),
            type));
    }

    private RawConstantGroup NewGroup(Token first)
    {
        var name = Context.Heading.Length > 0 ? Context.Heading : Context.FallbackGroupName(first);
        var group = new RawConstantGroup(name, ConstantGroupKind.Values, DeclarationStyle.Rust, Code.Span(first), Context.Position, Context.Ancestors);
        Spec.ConstantGroups.Add(group);
        return group;
    }

    private void ReadStruct(Token first, List<string> attributes)
    {
        var isUnion = Current.Is("union");
        P++;
        var name = Expect(TokenKind.Identifier, "a struct's name");
        Spec.Seen.Recognised++;
        var repr = Repr(attributes);
        if (Current.Is("<"))
        {
            SkipBalanced("<", ">");
            Diagnostics.Add(SpecDiagnostics.DeclarationNotRead, Code.Span(name), "Struct '" + name.Text + "'", "a generic struct has no layout of its own");
            SkipDeclaration();
            return;
        }

        if (Current.Is("(") || Current.Is(";"))
        {
            Diagnostics.Add(SpecDiagnostics.DeclarationNotRead, Code.Span(name), "Struct '" + name.Text + "'", "a tuple or unit struct has no named fields; write one with fields");
            SkipDeclaration();
            return;
        }

        if (attributes.Any(a => a.StartsWith("bitfield(", System.StringComparison.Ordinal)))
        {
            Diagnostics.Add(SpecDiagnostics.DeclarationNotRead, Code.Span(name), "Struct '" + name.Text + "'", "#[bitfield] structs (the bitfield-struct crate) are not read yet; write its bits as a bit table");
            SkipDeclaration();
            return;
        }

        var open = ExpectPunctuation("{");
        var structure = new RawStruct(name.Text, DeclarationStyle.Rust, Code.Span(first), Code.Span(name), Context.Position)
        {
            IsUnion = isUnion,
            PackLimit = repr.Pack,
            AlignAttribute = repr.Align,
            RustLayout = !repr.C,
            Description = Context.Describe(first, open, rust: true, after: int.MaxValue),
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
            var last = Tokens[P - 1];
            if (Current.Is(","))
            {
                last = Current;
                P++;
            }
            else if (!Current.Is("}"))
            {
                throw new DeclarationException(Current, "expected ',' or '}' after field '" + fieldName.Text + "'");
            }

            structure.Members.Add(new RawMember(
                MemberKind.ByType, fieldName.Text, Context.Describe(fieldFirst, last, rust: true), Code.Span(fieldFirst, Tokens[P - 1]), Code.Span(fieldName), Type: type,
                Reserved: CellValues.IsReservedIdentifier(fieldName.Text)));
        }

        P++;
        Spec.Structs.Add(structure);
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
            P++;
            var element = ReadType(depth + 1);
            ExpectPunctuation(";");
            var lengthStart = Current;
            var open = 0;
            while (Current.Kind != TokenKind.End && !(open == 0 && Current.Is("]")))
            {
                open += Current.Is("[") || Current.Is("(") ? 1 : Current.Is("]") || Current.Is(")") ? -1 : 0;
                P++;
            }

            var lengthEnd = Tokens[P - 1];
            ExpectPunctuation("]");
            var length = new RawExpression(Code.Slice(lengthStart.Start, lengthEnd.End), Code.Span(lengthStart, lengthEnd), DeclarationStyle.Rust);
            return element with { Lengths = new[] { length }.Concat(element.Lengths).ToList(), Span = Code.Span(first, Tokens[P - 1]) };
        }

        if (Current.Is("*") || Current.Is("&") || Current.Is("&&"))
        {
            P++;
            while (Current.Is("const") || Current.Is("mut") || (Current.Kind == TokenKind.Character))
            {
                P++;
            }

            var target = ReadType(depth + 1);
            return new RawType(target.Name, null, new List<RawExpression>(), false, Pointer: true, Code.Span(first, Tokens[P - 1]));
        }

        if (Current.Is("("))
        {
            var close = SkipBalanced("(", ")");
            return new RawType(Code.Slice(first.Start, Tokens[close].End), null, new List<RawExpression>(), false, false, Code.Span(first, Tokens[close]));
        }

        var segment = Expect(TokenKind.Identifier, "a type");
        while (Current.Is("::") && Peek().Kind == TokenKind.Identifier)
        {
            P++;
            segment = Current;
            P++;
        }

        var name = segment.Text;
        if (Current.Is("<"))
        {
            var close = SkipBalanced("<", ">");
            name = Code.Slice(segment.Start, Tokens[close].End);
        }

        return new RawType(name, null, new List<RawExpression>(), false, false, Code.Span(first, Tokens[P - 1]));
    }

    private void ReadEnum(Token first, List<string> attributes)
    {
        P++;
        var name = Expect(TokenKind.Identifier, "an enum's name");
        Spec.Seen.Recognised++;
        if (Current.Is("<"))
        {
            SkipBalanced("<", ">");
            Diagnostics.Add(SpecDiagnostics.DeclarationNotRead, Code.Span(name), "Enum '" + name.Text + "'", "a generic enum has no layout of its own");
            SkipDeclaration();
            return;
        }

        var openIndex = P;
        var open = ExpectPunctuation("{");
        var repr = Repr(attributes);
        var group = new RawConstantGroup(name.Text, ConstantGroupKind.Enum, DeclarationStyle.Rust, Code.Span(first), Context.Position, Context.Ancestors)
        {
            EnumSize = repr.IntegerSize,
            EnumSizeUnknown = repr.IntegerSize is null,
            Description = Context.Describe(first, open, rust: true, after: int.MaxValue),
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
                Diagnostics.Add(SpecDiagnostics.DeclarationNotRead, Code.Span(name), "Enum '" + name.Text + "'", "its variant '" + variant.Text + "' holds data, so it is not a set of values");
                P = openIndex;
                SkipBalanced("{", "}");
                return;
            }

            group.Constants.Add(ReadEnumerator(variantFirst, variant, "variant", DeclarationStyle.Rust));
        }

        P++;
        Spec.ConstantGroups.Add(group);
    }

    private void ReadAlias()
    {
        P++;
        var name = Expect(TokenKind.Identifier, "an alias's name");
        if (Current.Is("<"))
        {
            SkipDeclaration();
            return;
        }

        ExpectPunctuation("=");
        var target = ReadType();
        ExpectPunctuation(";");
        Spec.Aliases.Add(new RawTypeAlias(name.Text, target, Code.Span(name)));
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
}
