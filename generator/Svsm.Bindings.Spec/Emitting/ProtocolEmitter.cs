using System.Linq;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>The protocol's constants, its call enum, its call descriptor table and the calls' result structs.</summary>
internal static class ProtocolEmitter
{
    public static void Write(SourceWriter w, BindingPlan plan)
    {
        if (plan.IsSyscallAbi)
        {
            WriteSyscallAbi(w, plan);
            return;
        }

        var protocol = plan.Document.Protocol;
        w.Summary((protocol.Name ?? plan.Prefix) + ": the protocol's id and version, and the calls its spec defines.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility, " static partial class ", plan.ProtocolType);
        w.Summary("The protocol id: the upper 32 bits of RAX in every call.");
        w.Line("public const uint Id = ", Naming.Number(protocol.Id!.Value), ";");
        if (protocol.Version is { } version)
        {
            w.Line();
            w.Summary("The protocol version this spec describes.");
            w.Line("public const uint Version = ", Naming.Number(version), ";");
        }

        w.Line();
        w.Summary("How the calls use the registers: RAX = (protocol << 32) | call, arguments in RCX, RDX, R8, R9, the result in RAX.");
        w.Line("public static global::Svsm.Runtime.CallingConvention Convention => global::Svsm.Runtime.CallingConvention.SvsmCall;");
        w.Line();
        w.Summary("The protocol's name as its spec gives it.");
        w.Line("public const string Name = ", Naming.Literal(protocol.Name ?? plan.Prefix), ";");
        w.Line();
        w.Summary("Every call: id, name, first version and registers with their sizes and alignments.");
        WriteCallDescriptors(w, plan);
        w.Line();
        ConstantsEmitter.WriteResultTable(w, plan);
        w.Line();
        WriteFind(w, "The descriptor of call <paramref name=\"call\"/>, or null when the protocol has no such call.", "uint call", "descriptor.Call == call");
        w.Close();

        w.Line();
        w.Summary("The call ids of " + (protocol.Name ?? plan.Prefix) + ".");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility, " enum ", plan.CallEnum, " : uint");
        foreach (var call in plan.Calls)
        {
            w.SummaryXml(SourceWriter.Xml(call.Spec.Name), ": ", SourceWriter.Xml(call.Spec.Function));
            w.Line(call.MethodName, " = ", Naming.Number(call.Spec.Id), ",");
        }

        w.Close();

        foreach (var call in plan.Calls)
        {
            WriteResult(w, call, plan.Visibility);
        }
    }

