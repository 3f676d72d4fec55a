using System.Linq;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>
/// Constant tables as static classes; result codes also as <c>SvsmResult</c> values that print their spec names in
/// this protocol's context; with front matter <c>result-type:</c>, the generic codes as members of that struct.
/// </summary>
internal static class ConstantsEmitter
{
    public static void Write(SourceWriter w, BindingPlan plan)
    {
        var first = true;
        foreach (var table in plan.ConstantTables)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            WriteTable(w, plan, table, skipGeneric: plan.Document.Protocol.ResultType is not null);
        }

        // The result type's members go with the client half: an SVSM-only project uses the runtime's.
        if (plan.Document.Protocol.ResultType is { } resultType && plan.GenericResultCodes.Any() && (plan.Sides & EmitSides.Client) != 0)
        {
            w.Line();
            WriteResultType(w, plan, resultType);
        }
    }

    private static void WriteTable(SourceWriter w, BindingPlan plan, ConstantTablePlan table, bool skipGeneric)
    {
        if (table.IsFlags)
        {
            WriteFlags(w, plan, table);
            return;
        }

        if (table.IsSyscallErrors)
        {
            WriteSyscallErrors(w, plan, table);
            return;
        }

        if (table.IsEnum)
        {
            WriteEnum(w, plan, table);
            return;
        }

        var what = (plan.Document.Protocol.Name ?? plan.Prefix) + ": " + (table.IsResultCodes ? "its result codes" : table.Spec.Name) + ", as its spec defines them.";
        w.Summary(what);
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility, " static partial class ", table.TypeName);
        var firstMember = true;
        // With a result type, the generic codes are its members instead (see WriteResultType).
        foreach (var (constant, name) in table.Members.Where(m => !(skipGeneric && table.IsResultCodes && m.Constant.Value < BindingPlan.ProtocolResultBase)))
        {
            if (!firstMember)
            {
                w.Line();
            }

            firstMember = false;
            w.Summary(Describe(constant));
            var bytes = table.Type == "uint" ? 4 : 8;
            if (!table.IsResultCodes)
            {
                w.Line("public const ", table.Type, " ", name, " = ", Naming.Hex(constant.Value, bytes), ";");
                continue;
            }

            w.Line("public const uint ", name, "Code = ", Naming.Hex(constant.Value, 4), ";");
            w.Line();
            w.Summary(Describe(constant));
            var context = plan.HasCalls && constant.Value >= BindingPlan.ProtocolResultBase ? ", " + plan.ProtocolType + ".Results" : string.Empty;
            w.Line("public static global::Svsm.Runtime.SvsmResult ", name, " => new global::Svsm.Runtime.SvsmResult(", name, "Code", context, ");");
        }

        w.Close();
    }

    /// <summary>A syscall ABI's error numbers as an enum of their negative values, as RAX returns them sign-extended.</summary>
    private static void WriteSyscallErrors(SourceWriter w, BindingPlan plan, ConstantTablePlan table)
    {
        w.Summary((plan.Document.Protocol.Name ?? plan.Prefix) + ": its error numbers, as its spec defines them; RAX holds them sign-extended to 64 bits.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility, " enum ", table.TypeName, " : long");
        foreach (var (constant, name) in table.Members)
        {
            w.Summary(Describe(constant));
            w.Line(name, " = ", Naming.Number(unchecked((long)constant.Value)), ",");
        }

        w.Close();
    }

    /// <summary>A C or Rust enum as a C# enum of its size, so a field of its type keeps the struct's layout.</summary>
    private static void WriteEnum(SourceWriter w, BindingPlan plan, ConstantTablePlan table)
    {
        w.Summary(table.Spec.Description.Length > 0 ? table.Spec.Name + ": " + table.Spec.Description : table.Spec.Name + ": an enum of " + (plan.Document.Protocol.Name ?? plan.Prefix) + ", " + Naming.Number(table.Spec.Size) + " bytes.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility, " enum ", table.TypeName, " : ", table.Type);
        foreach (var (constant, name) in table.Members)
        {
            w.Summary(Describe(constant));
            w.Line(name, " = ", (table.Spec.Signed ? Naming.Number(Signed(constant.Value, table.Spec.Size)) : Naming.Hex(Unsigned(constant.Value, table.Spec.Size), table.Spec.Size)), ",");
        }

        w.Close();
    }

    private static long Signed(ulong value, int size) => size switch
    {
        1 => unchecked((sbyte)value),
        2 => unchecked((short)value),
        4 => unchecked((int)value),
        _ => unchecked((long)value),
    };

    private static ulong Unsigned(ulong value, int size) => size >= 8 ? value : value & ((1UL << (size * 8)) - 1);

    private static void WriteFlags(SourceWriter w, BindingPlan plan, ConstantTablePlan table)
    {
        w.Summary((plan.Document.Protocol.Name ?? plan.Prefix) + ": " + (table.Spec.BoundTo is { } field ? "the bits of " + field : table.Spec.Name) + ", as its spec defines them.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Line("[global::System.Flags]");
        w.Open(plan.Visibility, " enum ", table.TypeName, " : ", table.Type);
        w.Summary("No flag set.");
        w.Line((table.Members.Any(m => m.Name == "None") ? "NoFlags" : "None"), " = 0,");
        foreach (var (constant, name) in table.Members)
        {
            w.Summary(Describe(constant));
            w.Line(name, " = ", Naming.Hex(constant.Value, table.Type == "uint" ? 4 : 8), ",");
        }

        w.Close();
    }

    /// <summary>The generic codes as members of the runtime's result struct, and the names it prints them by.</summary>
    private static void WriteResultType(SourceWriter w, BindingPlan plan, string resultType)
    {
        var codes = plan.GenericResultCodes.ToList();
        w.Summary("The result codes every protocol shares (below 0x80001000), from " + (plan.Document.Protocol.Name ?? plan.Prefix) + "'s spec.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open("public readonly partial struct ", resultType);
        foreach (var (constant, name) in codes)
        {
            w.Summary(Describe(constant));
            w.Line("public const uint ", name, "Code = ", Naming.Hex(constant.Value, 4), ";");
            w.Line();
            w.Summary(Describe(constant));
            w.Line("public static ", resultType, " ", name, " => new ", resultType, "(", name, "Code);");
            w.Line();
        }

        w.Summary("Every generic result code with its spec name and description.");
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<global::Svsm.Runtime.SvsmResultName> GenericCodes { get; } = new global::Svsm.Runtime.SvsmResultName[]");
        w.Line("{");
        foreach (var (constant, name) in codes)
        {
            w.Line("    new global::Svsm.Runtime.SvsmResultName(", name, "Code, ", Naming.Literal(constant.Name), ", ", Naming.Literal(constant.Description), "),");
        }

        w.Line("};");
        w.Line();
        w.SummaryXml("The spec name of generic code <paramref name=\"code\"/>, or null when it has none.");
        w.Open("private static string? GenericName(uint code)");
        w.Open("switch (code)");
        foreach (var (constant, name) in codes)
        {
            w.Line("case ", name, "Code: return ", Naming.Literal(constant.Name), ";");
        }

        w.Line("default: return null;");
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>The protocol's own result codes as the table its results print by.</summary>
    public static void WriteResultTable(SourceWriter w, BindingPlan plan)
    {
        w.Summary("The result codes from 0x80001000 that this protocol defines: a result of one of its calls prints by these names.");
        w.Line("public static global::Svsm.Runtime.SvsmResultTable Results { get; } = new global::Svsm.Runtime.SvsmResultTable(Id, Name, new global::Svsm.Runtime.SvsmResultName[]");
        w.Line("{");
        foreach (var (constant, _) in plan.ProtocolResultCodes)
        {
            w.Line("    new global::Svsm.Runtime.SvsmResultName(", Naming.Hex(constant.Value, 4), ", ", Naming.Literal(constant.Name), ", ", Naming.Literal(constant.Description), "),");
        }

        w.Line("});");
    }

    private static string Describe(ConstantSpec constant) =>
        constant.Name + " (" + constant.Expression + ")" + (constant.Description.Length > 0 ? ": " + constant.Description : ".");
}
