using System.Linq;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>Bit tables: a <c>[Flags]</c> enum of the single bits, and extensions with masks and multi-bit accessors.</summary>
internal static class BitFieldEmitter
{
    public static void Write(SourceWriter w, BindingPlan plan)
    {
        var first = true;
        foreach (var bits in plan.BitFields)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            WriteEnum(w, bits, plan.Visibility);
            w.Line();
            WriteExtensions(w, bits, plan.Visibility);
        }
    }

    private static void WriteEnum(SourceWriter w, BitFieldPlan bits, string visibility)
    {
        var bound = bits.Spec.BoundTo is null ? string.Empty : " (the bits of " + bits.Spec.BoundTo + ")";
        w.SummaryXml(SourceWriter.Xml(bits.Spec.Name + bound) + ": " + Naming.Number(bits.Spec.Width) + " bits. Multi-bit fields are read and written through <see cref=\"" + bits.ExtensionsType + "\"/>.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Line("[global::System.Flags]");
        w.Open(visibility, " enum ", bits.TypeName, " : ", bits.Underlying);
        w.Summary("No bit set.");
        w.Line("None = 0,");
        foreach (var (bit, name) in bits.Members.Where(m => m.Bit.Low == m.Bit.High))
        {
            w.Summary("Bit " + Naming.Number(bit.Low) + ": " + bit.Description);
            w.Line(name, " = ", Naming.Hex(1UL << bit.Low, bits.Bytes), ",");
        }

        w.Close();
    }

    private static void WriteExtensions(SourceWriter w, BitFieldPlan bits, string visibility)
    {
        w.SummaryXml("Masks of <see cref=\"" + bits.TypeName + "\"/>, and accessors for its multi-bit fields.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(visibility, " static partial class ", bits.ExtensionsType);
        w.Summary("The reserved bits: they must be zero.");
        w.Line("public const ", bits.Underlying, " ReservedMask = ", Naming.Hex(bits.ReservedMask, bits.Bytes), ";");
        foreach (var (bit, name) in bits.Members.Where(m => m.Bit.Low != m.Bit.High))
        {
            var mask = Naming.Hex(Naming.Mask(bit.Low, bit.High), bits.Bytes);
            var u = bits.Underlying;
            w.Line();
            w.Summary("The mask of bits " + Naming.Number(bit.High) + ":" + Naming.Number(bit.Low) + ", " + name + ": " + bit.Description);
            w.Line("public const ", u, " ", name, "Mask = ", mask, ";");
            w.Line();
            w.Summary("Bits " + Naming.Number(bit.High) + ":" + Naming.Number(bit.Low) + ", " + name + ": " + bit.Description);
            w.Line("public static ", u, " Get", name, "(this ", bits.TypeName, " value) => (", u, ")(((", u, ")value & ", name, "Mask) >> ", Naming.Number(bit.Low), ");");
            w.Line();
            w.SummaryXml("<paramref name=\"value\"/> with bits " + Naming.Number(bit.High) + ":" + Naming.Number(bit.Low) + " (" + name + ") set to <paramref name=\"field\"/>.");
            w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"field\"/> does not fit in ", Naming.Number(bit.Width), " bits.</exception>");
            w.Open("public static ", bits.TypeName, " With", name, "(this ", bits.TypeName, " value, ", u, " field)");
            if (bit.Width < 64)
            {
                w.Open("if ((ulong)field > ", Naming.Hex((1UL << bit.Width) - 1, 8), ")");
                w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(field), field, \"", name, " holds ", Naming.Number(bit.Width), " bits.\");");
                w.Close();
                w.Line();
            }

            w.Line("return (", bits.TypeName, ")(((", u, ")value & unchecked((", u, ")~", name, "Mask)) | (", u, ")((ulong)field << ", Naming.Number(bit.Low), "));");
            w.Close();
        }

        w.Close();
    }
}
