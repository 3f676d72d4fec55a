using System.Linq;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>The guest-side client: one method per call, over any transport.</summary>
internal static class ClientEmitter
{
    public static void Write(SourceWriter w, BindingPlan plan)
    {
        var protocol = plan.Document.Protocol;
        w.Summary(plan.IsSyscallAbi
            ? "User-mode client of " + (protocol.Name ?? plan.Prefix) + ": one method per syscall, through the transport that stands for the int 0x80 trap. " +
              "RAX carries (class << 32) | nr in and the result out; a result above u64::MAX - 0xFFFF is a negative error number."
            : "Guest-side client of " + (protocol.Name ?? plan.Prefix) + " (protocol " + Naming.Number(protocol.Id!.Value) +
              "): one method per call. RAX carries (protocol << 32) | call in and the result code out.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility, " partial class ", plan.ClientType);
        w.Line("private readonly global::Svsm.Runtime.ISvsmTransport transport;");
        w.Line();
        w.SummaryXml("A client that makes its calls through <paramref name=\"transport\"/>.");
        w.Open("public ", plan.ClientType, "(global::Svsm.Runtime.ISvsmTransport transport)");
        w.Line("this.transport = transport ?? throw new global::System.ArgumentNullException(nameof(transport));");
        w.Close();
        w.Line();
        w.Summary("The transport the calls go through.");
        w.Line("public global::Svsm.Runtime.ISvsmTransport Transport => transport;");

        foreach (var call in plan.Calls)
        {
            w.Line();
            WriteCall(w, plan, call);
        }

        w.Close();
    }

    /// <summary>A parameter as its register holds it: signed values sign-extended, a boolean as 0 or 1.</summary>
    private static string ToRegister(RegisterPlan input) => input.Spec.Kind switch
    {
        _ when input.BitField is not null => "(ulong)" + input.Name,
        Model.RegisterValueKind.Boolean => "(" + input.Name + " ? 1UL : 0UL)",
        Model.RegisterValueKind.Signed => "unchecked((ulong)(long)" + input.Name + ")",
        _ => input.Name,
    };

    private static void WriteCall(SourceWriter w, BindingPlan plan, CallPlan call)
    {
        w.SummaryXml(SourceWriter.Xml(call.Spec.Name), ": ", SourceWriter.Xml(call.Spec.Function));
        foreach (var input in call.Inputs)
        {
            w.ParameterDoc(input.Name, input.Spec.Register, input.Spec.Description);
        }

        w.Doc("returns", string.Empty, plan.IsSyscallAbi
            ? "RAX: the syscall's value, or a negative error number."
            : "The result code from RAX" + (call.Outputs.Count > 0 ? " and " + string.Join(", ", call.Outputs.Select(o => o.Spec.Register)) : string.Empty) + ".");
        if (call.Inputs.Any(i => i.Spec.Alignment > 1))
        {
            w.Line("/// <exception cref=\"global::System.ArgumentException\">An input breaks the alignment its register requires.</exception>");
        }

        w.Line("[global::Svsm.Runtime.SvsmCall(", Naming.Number(call.Spec.Class ?? plan.Document.Protocol.Id!.Value), ", ", Naming.Number(call.Spec.Id), ")]");
        var signature = w.Start("public ").Add(call.ResultType, " ", call.MethodName).Add("(");
        for (var i = 0; i < call.Inputs.Count; i++)
        {
            signature.Separate(i == 0, ", ").Add(call.Inputs[i].Type, " ", call.Inputs[i].Name);
        }

        signature.Add(")").Open();
        foreach (var input in call.Inputs.Where(i => i.Spec.Alignment > 1))
        {
            var alignment = input.Spec.Alignment!.Value;
            var value = input.BitField is null ? input.Name : "(ulong)" + input.Name;
            w.Open($"if (({value} & {Naming.Hex((ulong)(alignment - 1), 8)}) != 0)");
            w.Line($"global::Svsm.Runtime.SvsmArgumentChecks.ThrowMisaligned(\"{input.Spec.Register}\", nameof({input.Name}), {value}, {Naming.Number(alignment)});");
            w.Close();
            w.Line();
        }

        w.Line("global::Svsm.Runtime.SvsmRegisters registers = default;");
        w.Line(plan.IsSyscallAbi
            ? "registers.Rax = " + Naming.Hex(plan.CodeOf(call.Spec), 8) + ";"
            : "registers.Rax = ((ulong)" + plan.ProtocolType + ".Id << 32) | " + Naming.Number(call.Spec.Id) + "U;");
        foreach (var input in call.Inputs)
        {
            w.Line("registers.", input.Field, " = ", ToRegister(input), ";");
        }

        var returnedOnError = call.Outputs.Where(o => o.Spec.ReturnedOnError).ToList();
        if (returnedOnError.Count > 0)
        {
            // An output the SVSM may set on failure: the register holds a value of the SVSM's only when it changed.
            w.Line("var sent = registers;");
        }

        w.Line("transport.Call(ref registers);");
        if (plan.IsSyscallAbi)
        {
            w.Line("return new ", CallPlan.SyscallResultType, "(registers.Rax, ", plan.ProtocolType, ".Errors);");
            w.Close();
            return;
        }

        if (returnedOnError.Count > 0)
        {
            w.Line("var succeeded = (uint)registers.Rax == global::Svsm.Runtime.SvsmResult.SuccessCode;");
        }

        var result = w.Start("return new ").Add(call.ResultType, "(new global::Svsm.Runtime.SvsmResult((uint)registers.Rax, ", plan.ProtocolType).Add(".Results)");
        foreach (var o in call.Outputs)
        {
            result.Add(", ");
            if (o.Spec.ReturnedOnError)
            {
                result.Add("succeeded || registers.", o.Field, " != sent.").Add(o.Field, " ? ");
            }

            result.Add("(", o.Type, ")");
            if (o.BitField is not null)
            {
                result.Add("(", o.BitField.Underlying, ")");
            }

            result.Add("registers.", o.Field);
            if (o.Spec.ReturnedOnError)
            {
                result.Add(" : null");
            }
        }

        result.Add(");").End();
        w.Close();
    }
}
