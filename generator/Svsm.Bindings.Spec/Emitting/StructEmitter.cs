using System.Collections.Generic;
using System.Linq;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>Blittable structs with explicit layout for the spec's layout tables.</summary>
internal static class StructEmitter
{
    public static void Write(SourceWriter w, BindingPlan plan)
    {
        var first = true;
        foreach (var structPlan in plan.Structs)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            WriteStruct(w, structPlan, plan.Visibility);
        }
    }

    private static void WriteStruct(SourceWriter w, StructPlan s, string visibility)
    {
        var spec = s.Spec;
        w.Summary(spec.Style is Model.DeclarationStyle.C or Model.DeclarationStyle.Rust
            ? (spec.Description.Length > 0 ? spec.Description.TrimEnd('.') + ". " : string.Empty) + spec.Name + ": " + Naming.Number(spec.Size) + " bytes" +
              (spec.Packed ? ", packed" : string.Empty) + ", laid out from its spec's " + (spec.Style == Model.DeclarationStyle.C ? "C" : "Rust") + " declaration as gcc does on x86-64."
            : spec.Name + ": " + Naming.Number(spec.Size) + " bytes, laid out as its spec's table says.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Line("[global::System.Runtime.InteropServices.StructLayout(global::System.Runtime.InteropServices.LayoutKind.Explicit, Size = ", Naming.Number(s.Spec.Size), ")]");
        w.Open(visibility, " partial struct ", s.TypeName);
        w.Summary("The struct's size in bytes.");
        w.Line("public const int Size = ", Naming.Number(s.Spec.Size), ";");
        foreach (var field in s.Fields)
        {
            w.Line();
            var description = field.Spec.Description.Length > 0 ? field.Spec.Description : field.Spec.Reserved ? "Reserved" : field.Name;
            w.SummaryXml(SourceWriter.Xml(description), " (offset ", Naming.Hex((ulong)field.Spec.Offset, 1), ", ", Naming.Number(field.Spec.Size), " bytes)");
            w.Line("[global::System.Runtime.InteropServices.FieldOffset(", Naming.Number(field.Spec.Offset), ")]");
            w.Line("public ", field.Type, " ", field.Name, ";");
        }

        foreach (var field in s.Fields)
        {
            if (field.Spec.Reserved)
            {
                continue;
            }

            w.Line();
            w.SummaryXml("The byte offset of <see cref=\"", field.Name, "\"/>, for code that addresses the field in guest memory.");
            w.Line("public const int ", field.Name, "Offset = ", Naming.Number(field.Spec.Offset), ";");
        }

        foreach (var field in s.Fields)
        {
            if (field.TextProperty is not null)
            {
                WriteText(w, field);
            }
        }

        WriteVersions(w, s);
        WriteValidate(w, s);

        foreach (var field in s.Fields)
        {
            if (field.BufferType is null)
            {
                continue;
            }

            w.Line();
            w.SummaryXml("The ", Naming.Number(field.Spec.Size), " bytes of <see cref=\"", field.Name, "\"/>; converts to a span of bytes.");
            w.Line("[global::System.Runtime.CompilerServices.InlineArray(", Naming.Number(field.Spec.Size), ")]");
            w.Open("public struct ", field.BufferType!);
            w.Line("private byte element0;");
            w.Close();
        }

        w.Close();
    }

    private static void WriteText(SourceWriter w, FieldPlan field)
    {
        w.Line();
        w.SummaryXml("<see cref=\"" + field.Name + "\"/> as text: UTF-8 up to the first zero byte. Setting it writes the UTF-8 bytes and zeroes the rest.");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The text does not fit in ", Naming.Number(field.Spec.Size), " bytes.</exception>");
        w.Open("public string ", field.TextProperty!);
        w.Open("readonly get");
        w.Line("global::System.ReadOnlySpan<byte> bytes = ", field.Name, ";");
        w.Line("var length = global::System.MemoryExtensions.IndexOf(bytes, (byte)0);");
        w.Line("return global::System.Text.Encoding.UTF8.GetString(length < 0 ? bytes : bytes.Slice(0, length));");
        w.Close();
        w.Line();
        w.Open("set");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(value);");
        w.Line("global::System.Span<byte> bytes = ", field.Name, ";");
        w.Open("if (global::System.Text.Encoding.UTF8.GetByteCount(value) > bytes.Length)");
        w.Line("throw new global::System.ArgumentException(\"", field.TextProperty!, " takes at most ", Naming.Number(field.Spec.Size), " bytes of UTF-8.\", nameof(value));");
        w.Close();
        w.Line();
        w.Line("bytes.Clear();");
        w.Line("global::System.Text.Encoding.UTF8.GetBytes(value, bytes);");
        w.Close();
        w.Close();
    }

    /// <summary>
    /// For a struct whose fields have first versions: the newest version described, and for each versioned field
    /// whether this struct's version has it and its value where it does.
    /// </summary>
    private static void WriteVersions(SourceWriter w, StructPlan s)
    {
        if (s.VersionField is not { } version)
        {
            return;
        }

        w.Line();
        w.Summary("The newest version of " + s.Spec.Name + " its spec describes: the highest first version of a field.");
        w.Line("public const uint NewestVersion = ", Naming.Number(s.Spec.NewestVersion), ";");
        foreach (var field in s.Fields.Where(f => f.Spec.FirstVersion > 0 && !f.Spec.Reserved))
        {
            var since = Naming.Number(field.Spec.FirstVersion);
            w.Line();
            w.SummaryXml("Whether this " + s.Spec.Name + "'s <see cref=\"" + version.Name + "\"/> has <see cref=\"" + field.Name + "\"/>: version " + since + " and later.");
            w.Line("public readonly bool Has", field.Name, " => ", version.Name, " >= ", since, ";");
            w.Line();
            w.SummaryXml("<see cref=\"" + field.Name + "\"/> where this " + s.Spec.Name + "'s version has it (" + since + " and later), else null: in older versions its bytes are reserved.");
            w.Line("public readonly ", field.Type, "? ", field.Name, "IfPresent => ", version.Name, " >= ", since, " ? ", field.Name, " : null;");
        }

        w.Line();
        w.Line("private readonly bool AreZero(int offset, int length) =>");
        w.Line("    global::System.MemoryExtensions.IndexOfAnyExcept(global::System.Runtime.InteropServices.MemoryMarshal.AsBytes(global::System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(in this, 1)).Slice(offset, length), (byte)0) < 0;");
    }

    private static void WriteValidate(SourceWriter w, StructPlan s)
    {
        w.Line();
        w.Summary(s.VersionField is null
            ? "The reserved bytes and bits that are not zero, one message each; empty when the struct is valid."
            : "The reserved bytes and bits that are not zero in this struct's version, one message each; empty when the struct is valid. The bytes of a field that a later version adds are reserved in older ones.");
        w.Open("public readonly global::System.Collections.Generic.IReadOnlyList<string> Validate()");
        w.Line("var problems = new global::System.Collections.Generic.List<string>();");
        if (s.VersionField is { } versionField)
        {
            w.Line("var version = (ulong)", versionField.Name, ";");
        }

        var versioned = s.VersionField is not null;
        foreach (var field in s.Fields)
        {
            if (versioned && WriteVersionedReserved(w, s, field))
            {
                continue;
            }

            if (field.Spec.Reserved && field.BufferType is not null)
            {
                // IndexOfAnyExcept rather than foreach: iterating a span this way needs no newer C# than 12.
                w.Open("if (global::System.MemoryExtensions.IndexOfAnyExcept((global::System.ReadOnlySpan<byte>)", field.Name, ", (byte)0) >= 0)");
                w.Line("problems.Add(\"reserved ", Where(field), " is not zero\");");
                w.Close();
            }
            else if (field.Spec.Reserved)
            {
                w.Open("if (", field.Name, " != 0)");
                w.Line("problems.Add(\"reserved ", Where(field), " is not zero\");");
                w.Close();
            }
            else if (field.IsStruct)
            {
                w.Open("foreach (var problem in ", field.Name, ".Validate())");
                w.Line("problems.Add(\"", field.Name, ": \" + problem);");
                w.Close();
            }
            else if (field.BitField is { } bits && bits.ReservedMask != 0)
            {
                w.Open("if (", field.Spec.FirstVersion > 0 ? "version >= " + Naming.Number(field.Spec.FirstVersion) + " && " : string.Empty,
                    "((", bits.Underlying, ")", field.Name, " & ", bits.ExtensionsType, ".ReservedMask) != 0)");
                w.Line("problems.Add(\"reserved bits of ", Where(field), " are not zero\");");
                w.Close();
            }
        }

        w.Line();
        w.Line("return problems;");
        w.Close();
    }

    /// <summary>
    /// In a versioned struct: a Reserved row that fields of later versions stand in is checked in pieces, each
    /// reserved only before the version that gives it meaning; a field of a later version in bytes no Reserved
    /// row covers is reserved before its version. False for what is checked as in an unversioned struct.
    /// </summary>
    private static bool WriteVersionedReserved(SourceWriter w, StructPlan s, FieldPlan field)
    {
        var spec = field.Spec;
        if (spec.Reserved)
        {
            var inside = s.Fields.Where(f => !f.Spec.Reserved && f.Spec.FirstVersion > 0 && Overlaps(f.Spec, spec)).ToList();
            if (inside.Count == 0)
            {
                return false;
            }

            var cuts = inside.SelectMany(f => new[] { f.Spec.Offset, f.Spec.Offset + f.Spec.Size })
                .Concat(new[] { spec.Offset, spec.Offset + spec.Size })
                .Where(o => o >= spec.Offset && o <= spec.Offset + spec.Size).Distinct().OrderBy(o => o).ToList();
            // Pieces reserved until the same version are checked together.
            var pieces = new List<(int Start, int End, uint GivenMeaning)>();
            for (var i = 0; i + 1 < cuts.Count; i++)
            {
                var (start, end) = (cuts[i], cuts[i + 1]);
                var version = inside.Where(f => f.Spec.Offset <= start && f.Spec.Offset + f.Spec.Size >= end).Select(f => f.Spec.FirstVersion).DefaultIfEmpty(0u).Min();
                if (pieces.Count > 0 && pieces[pieces.Count - 1].GivenMeaning == version)
                {
                    pieces[pieces.Count - 1] = (pieces[pieces.Count - 1].Start, end, version);
                }
                else
                {
                    pieces.Add((start, end, version));
                }
            }

            foreach (var (start, end, givenMeaning) in pieces)
            {
                var bytes = end - start == 1 ? Offset(start) : Offset(start) + "-" + Offset(end - 1);
                w.Open("if (", givenMeaning > 0 ? "version < " + Naming.Number(givenMeaning) + " && " : string.Empty, "!AreZero(", Naming.Number(start), ", ", Naming.Number(end - start), "))");
                w.Line("problems.Add(\"reserved bytes ", bytes, " of ", field.Name, " are not zero", givenMeaning > 0 ? " (before version " + Naming.Number(givenMeaning) + ")" : string.Empty, "\");");
                w.Close();
            }

            return true;
        }

        if (spec.FirstVersion == 0 || s.Fields.Any(f => f.Spec.Reserved && Overlaps(f.Spec, spec)))
        {
            return false;
        }

        w.Open("if (version < ", Naming.Number(spec.FirstVersion), " && !AreZero(", Naming.Number(spec.Offset), ", ", Naming.Number(spec.Size), "))");
        w.Line("problems.Add(\"", Where(field), ", which version ", Naming.Number(spec.FirstVersion), " adds, is not zero in version \" + version.ToString(global::System.Globalization.CultureInfo.InvariantCulture));");
        w.Close();
        if (field.BitField is { } bits && bits.ReservedMask != 0)
        {
            w.Open("if (version >= ", Naming.Number(spec.FirstVersion), " && ((", bits.Underlying, ")", field.Name, " & ", bits.ExtensionsType, ".ReservedMask) != 0)");
            w.Line("problems.Add(\"reserved bits of ", Where(field), " are not zero\");");
            w.Close();
        }

        return true;
    }

    // A field as a Validate message names it; made only for a field that has something to check.
    private static string Where(FieldPlan field) => field.Name + " (offset " + Naming.Hex((ulong)field.Spec.Offset, 1) + ")";

    private static string Offset(int offset) => "0x" + offset.ToString("X", System.Globalization.CultureInfo.InvariantCulture);

    private static bool Overlaps(Model.FieldSpec one, Model.FieldSpec other) =>
        one.Offset < other.Offset + other.Size && other.Offset < one.Offset + one.Size;
}
