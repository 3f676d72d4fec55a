using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Recognising.Code;

/// <summary>
/// Reads the C declarations of a code block: <c>struct</c>s and <c>union</c>s (anonymous members included, with
/// bit-fields and layout attributes), <c>enum</c>s, <c>typedef</c>s, and <c>#define</c>s, which become constants,
/// flag sets or ioctls. Function declarations and definitions and variables are skipped; preprocessor lines other
/// than <c>#define</c> and <c>#pragma pack</c> get an info and are skipped.
/// </summary>
internal sealed class CRecogniser : DeclarationRecogniser
{
    private const RegexOptions Options = RegexOptions.CultureInvariant;

    private static readonly Regex PragmaPack = new(@"^#\s*pragma\s+pack\s*\(\s*(?:(?<push>push)\s*(?:,\s*(?<n>\d+))?|(?<pop>pop)|(?<n>\d+))?\s*\)", Options);
    private static readonly Regex Tag = new(@"^(?:struct|union)\s+", Options);
    private static readonly Regex PackedAttribute = new(@"\b_*packed_*\b", Options);
    private static readonly Regex AlignedAttribute = new(@"\b_*aligned_*\s*\(\s*(?<n>[0-9xXa-fA-F]+)\s*\)", Options);
    private static readonly Regex BareAligned = new(@"\b_*aligned_*\b(?!\s*\()", Options);
    private static readonly Regex Ioctl = new(@"^(?<dir>_IOWR|_IOR|_IOW|_IO)\s*\((?<args>.*)\)$", Options);
    private static readonly Regex BoundField = new(@"^'?(?<field>[A-Za-z_][A-Za-z0-9_]*)'?\s+(?:field\s+)?(?:bits|flags|values)$|^(?:bits|flags)\s+(?:of|for|in)\s+(?:the\s+)?'?(?<field>[A-Za-z_][A-Za-z0-9_]*)'?(?:\s+field)?$", Options | RegexOptions.IgnoreCase);

    // Words that qualify a type or a declaration but do not change its layout.
    private static readonly HashSet<string> Qualifiers = new(System.StringComparer.Ordinal)
    {
        "const", "volatile", "restrict", "__restrict", "__restrict__", "static", "extern", "inline", "__inline", "__inline__",
        "register", "__user", "__iomem", "__force", "__rcu", "__must_check", "__always_inline", "__extension__", "_Atomic",
        "__bitwise", "__attribute_const__", "EFIAPI", "CONST",
    };

    // The words C builds its basic types from.
    private static readonly HashSet<string> BasicTypeWords = new(System.StringComparer.Ordinal)
    {
        "unsigned", "signed", "char", "short", "int", "long", "_Bool", "float", "double", "void", "__signed__",
    };

    private RawConstantGroup? defines;
    private int? packLimit;
    private readonly Stack<int?> packStack = new();
    private int anonymous;
    private int nesting;

    // Deeper than any real header nests its aggregates, and shallow enough that no spec exhausts the stack.
    private const int MaxNesting = 64;

    private CRecogniser(CodeContext context, RecognisedSpec spec, DiagnosticBag diagnostics)
        : base(context, spec, diagnostics, "C")
    {
    }

    public static void Read(CodeContext context, RecognisedSpec spec, DiagnosticBag diagnostics) =>
        new CRecogniser(context, spec, diagnostics).ReadAll();

    protected override void ReadOne()
    {
        if (Current.Kind == TokenKind.Directive)
        {
            ReadDirective(Current);
            P++;
        }
        else
        {
            defines = null;
            ReadDeclaration();
        }
    }

    protected override void Recovered()
    {
        defines = null;
        nesting = 0;
    }

