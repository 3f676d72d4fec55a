using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Svsm.Bindings.Spec.Common;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Recognising;
using Svsm.Bindings.Spec.Recognising.Tables;

namespace Svsm.Bindings.Spec.Building;

/// <summary>
/// Builds every struct and union: an offset table's fields as written; members by type resolved and laid out by
/// the <see cref="LayoutEngine"/>, whatever their style. A struct is built when first used (a Rust struct may use
/// one declared below it), once; one that contains itself is an error.
/// </summary>
internal sealed class StructBuilder
{
    private readonly RecognisedSpec spec;
    private readonly DiagnosticBag diagnostics;
    private readonly ConstantBuilder constants;
    private readonly TypeResolver types;
    private readonly Dictionary<string, RawStruct> byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<RawStruct, BuiltStruct> built = new();
    private readonly HashSet<RawStruct> building = new();

    /// <summary>How deep structs may hold structs declared after them; far more than any real ABI nests.</summary>
    public const int MaxNesting = 100;

    public StructBuilder(RecognisedSpec spec, ConstantBuilder constants, DiagnosticBag diagnostics)
    {
        this.spec = spec;
        this.constants = constants;
        this.diagnostics = diagnostics;
        foreach (var structure in spec.Structs)
        {
            var key = Words.Key(structure.Name);
            if (!byKey.ContainsKey(key))
            {
                byKey[key] = structure;
            }
        }

        types = new TypeResolver(spec.Aliases, Named, constants.EnumNamed, e => ConstantExpression.Evaluate(e, constants, out _));
        constants.SizeOfType = SizeOf;
    }

    /// <summary>The bit tables of C bit-field units, each bound to its unit.</summary>
    public List<BuiltBits> Units { get; } = new();

    public TypeResolver Types => types;

    public List<BuiltStruct> BuildAll() => spec.Structs.Select(Build).ToList();

    /// <summary>The struct of this name (compared without case or underscores), built on first use; null while it is being built.</summary>
    public BuiltStruct? Named(string key) =>
        byKey.TryGetValue(key, out var raw) && !building.Contains(raw) ? Build(raw) : null;

