using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Common;
using Svsm.Bindings.Spec.Recognising;

namespace Svsm.Bindings.Spec.Building;

/// <summary>The size and alignment of a type, as x86-64 System V gives them.</summary>
internal readonly record struct TypeShape(int Size, int Alignment);

/// <summary>A member's element type, resolved: its shape, and the struct or enum of the spec it is, if any.</summary>
internal sealed record ResolvedType(TypeShape Shape, string TypeName, BuiltStruct? Struct = null, BuiltConstants? Enum = null);

/// <summary>
/// Resolves the type names members use: the basic types of C, the kernel, stdint, Rust and UEFI (their x86-64
/// sizes), the spec's own structs, unions and enums (by name, tag or typedef, compared without case or
/// underscores), and its aliases. Never guesses: a name it cannot resolve is reported by the caller.
/// </summary>
internal sealed class TypeResolver
{
    private static readonly Dictionary<string, TypeShape> Primitives = BuildPrimitives();

    private readonly Dictionary<string, RawTypeAlias> aliases = new(StringComparer.Ordinal);
    private readonly Func<string, BuiltStruct?> structNamed;
    private readonly Func<string, BuiltConstants?> enumNamed;
    private readonly Func<RawExpression, ulong?> evaluate;
    private readonly HashSet<string> resolvingAliases = new(StringComparer.Ordinal);

    public TypeResolver(IEnumerable<RawTypeAlias> aliases, Func<string, BuiltStruct?> structNamed, Func<string, BuiltConstants?> enumNamed, Func<RawExpression, ulong?> evaluate)
    {
        foreach (var alias in aliases)
        {
            this.aliases[Words.Key(alias.Name)] = alias;
        }

        this.structNamed = structNamed;
        this.enumNamed = enumNamed;
        this.evaluate = evaluate;
    }

    /// <summary>Whether a name is one of the basic types every spec may use.</summary>
    public static bool IsBasic(string name) => Primitives.ContainsKey(Normalize(name));

    /// <summary>The element type of <paramref name="type"/> (lengths aside), or null when nothing of that name is known.</summary>
    public ResolvedType? Resolve(RawType type, bool rust = false) => Resolve(type.Name, type.Tag, type.Pointer, rust);

    public ResolvedType? Resolve(string name, string? tag, bool pointer, bool rust = false)
    {
        if (pointer)
        {
            return new ResolvedType(new TypeShape(8, 8), name.Trim() + " *");
        }

        var normalized = Normalize(name);
        if (rust && normalized == "char")
        {
            return new ResolvedType(new TypeShape(4, 4), "char"); // a Rust char is a Unicode scalar value, 4 bytes
        }

        if (tag is null or "" && Primitives.TryGetValue(normalized, out var primitive))
        {
            return new ResolvedType(primitive, normalized);
        }

        var key = Words.Key(name);
        if (tag is not "enum" && structNamed(key) is { } structure)
        {
            return new ResolvedType(new TypeShape(structure.Header.Size, structure.Header.Alignment), name.Trim(), Struct: structure);
        }

        if (tag is null or "enum" && enumNamed(key) is { } enumeration && enumeration.Header.Size > 0)
        {
            return new ResolvedType(new TypeShape(enumeration.Header.Size, enumeration.Header.Size), name.Trim(), Enum: enumeration);
        }

        if (tag is null && aliases.TryGetValue(key, out var alias) && resolvingAliases.Count < 64 && resolvingAliases.Add(key))
        {
            try
            {
                var target = Resolve(alias.Target, rust);
                if (target is null || alias.Target.Flexible)
                {
                    return null;
                }

                // typedef __u8 guid_t[16]: an alias of an array is as large as the array.
                var count = 1UL;
                foreach (var length in alias.Target.Lengths)
                {
                    if (evaluate(length) is not { } n || n == 0 || n > int.MaxValue / (ulong)Math.Max(1, target.Shape.Size) / count)
                    {
                        return null;
                    }

                    count *= n;
                }

                return count == 1 ? target : new ResolvedType(new TypeShape((int)count * target.Shape.Size, target.Shape.Alignment), name.Trim());
            }
            finally
            {
                resolvingAliases.Remove(key);
            }
        }

        return null;
    }

    /// <summary>A type name with runs of white space as one space, and C's basic type words in one order (<c>long unsigned int</c> is <c>unsigned long</c>).</summary>
    private static string Normalize(string name)
    {
        var words = Words.CollapseSpaces(name).Split(' ');
        if (words.Length < 2 || !words.All(w => w is "unsigned" or "signed" or "short" or "long" or "int" or "char"))
        {
            return string.Join(" ", words);
        }

        var unsigned = words.Contains("unsigned");
        var longs = words.Count(w => w == "long");
        var basic = words.Contains("char") ? "char" : words.Contains("short") ? "short" : longs >= 2 ? "long long" : longs == 1 ? "long" : "int";
        return (unsigned ? "unsigned " : words.Contains("signed") && basic == "char" ? "signed " : string.Empty) + basic;
    }

    private static Dictionary<string, TypeShape> BuildPrimitives()
    {
        var table = new Dictionary<string, TypeShape>(StringComparer.Ordinal);
        void Add(int size, params string[] names)
        {
            foreach (var name in names)
            {
                table[name] = new TypeShape(size, size);
            }
        }

        // C and the kernel (x86-64 System V: long and pointers are 8 bytes).
        Add(1, "u8", "__u8", "uint8_t", "s8", "__s8", "int8_t", "char", "unsigned char", "signed char", "bool", "_Bool");
        Add(2, "u16", "__u16", "uint16_t", "s16", "__s16", "int16_t", "short", "unsigned short", "__le16", "__be16");
        Add(4, "u32", "__u32", "uint32_t", "s32", "__s32", "int32_t", "int", "unsigned int", "unsigned", "signed", "__le32", "__be32", "float");
        Add(8, "u64", "__u64", "uint64_t", "s64", "__s64", "int64_t", "long", "unsigned long", "long long", "unsigned long long", "__le64", "__be64",
            "size_t", "ssize_t", "uintptr_t", "intptr_t", "ptrdiff_t", "off_t", "double");
        Add(16, "__int128", "unsigned __int128", "__uint128_t", "__int128_t");

        // Rust (repr(C) fields): u128 is 16-aligned on x86-64 since Rust 1.77, as gcc's __int128; COCONUT's address types are u64s.
        Add(1, "i8");
        Add(2, "i16");
        Add(4, "i32", "f32");
        Add(8, "i64", "usize", "isize", "f64", "PhysAddr", "VirtAddr");
        Add(16, "u128", "i128");

        // UEFI's common data types (UEFI 2.10, section 2.3.1) as edk2 defines them for X64.
        Add(1, "UINT8", "INT8", "BOOLEAN", "CHAR8");
        Add(2, "UINT16", "INT16", "CHAR16");
        Add(4, "UINT32", "INT32");
        Add(8, "UINT64", "INT64", "UINTN", "INTN", "EFI_STATUS", "EFI_PHYSICAL_ADDRESS", "EFI_VIRTUAL_ADDRESS", "EFI_LBA");
        table["EFI_GUID"] = new TypeShape(16, 4);
        return table;
    }
}