    /// <summary>
    /// The syscall ABI's descriptor table, error names and call codes. A syscall's descriptor holds its class where
    /// an SVSM call's holds the protocol id: RAX is formed the same way, <c>(class &lt;&lt; 32) | nr</c>.
    /// </summary>
    private static void WriteSyscallAbi(SourceWriter w, BindingPlan plan)
    {
        var name = plan.Document.Protocol.Name ?? plan.Prefix;
        w.Summary(name + ": the syscalls its spec defines, their numbers and parameters, and its error numbers.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility, " static partial class ", plan.ProtocolType);
        w.Summary("How the syscalls use the registers: int 0x80, RAX = (class << 32) | nr, arguments in RDI, RSI, R8, R9, R10, the result in RAX, RCX and R11 clobbered.");
        w.Line("public static global::Svsm.Runtime.CallingConvention Convention => global::Svsm.Runtime.CallingConvention.CoconutSyscall;");
        w.Line();
        w.Summary("The ABI's name as its spec gives it.");
        w.Line("public const string Name = ", Naming.Literal(name), ";");
        w.Line();
        w.Summary("Every syscall: class, number, name and parameter registers with their sizes.");
        WriteCallDescriptors(w, plan);
        w.Line();
        w.Summary("The error numbers of the spec's error table, by name, for printing results.");
        w.Line("public static global::Svsm.Runtime.SyscallErrorTable Errors { get; } = new global::Svsm.Runtime.SyscallErrorTable(Name, new global::Svsm.Runtime.SyscallErrorName[]");
        w.Line("{");
        foreach (var (constant, _) in plan.ConstantTables.Where(t => t.IsSyscallErrors).SelectMany(t => t.Members))
        {
            w.Line("    new global::Svsm.Runtime.SyscallErrorName(", Naming.Number(unchecked((long)constant.Value)), ", ", Naming.Literal(constant.Name), ", ", Naming.Literal(constant.Description), "),");
        }

        w.Line("});");
        w.Line();
        WriteFind(w, "The descriptor of the syscall whose RAX is <paramref name=\"code\"/>, or null when the ABI has no such syscall.", "ulong code",
            "(((ulong)descriptor.Protocol << 32) | descriptor.Call) == code");
        w.Close();

        w.Line();
        w.Summary("The syscalls of " + name + ", by the RAX value that makes each: (class << 32) | nr.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility, " enum ", plan.CallEnum, " : ulong");
        foreach (var call in plan.Calls)
        {
            w.Summary(call.Spec.Name + " (class " + Naming.Number(call.Spec.Class ?? 0) + ", number " + Naming.Number(call.Spec.Id) + "): " + call.Spec.Function);
            w.Line(call.MethodName, " = ", Naming.Hex(plan.CodeOf(call.Spec), 8), ",");
        }

        w.Close();
    }

    /// <summary>
    /// The <c>Calls</c> descriptor table. A syscall's descriptor holds its class where an SVSM call's holds the
    /// protocol id (RAX is formed the same way); syscalls have no first version and no alignments, so both are 0.
    /// </summary>
    private static void WriteCallDescriptors(SourceWriter w, BindingPlan plan)
    {
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<global::Svsm.Runtime.SvsmCallDescriptor> Calls { get; } = new global::Svsm.Runtime.SvsmCallDescriptor[]");
        w.Line("{");
        foreach (var call in plan.Calls)
        {
            var spec = call.Spec;
            var upper = spec.Class is { } callClass ? Naming.Number(callClass) : "Id";
            w.Start("    new global::Svsm.Runtime.SvsmCallDescriptor(").Add(upper, ", ", Naming.Number(spec.Id)).Add(", ").Literal(spec.Name)
                .Add(", ", Naming.Number(spec.SinceVersion), ", ").Literal(spec.Function).Add(", new global::Svsm.Runtime.SvsmRegisterDescriptor[]").End();
            w.Line("    {");
            foreach (var register in spec.Registers)
            {
                w.Start("        new global::Svsm.Runtime.SvsmRegisterDescriptor(global::Svsm.Runtime.X86Register.").Add(Naming.RegisterMember(register.Register), ", global::Svsm.Runtime.SvsmDirection.", Naming.Direction(register.Direction))
                    .Add(", ", Naming.Number(register.Size), ", ").Add(Naming.Number(register.Alignment ?? 0), ", ").Literal(register.Name).Add(", ").Literal(register.Description).Add("),").End();
            }

            w.Line("    }),");
        }

        w.Line("};");
    }

    private static void WriteFind(SourceWriter w, string summaryXml, string parameter, string condition)
    {
        w.SummaryXml(summaryXml);
        w.Open("public static global::Svsm.Runtime.SvsmCallDescriptor? Find(", parameter, ")");
        w.Open("foreach (var descriptor in Calls)");
        w.Open("if (", condition, ")");
        w.Line("return descriptor;");
        w.Close();
        w.Close();
        w.Line();
        w.Line("return null;");
        w.Close();
    }

    private static void WriteResult(SourceWriter w, CallPlan call, string visibility)
    {
        w.Line();
        w.SummaryXml("What ", SourceWriter.Xml(call.Spec.Name), call.Outputs.Count > 0 ? " returns: the result code from RAX and its output registers." : " returns: the result code from RAX.");
        w.ParameterDoc("Result", "RAX", call.ResultRegister?.Description ?? "Result value");
        foreach (var output in call.Outputs)
        {
            w.ParameterDoc(output.Name, output.Spec.Register, output.Spec.Description, output.Spec.ReturnedOnError
                ? " (returned also on error; null when the call failed and the SVSM left the guest's value: a handler gives null to leave it, a client sees it unchanged)"
                : string.Empty);
        }

        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        var record = w.Start(visibility).Add(" readonly partial record struct ", call.ResultType, "(global::Svsm.Runtime.SvsmResult Result");
        foreach (var output in call.Outputs)
        {
            record.Add(", ", output.Type, output.Spec.ReturnedOnError ? "? " : " ").Add(output.Name);
        }

        record.Add(");").End();
    }
}