    private void ReadDirective(Token directive)
    {
        // The directive's word is read by hand: a spec's C has a #define on most lines, and an interpreted pattern
        // per line cost more than the rest of reading it.
        var text = directive.Text;
        var hashed = text.StartsWith("#", System.StringComparison.Ordinal);
        var wordStart = SkipWhiteSpace(text, 1);
        var wordEnd = wordStart;
        while (hashed && wordEnd < text.Length && (IsAsciiLetter(text[wordEnd]) || text[wordEnd] == '_'))
        {
            wordEnd++;
        }

        var word = wordEnd > wordStart ? text.Substring(wordStart, wordEnd - wordStart) : text;
        if (word == "define" && ReadDefineName(text, wordEnd) is { } define)
        {
            ReadDefine(directive, define.Name, define.FunctionLike, define.End);
            return;
        }

        if (word == "pragma" && PragmaPack.Match(text) is { Success: true } pack)
        {
            // gcc's #pragma pack caps the alignment of every member of the structs that follow.
            if (pack.Groups["pop"].Success)
            {
                packLimit = packStack.Count > 0 ? packStack.Pop() : null;
            }
            else
            {
                if (pack.Groups["push"].Success)
                {
                    packStack.Push(packLimit);
                }

                packLimit = pack.Groups["n"].Success
                    ? int.TryParse(pack.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 1 << 20 ? n : null
                    : pack.Groups["push"].Success ? packLimit : null;
            }

            return;
        }

        var why = word switch
        {
            "include" => "the reader does not follow #include; declare in the spec what it uses",
            "if" or "ifdef" or "ifndef" or "elif" or "else" or "endif" => "the reader takes no condition into account: the declarations on every side of it are read",
            _ => "the reader does not act on #" + word,
        };
        Diagnostics.Add(SpecDiagnostics.PreprocessorLineSkipped, Code.Span(directive), Shorten(text), why);
    }

    // After "#define": white space, then the name ([A-Za-z_][A-Za-z0-9_]*), then '(' right after it for a function-like macro.
    private static (string Name, bool FunctionLike, int End)? ReadDefineName(string text, int afterDefine)
    {
        var start = SkipWhiteSpace(text, afterDefine);
        if (start == afterDefine || start >= text.Length || !(IsAsciiLetter(text[start]) || text[start] == '_'))
        {
            return null;
        }

        var end = start + 1;
        while (end < text.Length && (IsAsciiLetter(text[end]) || (text[end] is >= '0' and <= '9') || text[end] == '_'))
        {
            end++;
        }

        var functionLike = end < text.Length && text[end] == '(';
        return (text.Substring(start, end - start), functionLike, functionLike ? end + 1 : end);
    }

    private static int SkipWhiteSpace(string text, int at)
    {
        while (at < text.Length && char.IsWhiteSpace(text[at]))
        {
            at++;
        }

        return at;
    }

    private static bool IsAsciiLetter(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');

    private void ReadDefine(Token directive, string name, bool functionLike, int headLength)
    {
        var nameStart = Code.Text.IndexOf(name, directive.Start, System.StringComparison.Ordinal);
        var nameSpan = Code.Span(nameStart, nameStart + name.Length);
        if (functionLike)
        {
            Diagnostics.Add(SpecDiagnostics.PreprocessorLineSkipped, Code.Span(directive), Shorten(directive.Text), "function-like macros are not expanded");
            return;
        }

        var value = directive.Text.Substring(headLength).Trim();
        if (value.Length == 0)
        {
            // An include guard or a switch for #ifdef: it defines no value.
            return;
        }

        Spec.Seen.Recognised++;
        var valueStart = Code.Text.IndexOf(value.Split(' ')[0], nameStart + name.Length, System.StringComparison.Ordinal);
        var valueSpan = valueStart < 0 ? Code.Span(directive) : Code.Span(valueStart, System.Math.Min(directive.End, valueStart + value.Length));
        var description = Context.Describe(directive, directive, rust: false, after: directive.Start);
        if (value.StartsWith("\"", System.StringComparison.Ordinal) || value.StartsWith("{", System.StringComparison.Ordinal))
        {
            Diagnostics.Add(SpecDiagnostics.PreprocessorLineSkipped, Code.Span(directive), Shorten(directive.Text), "its value is not an integer");
            return;
        }

        var unwrapped = value;
        while (unwrapped.StartsWith("(", System.StringComparison.Ordinal) && unwrapped.EndsWith(")", System.StringComparison.Ordinal) && Balanced(unwrapped.Substring(1, unwrapped.Length - 2)))
        {
            unwrapped = unwrapped.Substring(1, unwrapped.Length - 2).Trim();
        }

        if (unwrapped.StartsWith("_IO", System.StringComparison.Ordinal) && Ioctl.Match(unwrapped) is { Success: true } ioctl)
        {
            ReadIoctlDefine(name, ioctl, description, valueSpan, Code.Span(directive));
            return;
        }

        var group = DefineGroup(directive);
        group.Constants.Add(new RawConstant(name, new RawExpression(value, valueSpan, DeclarationStyle.C), description, Code.Span(directive), nameSpan));
    }

    /// <summary>
    /// The set a <c>#define</c> joins: the current run of defines, unless a group comment stands between the last
    /// one and this one (or none has been seen since another declaration): then a new set, named by that comment,
    /// else by the heading above the block.
    /// </summary>
    private RawConstantGroup DefineGroup(Token directive)
    {
        var previousEnd = defines is null ? (P > 0 ? Tokens[P - 1].End : 0) : defines.LastEnd;
        var title = Context.LastGroupComment(previousEnd, directive.Start) is { } comment ? CodeContext.GroupTitle(comment) ?? comment.Text : null;
        if (defines is null || title is not null)
        {
            var name = title ?? (Context.Heading.Length > 0 ? Context.Heading : Context.FallbackGroupName(directive));
            defines = new RawConstantGroup(name, ConstantGroupKind.Values, DeclarationStyle.C, Code.Span(directive), Context.Position, Context.Ancestors);
            if (title is not null && BoundField.Match(title) is { Success: true } bound)
            {
                defines.BoundField = bound.Groups["field"].Value;
            }

            Spec.ConstantGroups.Add(defines);
        }

        defines.LastEnd = directive.End;
        return defines;
    }

    private void ReadIoctlDefine(string name, Match ioctl, string description, SpecSpan valueSpan, SpecSpan span)
    {
        var arguments = SplitArguments(ioctl.Groups["args"].Value);
        var direction = ioctl.Groups["dir"].Value switch
        {
            "_IO" => IoctlDirection.None,
            "_IOR" => IoctlDirection.Read,
            "_IOW" => IoctlDirection.Write,
            _ => IoctlDirection.ReadWrite,
        };
        var wanted = direction == IoctlDirection.None ? 2 : 3;
        if (arguments.Count != wanted)
        {
            Diagnostics.NoteLeftOut(
                Diagnostics.Add(SpecDiagnostics.MalformedDeclaration, valueSpan, "C", ioctl.Groups["dir"].Value + " takes " + wanted + " arguments (type, number" + (wanted == 3 ? ", argument type)" : ")")),
                "ioctl '" + name + "'");
            return;
        }

        var argument = wanted == 3 ? Tag.Replace(arguments[2], string.Empty).Trim() : string.Empty;
        Spec.Ioctls.Add(new RawIoctl(
            name, direction, new RawExpression(arguments[0], valueSpan, DeclarationStyle.C), new RawExpression(arguments[1], valueSpan, DeclarationStyle.C),
            argument, valueSpan, description, span));
    }

    private void ReadDeclaration()
    {
        var first = Current;
        if (Current.Is(";"))
        {
            P++;
            return;
        }

        var isTypedef = false;
        if (Current.Is("typedef"))
        {
            isTypedef = true;
            P++;
        }

        var specifiers = ReadSpecifiers(first, owner: null);
        if (specifiers.Type is null)
        {
            throw new DeclarationException(Current, "'" + Current.Text + "' does not start a declaration the reader knows (struct, union, enum, typedef, #define)");
        }

        // "struct x { ... };", "enum y { ... };": the declaration is the type itself.
        if (Current.Is(";"))
        {
            P++;
            if (isTypedef)
            {
                throw new DeclarationException(first, "a typedef without a name");
            }

            return;
        }

        if (!isTypedef)
        {
            // A function or a variable: code, not a declaration of data.
            SkipDeclaration();
            return;
        }

        while (true)
        {
            var declarator = ReadDeclarator(specifiers.Type, allowBits: false);
            if (declarator.Name is null)
            {
                throw new DeclarationException(Current, "a typedef without a name");
            }

            if (declarator.Function)
            {
                // A typedef of a function type names no data.
            }
            else if (specifiers.Defined is { Unnamed: true } defined && !declarator.Type.Pointer && declarator.Type.Lengths.Count == 0)
            {
                // typedef struct { ... } NAME; the struct is NAME.
                defined.Rename(declarator.Name.Value.Text, Code.Span(declarator.Name.Value));
            }
            else if (specifiers.DefinedEnum is { Unnamed: true } definedEnum && !declarator.Type.Pointer)
            {
                definedEnum.Rename(declarator.Name.Value.Text);
            }
            else
            {
                Spec.Aliases.Add(new RawTypeAlias(declarator.Name.Value.Text, declarator.Type, Code.Span(declarator.Name.Value)));
            }

            if (Current.Is(","))
            {
                P++;
                continue;
            }

            ExpectPunctuation(";");
            return;
        }
    }

    /// <summary>What <see cref="ReadSpecifiers"/> found: the type, and a struct or enum it declared on the way.</summary>
    private sealed record Specifiers(RawType? Type, PendingStruct? Defined, PendingEnum? DefinedEnum, int? Align, bool Packed);

    /// <summary>
    /// Type specifiers, qualifiers and attributes up to the first declarator: a basic type (<c>unsigned long</c>),
    /// a typedef name (<c>__u64</c>), or <c>struct</c>/<c>union</c>/<c>enum</c> with a tag, a body or both.
    /// </summary>
    private Specifiers ReadSpecifiers(Token first, RawStruct? owner)
    {
        var basic = new List<string>();
        RawType? type = null;
        PendingStruct? defined = null;
        PendingEnum? definedEnum = null;
        int? align = null;
        var packed = false;
        var start = Current;
        while (true)
        {
            if (Current.Kind != TokenKind.Identifier)
            {
                break;
            }

            var word = Current.Text;
            if (ReadAttribute(out var attributeAlign, out var attributePacked))
            {
                align = attributeAlign ?? align;
                packed |= attributePacked;
                continue;
            }

            if (Qualifiers.Contains(word))
            {
                P++;
                continue;
            }

            if (BasicTypeWords.Contains(word))
            {
                basic.Add(word);
                P++;
                continue;
            }

            if (type is not null || basic.Count > 0)
            {
                break;
            }

            if (word is "struct" or "union")
            {
                defined = ReadAggregate(first, owner, out type);
                continue;
            }

            if (word == "enum")
            {
                definedEnum = ReadEnum(first, out type);
                continue;
            }

            // A typedef name (__u64, uint32_t, EFI_GUID): the first plain identifier is the type.
            type = new RawType(word, null, new List<RawExpression>(), false, false, Code.Span(Current));
            P++;
        }

        if (basic.Count > 0)
        {
            var name = string.Join(" ", basic.Where(w => w != "__signed__").Select(w => w == "__signed__" ? "signed" : w));
            type = new RawType(name, null, new List<RawExpression>(), false, false, Code.Span(start, Tokens[P - 1]));
        }

        return new Specifiers(type, defined, definedEnum, align, packed);
    }

    /// <summary>
    /// <c>__attribute__((...))</c>, <c>__packed</c> or <c>__aligned(N)</c> at the current token: what it says of
    /// alignment and packing. False when the current token is no attribute.
    /// </summary>
    private bool ReadAttribute(out int? align, out bool packed)
    {
        align = null;
        packed = false;
        var word = Current.Text;
        if (word is "__packed")
        {
            packed = true;
            P++;
            return true;
        }

        if (word is "__aligned" && Peek().Is("("))
        {
            P++;
            var open = P;
            var close = SkipBalanced("(", ")");
            align = ConstantInParentheses(open, close);
            return true;
        }

        if (word is "__attribute__" or "__attribute" && Peek().Is("("))
        {
            P++;
            var open = P;
            var close = SkipBalanced("(", ")");
            var inner = string.Concat(Tokens.Skip(open + 1).Take(close - open - 1).Select(t => t.Text + " "));
            packed = PackedAttribute.IsMatch(inner);
            if (AlignedAttribute.Match(inner) is { Success: true } aligned && CellValues.TryParseInteger(aligned.Groups["n"].Value, out var n) && n <= 1 << 20)
            {
                align = (int)n;
            }
            else if (BareAligned.IsMatch(inner))
            {
                align = 16; // gcc's largest alignment on x86-64 for a bare aligned
            }

            return true;
        }

        return false;
    }

    private int? ConstantInParentheses(int open, int close) =>
        close == open + 2 && CellValues.TryParseInteger(Tokens[open + 1].Text.TrimEnd('u', 'U', 'l', 'L'), out var n) && n <= 1 << 20 ? (int)n : null;

    /// <summary>A struct or union a declaration defines; one C leaves unnamed is named when its typedef or member is read.</summary>
    private sealed class PendingStruct(RawStruct structure, bool unnamed)
    {
        public RawStruct Structure { get; } = structure;

        public bool Unnamed { get; private set; } = unnamed;

        public void Rename(string name, SpecSpan span)
        {
            Structure.Name = name;
            Structure.HeaderSpan = span;
            Unnamed = false;
        }
    }

    /// <summary>An enum a declaration defines; an unnamed one is a set of constants unless a typedef names it.</summary>
    private sealed class PendingEnum(RawConstantGroup group, bool unnamed)
    {
        public bool Unnamed { get; } = unnamed;

        public void Rename(string name)
        {
            group.Name = name;
            group.Kind = ConstantGroupKind.Enum;
        }
    }

    /// <summary><c>struct</c>/<c>union</c> [attributes] [tag] [attributes] [<c>{ members }</c> [attributes]].</summary>
    private PendingStruct? ReadAggregate(Token first, RawStruct? owner, out RawType type)
    {
        var keyword = Current;
        var isUnion = keyword.Is("union");
        P++;
        int? align = null;
        var packed = false;
        while (ReadAttribute(out var a, out var pk))
        {
            align = a ?? align;
            packed |= pk;
        }

        Token? tag = null;
        if (Current.Kind == TokenKind.Identifier)
        {
            tag = Current;
            P++;
        }

        while (ReadAttribute(out var a, out var pk))
        {
            align = a ?? align;
            packed |= pk;
        }

        if (!Current.Is("{"))
        {
            if (tag is null)
            {
                throw new DeclarationException(Current, "a " + keyword.Text + " with neither a tag nor a body");
            }

            type = new RawType(tag.Value.Text, keyword.Text, new List<RawExpression>(), false, false, Code.Span(keyword, tag.Value));
            return null;
        }

        Spec.Seen.Recognised++;
        var open = Current;
        if (++nesting > MaxNesting)
        {
            throw new DeclarationException(open, "structs and unions nest deeper than " + MaxNesting.ToString(CultureInfo.InvariantCulture) + " levels", fatal: true);
        }

        P++;
        // A struct the declaration leaves unnamed is named for its place until its typedef or member name is read.
        var name = tag?.Text ?? (owner is null ? keyword.Text + " at line " + Code.Span(keyword).Line.ToString(CultureInfo.InvariantCulture) : owner.Name + " " + keyword.Text + " " + (++anonymous).ToString(CultureInfo.InvariantCulture));
        var structure = new RawStruct(name, DeclarationStyle.C, Code.Span(first), tag is { } t ? Code.Span(t) : Code.Span(keyword), Context.Position)
        {
            IsUnion = isUnion,
            Description = owner is null ? Context.Describe(first, open, rust: false, after: int.MaxValue) : string.Empty,
        };
        Spec.Structs.Add(structure);
        while (!Current.Is("}"))
        {
            if (Current.Kind == TokenKind.End)
            {
                throw new DeclarationException(open, "the '{' of " + keyword.Text + " '" + (tag?.Text ?? "(anonymous)") + "' has no matching '}'", fatal: true);
            }

            if (Current.Kind == TokenKind.Directive)
            {
                ReadDirective(Current);
                P++;
                continue;
            }

            ReadMember(structure);
        }

        nesting--;
        P++;
        while (ReadAttribute(out var a, out var pk))
        {
            align = a ?? align;
            packed |= pk;
        }

        structure.PackLimit = packed ? 1 : packLimit;
        structure.AlignAttribute = align;
        type = new RawType(name, keyword.Text, new List<RawExpression>(), false, false, Code.Span(keyword, Tokens[P - 1]));
        return new PendingStruct(structure, unnamed: tag is null);
    }

    /// <summary>One member declaration: specifiers, then declarators (<c>u8 a, b[4], c : 3;</c>) or none for an anonymous aggregate.</summary>
    private void ReadMember(RawStruct structure)
    {
        var first = Current;
        var specifiers = ReadSpecifiers(first, structure);
        if (specifiers.Type is null)
        {
            throw new DeclarationException(Current, "expected a member's type, found '" + Current.Text + "'");
        }

        if (Current.Is(";"))
        {
            var semicolon = Current;
            P++;
            if (specifiers.Defined is { Unnamed: true } inner)
            {
                // An anonymous struct or union member: C reaches its members as the outer struct's own.
                inner.Structure.Anonymous = true;
                structure.Members.Add(new RawMember(
                    MemberKind.ByType, null, Context.Describe(first, semicolon, rust: false), Code.Span(first, semicolon), Code.Span(first),
                    Type: specifiers.Type with { Name = inner.Structure.Name }));
                return;
            }

            throw new DeclarationException(first, "a member without a name");
        }

        while (true)
        {
            var declarator = ReadDeclarator(specifiers.Type, allowBits: true);
            var memberAlign = specifiers.Align;
            var memberPacked = specifiers.Packed;
            while (ReadAttribute(out var a, out var pk))
            {
                memberAlign = a ?? memberAlign;
                memberPacked |= pk;
            }

            var last = Current;
            var type = declarator.Type;
            if (specifiers.Defined is { Unnamed: true } named)
            {
                // struct { ... } name; the unnamed struct takes the member's name.
                var typeName = structure.Name + " " + (declarator.Name?.Text ?? "member");
                named.Rename(typeName, Code.Span(first));
                type = type with { Name = typeName };
            }

            var memberName = declarator.Name?.Text;
            structure.Members.Add(new RawMember(
                MemberKind.ByType,
                memberName,
                Context.Describe(first, last, rust: false),
                Code.Span(first, Tokens[P - 1]),
                declarator.Name is { } n ? Code.Span(n) : Code.Span(first),
                Type: declarator.Function ? type with { Pointer = true } : type,
                BitWidth: declarator.Bits,
                AlignAttribute: memberPacked ? 1 : memberAlign,
                Reserved: memberName is null || CellValues.IsReservedIdentifier(memberName)));
            if (Current.Is(","))
            {
                P++;
                continue;
            }

            ExpectPunctuation(";");
            return;
        }
    }

    private sealed record Declarator(Token? Name, RawType Type, int? Bits, bool Function);

    /// <summary><c>* name [N][M] : bits</c>, or a function pointer <c>(*name)(...)</c>.</summary>
    private Declarator ReadDeclarator(RawType baseType, bool allowBits)
    {
        var pointer = false;
        while (Current.Is("*") || (Current.Kind == TokenKind.Identifier && Qualifiers.Contains(Current.Text)))
        {
            pointer |= Current.Is("*");
            P++;
        }

        Token? name = null;
        if (Current.Is("("))
        {
            // (*name)(parameters): a pointer to a function.
            P++;
            while (Current.Is("*") || (Current.Kind == TokenKind.Identifier && Qualifiers.Contains(Current.Text)))
            {
                P++;
            }

            name = Expect(TokenKind.Identifier, "a name");
            ExpectPunctuation(")");
            if (Current.Is("("))
            {
                SkipBalanced("(", ")");
            }

            return new Declarator(name, baseType with { Pointer = true }, null, Function: true);
        }

        if (Current.Kind == TokenKind.Identifier)
        {
            name = Current;
            P++;
        }

        if (Current.Is("("))
        {
            // A function declaration.
            SkipBalanced("(", ")");
            return new Declarator(name, baseType, null, Function: true);
        }

        var lengths = new List<RawExpression>();
        var flexible = false;
        while (Current.Is("["))
        {
            var open = Current;
            P++;
            var start = Current;
            var depth = 0;
            while (Current.Kind != TokenKind.End && !(depth == 0 && Current.Is("]")))
            {
                depth += Current.Is("[") || Current.Is("(") ? 1 : Current.Is("]") || Current.Is(")") ? -1 : 0;
                P++;
            }

            if (Current.Kind == TokenKind.End)
            {
                throw new DeclarationException(open, "the '[' has no matching ']'", fatal: true);
            }

            var end = Tokens[P - 1];
            P++;
            if (start.Is("]"))
            {
                flexible = true;
            }
            else if (start.Kind == TokenKind.Number && start.Text == "0" && end.Start == start.Start)
            {
                flexible = true; // GNU's zero-length array is a flexible array
            }
            else
            {
                lengths.Add(new RawExpression(Code.Slice(start.Start, end.End), Code.Span(start, end), DeclarationStyle.C));
            }
        }

        int? bits = null;
        if (allowBits && Current.Is(":"))
        {
            P++;
            var width = Current;
            if (width.Kind != TokenKind.Number || !CellValues.TryParseInteger(width.Text.TrimEnd('u', 'U'), out var n) || n > 1024)
            {
                throw new DeclarationException(width, "a bit-field's width is a number, such as 1 or 3");
            }

            bits = (int)n;
            P++;
        }

        var type = baseType with
        {
            Pointer = baseType.Pointer || pointer,
            Lengths = lengths.Concat(baseType.Lengths).ToList(),
            Flexible = flexible,
        };
        return new Declarator(name, type, bits, Function: false);
    }

    /// <summary><c>enum</c> [tag] [<c>{ A = 1, B, }</c>]: a named enum becomes an enum type, an unnamed one a set of constants.</summary>
    private PendingEnum? ReadEnum(Token first, out RawType type)
    {
        var keyword = Current;
        P++;
        Token? tag = null;
        if (Current.Kind == TokenKind.Identifier)
        {
            tag = Current;
            P++;
        }

        if (Current.Is(":"))
        {
            // C23's "enum x : uint8_t": the underlying type decides the size.
            P++;
            ReadSpecifiers(first, owner: null);
        }

        if (!Current.Is("{"))
        {
            if (tag is null)
            {
                throw new DeclarationException(Current, "an enum with neither a tag nor a body");
            }

            type = new RawType(tag.Value.Text, "enum", new List<RawExpression>(), false, false, Code.Span(keyword, tag.Value));
            return null;
        }

        Spec.Seen.Recognised++;
        var open = Current;
        P++;
        // An unnamed enum is only a way to write constants, named as a table is, unless a typedef names it.
        var name = tag?.Text ?? (Context.Heading.Length > 0 ? Context.Heading : Context.FallbackGroupName(keyword));
        var group = new RawConstantGroup(name, tag is null ? ConstantGroupKind.Values : ConstantGroupKind.Enum, DeclarationStyle.C, Code.Span(first), Context.Position, Context.Ancestors)
        {
            Description = Context.Describe(first, open, rust: false, after: int.MaxValue),
        };
        Spec.ConstantGroups.Add(group);
        while (!Current.Is("}"))
        {
            if (Current.Kind == TokenKind.End)
            {
                throw new DeclarationException(open, "the '{' of enum '" + (tag?.Text ?? "(anonymous)") + "' has no matching '}'", fatal: true);
            }

            var enumeratorFirst = Current;
            var enumerator = Expect(TokenKind.Identifier, "an enumerator's name");
            group.Constants.Add(ReadEnumerator(enumeratorFirst, enumerator, "enumerator", DeclarationStyle.C));
        }

        P++;
        type = new RawType(name, "enum", new List<RawExpression>(), false, false, Code.Span(keyword, Tokens[P - 1]));
        return new PendingEnum(group, unnamed: tag is null);
    }

    private static bool Balanced(string text)
    {
        var depth = 0;
        foreach (var c in text)
        {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth < 0)
            {
                return false;
            }
        }

        return depth == 0;
    }

    private static List<string> SplitArguments(string text)
    {
        var result = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
            if (text[i] == ',' && depth == 0)
            {
                result.Add(text.Substring(start, i - start).Trim());
                start = i + 1;
            }
        }

        result.Add(text.Substring(start).Trim());
        return result;
    }

    private static string Shorten(string text) => text.Length > 60 ? text.Substring(0, 57) + "..." : text;
}
