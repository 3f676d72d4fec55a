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
            w.Summary(description + " (offset " + Naming.Hex((ulong)field.Spec.Offset, 1) + ", " + Naming.Number(field.Spec.Size) + " bytes)");
            w.Line("[global::System.Runtime.InteropServices.FieldOffset(", Naming.Number(field.Spec.Offset), ")]");
            w.Line("public ", field.Type, " ", field.Name, ";");
        }

        foreach (var field in s.Fields.Where(f => !f.Spec.Reserved))
        {
            w.Line();
            w.SummaryXml("The byte offset of <see cref=\"" + field.Name + "\"/>, for code that addresses the field in guest memory.");
            w.Line("public const int ", field.Name, "Offset = ", Naming.Number(field.Spec.Offset), ";");
        }

        foreach (var field in s.Fields.Where(f => f.TextProperty is not null))
        {
            WriteText(w, field);
        }

        WriteValidate(w, s);

        foreach (var field in s.Fields.Where(f => f.BufferType is not null))
        {
            w.Line();
            w.SummaryXml("The " + Naming.Number(field.Spec.Size) + " bytes of <see cref=\"" + field.Name + "\"/>; converts to a span of bytes.");
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

    private static void WriteValidate(SourceWriter w, StructPlan s)
    {
        w.Line();
        w.Summary("The reserved bytes and bits that are not zero, one message each; empty when the struct is valid.");
        w.Open("public readonly global::System.Collections.Generic.IReadOnlyList<string> Validate()");
        w.Line("var problems = new global::System.Collections.Generic.List<string>();");
        foreach (var field in s.Fields)
        {
            var where = field.Name + " (offset " + Naming.Hex((ulong)field.Spec.Offset, 1) + ")";
            if (field.Spec.Reserved && field.BufferType is not null)
            {
                // IndexOfAnyExcept rather than foreach: iterating a span this way needs no newer C# than 12.
                w.Open("if (global::System.MemoryExtensions.IndexOfAnyExcept((global::System.ReadOnlySpan<byte>)", field.Name, ", (byte)0) >= 0)");
                w.Line("problems.Add(\"reserved ", where, " is not zero\");");
                w.Close();
            }
            else if (field.Spec.Reserved)
            {
                w.Open("if (", field.Name, " != 0)");
                w.Line("problems.Add(\"reserved ", where, " is not zero\");");
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
                w.Open("if (((", bits.Underlying, ")", field.Name, " & ", bits.ExtensionsType, ".ReservedMask) != 0)");
                w.Line("problems.Add(\"reserved bits of ", where, " are not zero\");");
                w.Close();
            }
        }

        w.Line();
        w.Line("return problems;");
        w.Close();
    }
}
