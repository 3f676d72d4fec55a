using System.Linq;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>The SVSM side: a handler interface with one method per call, and the dispatcher that serves registers with it.</summary>
internal static class DispatchEmitter
{
    public static void Write(SourceWriter w, BindingPlan plan)
    {
        var protocol = plan.Document.Protocol;
        var name = protocol.Name ?? plan.Prefix;
        w.Summary("Serves " + name + " on the SVSM side: one method per call, returning the result code and the output registers.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility + " partial interface " + plan.HandlerInterface);
        var first = true;
        foreach (var call in plan.Calls)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            w.Summary("Serves " + call.Spec.Name + ": " + call.Spec.Function);
            w.Doc("param", " name=\"context\"", "The calling vCPU, guest memory and the calling area.");
            foreach (var input in call.Inputs)
            {
                w.Doc("param", $" name=\"{input.Name.TrimStart('@')}\"", BindingsEmitter.ParameterDoc(input.Spec) + " (masked to " + Naming.Number(input.Spec.Size) + " bytes)");
            }

            w.Line(call.ResultType + " " + call.MethodName + "(" +
                string.Join(", ", new[] { "global::Svsm.Runtime.SvsmCallContext context" }.Concat(call.Inputs.Select(i => i.Type + " " + i.Name))) + ");");
        }

        w.Close();
        w.Line();

        w.SummaryXml("Dispatches " + SourceWriter.Xml(name) + " calls from registers to an <see cref=\"" + plan.HandlerInterface + "\"/>.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility + " static partial class " + plan.DispatcherType);
        w.SummaryXml(
            "Serves the call in <paramref name=\"registers\"/>: reads each input register masked to its declared size, calls the handler, " +
            "writes the result code to RAX and the outputs to their registers whatever the result, and leaves every other register as it was. " +
            "A call of another protocol gets SVSM_ERR_UNSUPPORTED_PROTOCOL and an unknown call SVSM_ERR_UNSUPPORTED_CALL.");
        w.Open("public static void Dispatch(" + plan.HandlerInterface + " handler, in global::Svsm.Runtime.SvsmCallContext context, ref global::Svsm.Runtime.SvsmRegisters registers)");
        w.Open("if (handler is null)");
        w.Line("throw new global::System.ArgumentNullException(nameof(handler));");
        w.Close();
        w.Line();
        w.Open("if ((registers.Rax >> 32) != " + plan.ProtocolType + ".Id)");
        w.Line("registers.Rax = global::Svsm.Runtime.SvsmResult.UnsupportedProtocolCode;");
        w.Line("return;");
        w.Close();
        w.Line();
        w.Open("switch ((uint)registers.Rax)");
        foreach (var call in plan.Calls)
        {
            w.Line("case " + Naming.Number(call.Spec.Id) + ":");
            w.Open(string.Empty);
            var arguments = new[] { "context" }.Concat(call.Inputs.Select(i => i.BitField is null
                ? "(" + i.Type + ")registers." + i.Field
                : "(" + i.Type + ")(" + i.BitField.Underlying + ")registers." + i.Field));
            w.Line("var result = handler." + call.MethodName + "(" + string.Join(", ", arguments) + ");");
            w.Line("registers.Rax = result.Result.Value;");
            foreach (var output in call.Outputs)
            {
                w.Line("registers." + output.Field + " = " + (output.BitField is null ? "result." + output.Name : "(ulong)result." + output.Name) + ";");
            }

            w.Line("return;");
            w.Close();
        }

        w.Line("default:");
        w.Line("    registers.Rax = global::Svsm.Runtime.SvsmResult.UnsupportedCallCode;");
        w.Line("    return;");
        w.Close();
        w.Close();
        w.Close();
    }
}