    private int? SizeOf(string type)
    {
        var words = type.Replace("*", " * ").Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).ToList();
        var pointer = words.Remove("*");
        var tag = words.Count > 1 && words[0] is "struct" or "union" or "enum" ? words[0] : null;
        var name = string.Join(" ", tag is null ? words : words.Skip(1));
        return types.Resolve(name, tag, pointer)?.Shape.Size;
    }

    private BuiltStruct Build(RawStruct raw)
    {
        if (built.TryGetValue(raw, out var done))
        {
            return done;
        }

        building.Add(raw);
        if (building.Count > MaxNesting)
        {
            // Structs are built when first used, by recursion: bounded, so no spec exhausts the stack.
            var deep = new BuiltStruct(new StructSpec(raw.Name, 0, false, raw.Span, EquatableArray<FieldSpec>.Empty, raw.IsUnion), raw.Position) { HeaderSpan = raw.HeaderSpan };
            deep.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedDeclaration, raw.HeaderSpan, "struct", "'" + raw.Name + "' is nested inside more than " + MaxNesting.ToString(CultureInfo.InvariantCulture) + " other structs"));
            built[raw] = deep;
            building.Remove(raw);
            return deep;
        }
        var target = new BuiltStruct(new StructSpec(raw.Name, 0, false, raw.Span, EquatableArray<FieldSpec>.Empty, raw.IsUnion, raw.PackLimit == 1, 1, raw.Description, raw.Style), raw.Position)
        {
            HeaderSpan = raw.HeaderSpan,
        };
        built[raw] = target;
        target.Errors.AddRange(raw.Errors);
        if (spec.FrontMatter.SizeOf(raw.Name) is { } fromFrontMatter)
        {
            target.SizeStatements.Add((fromFrontMatter.Size, fromFrontMatter.Span, "in front matter"));
        }

        target.SizeStatements.AddRange(raw.SizeStatements);
        if (raw.RustLayout)
        {
            target.Errors.Add(diagnostics.Add(SpecDiagnostics.DeclarationNotRead, raw.HeaderSpan, "Struct '" + raw.Name + "'", "it has no #[repr(C)], so rustc chooses its layout; add #[repr(C)] (or #[repr(C, packed)])"));
        }

        if (raw.Style == DeclarationStyle.Table)
        {
            BuildByOffset(raw, target);
        }
        else
        {
            BuildByType(raw, target);
        }

        building.Remove(raw);
        return target;
    }

    private void BuildByOffset(RawStruct raw, BuiltStruct target)
    {
        var names = new NameScope();
        var explicitNames = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var member in raw.Members)
        {
            var mentions = new List<string>();
            string name;
            if (member.Reserved)
            {
                name = "reserved";
            }
            else if (member.Name is { } nameText)
            {
                name = NameDeriver.FromNameCell(nameText);
                mentions.Add(nameText);
                if (explicitNames.TryGetValue(name, out var line))
                {
                    target.Errors.Add(diagnostics.Add(SpecDiagnostics.DuplicateName, member.NameSpan, nameText, raw.Name, line));
                }

                explicitNames[name] = member.Span.Line;
            }
            else
            {
                var derived = NameDeriver.FromDescription(member.Description);
                name = derived.Identifier;
                mentions.Add(derived.Phrase);
            }

            mentions.Add(name);
            name = names.Unique(name);
            var field = new FieldSpec(member.Offset, member.Size, name, member.Description, member.Reserved, member.Span, member.Name is not null && !member.Reserved ? member.Name : null, FirstVersion: member.FirstVersion);
            target.Fields.Add(new BuiltField(field, mentions));
        }

        ResolveVersionField(raw, target);

        var extent = target.Fields.Count == 0 ? 0 : target.Fields.Max(f => f.Spec.Offset + f.Spec.Size);
        var declared = target.SizeStatements.Count > 0 ? target.SizeStatements[0].Size : (int?)null;
        if (declared is null)
        {
            diagnostics.Add(SpecDiagnostics.StructSizeNotStated, raw.HeaderSpan, raw.Name, extent);
        }

        target.Header = target.Header with { Size = declared ?? extent, SizeDeclared = declared is not null };
    }

    /// <summary>
    /// The field that holds the version of a struct whose fields have first versions: the one front matter's
    /// <c>version-fields</c> names, else the field named <c>version</c>.
    /// </summary>
    private void ResolveVersionField(RawStruct raw, BuiltStruct target)
    {
        var named = spec.FrontMatter.VersionFieldOf(raw.Name);
        if (named is null && target.Fields.All(f => f.Spec.FirstVersion == 0))
        {
            return;
        }

        var wanted = Words.Key(named?.Field ?? "version");
        var found = target.Fields.FirstOrDefault(f => !f.Spec.Reserved && (Words.Key(f.Spec.SourceName ?? string.Empty) == wanted || Words.Key(f.Spec.Name) == wanted));
        string? problem = found is null ? (named is null ? "no field is named version; name it in front matter version-fields" : "it has no field '" + named.Value.Field + "'")
            : found.Spec.FirstVersion != 0 ? "the version field '" + found.Spec.Name + "' itself has a first version"
            : found.Spec.Size is not (1 or 2 or 4 or 8) ? "the version field '" + found.Spec.Name + "' is not 1, 2, 4 or 8 bytes"
            : null;
        if (problem is not null)
        {
            target.Errors.Add(diagnostics.Add(SpecDiagnostics.VersionFieldMissing, named?.Span ?? raw.HeaderSpan, raw.Name, problem));
            return;
        }

        target.Header = target.Header with { VersionField = found!.Spec };
    }

    private void BuildByType(RawStruct raw, BuiltStruct target)
    {
        var members = new List<LayoutMember>();
        var table = raw.Style == DeclarationStyle.TableByCType;
        foreach (var member in raw.Members)
        {
            var type = member.Type!;
            var key = Words.Key(type.Name);
            var memberName = member.Name ?? "(anonymous)";
            if (!type.Pointer && type.Tag is not "enum" && byKey.TryGetValue(key, out var inner) && building.Contains(inner))
            {
                target.Errors.Add(diagnostics.Add(SpecDiagnostics.MalformedDeclaration, type.Span, "struct", "'" + raw.Name + "' contains '" + inner.Name + "', which contains it in turn"));
                continue;
            }

            if (types.Resolve(type, raw.Style == DeclarationStyle.Rust) is not { } resolved)
            {
                target.Errors.Add(Unresolved(raw, member, type, table));
                continue;
            }

            var count = 1L;
            var valid = true;
            foreach (var length in type.Lengths)
            {
                if (ConstantExpression.Evaluate(length, constants, out var why) is not { } n)
                {
                    target.Errors.Add(diagnostics.Add(SpecDiagnostics.BadLength, length.Span, "The array length '" + length.Text + "'", memberName, why));
                    valid = false;
                    break;
                }

                // A table's lengths are positive numbers; the layout engine says when they make the struct too large.
                if (!table && (n == 0 && raw.Style != DeclarationStyle.Rust || n > LayoutEngine.MaxStructSize || count * (long)n > LayoutEngine.MaxStructSize))
                {
                    target.Errors.Add(diagnostics.Add(SpecDiagnostics.BadLength, length.Span, "The array length '" + length.Text + "'", memberName,
                        n == 0 ? "write [] for a flexible array" : n > LayoutEngine.MaxStructSize ? "it is " + n.ToString(CultureInfo.InvariantCulture) + ", past the 1 GiB a struct may hold" : "the array's lengths multiply past the 1 GiB a struct may hold"));
                    valid = false;
                    break;
                }

                count = Math.Min(count * (long)Math.Min(n, (ulong)LayoutEngine.MaxStructSize * 2), (long)LayoutEngine.MaxStructSize * 2);
            }

            if (valid)
            {
                members.Add(new LayoutMember(member, resolved, type.Flexible ? 0 : count, type.Flexible));
            }
        }

        var shape = LayoutEngine.Lay(target, members, raw.PackLimit, raw.AlignAttribute, raw.Style, Units, diagnostics);
        target.LaidOut = true;
        target.Header = target.Header with { Size = shape.Size, Alignment = shape.Alignment, SizeDeclared = target.SizeStatements.Count > 0 };
    }

    /// <summary>A member type nothing of the spec defines: for a table, the cell's rule; for code, the type named.</summary>
    private int Unresolved(RawStruct raw, RawMember member, RawType type, bool table)
    {
        if (table)
        {
            var written = (type.Tag is null ? string.Empty : type.Tag + " ") + type.Name + (type.Flexible ? "[]" : string.Empty);
            return diagnostics.Add(SpecDiagnostics.MalformedCell, type.Span, written, "field type", TypedTableRecogniser.TypeRule);
        }

        if (constants.EnumNamed(Words.Key(type.Name)) is { Header.Size: 0 })
        {
            return diagnostics.Add(SpecDiagnostics.BadLength, type.Span, "The size of enum '" + type.Name + "'", member.Name ?? raw.Name, "it has no #[repr(u8)], #[repr(u16)], #[repr(u32)] or #[repr(u64)], so rustc chooses it");
        }

        return diagnostics.Add(SpecDiagnostics.UnknownType, type.Span, member.Name ?? "(anonymous)", raw.Name, type.Name);
    }
}
