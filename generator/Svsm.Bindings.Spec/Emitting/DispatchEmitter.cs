using System.Linq;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>The SVSM side: a handler interface with one method per call, and the dispatcher that serves registers with it.</summary>
internal static class DispatchEmitter
{
    public static void Write(SourceWriter w, BindingPlan plan)
    {
        if (plan.IsSyscallAbi)
        {
            WriteSyscalls(w, plan);
            return;
        }

        var protocol = plan.Document.Protocol;
        var name = protocol.Name ?? plan.Prefix;
        w.Summary("Serves " + name + " on the SVSM side: one method per call, returning the result code and the output registers.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility, " partial interface ", plan.HandlerInterface);
        var first = true;
        foreach (var call in plan.Calls)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            w.SummaryXml("Serves ", SourceWriter.Xml(call.Spec.Name), ": ", SourceWriter.Xml(call.Spec.Function));
            w.Doc("param", " name=\"context\"", "The calling vCPU, guest memory and the calling area.");
            foreach (var input in call.Inputs)
            {
                w.ParameterDoc(input.Name, input.Spec.Register, input.Spec.Description, MaskedTo(input));
            }

            var method = w.Start(call.ResultType).Add(" ", call.MethodName, "(global::Svsm.Runtime.SvsmCallContext context");
            foreach (var input in call.Inputs)
            {
                method.Add(", ", input.Type, " ").Add(input.Name);
            }

            method.Add(");").End();
        }

        w.Close();
        w.Line();

        w.SummaryXml("Dispatches " + SourceWriter.Xml(name) + " calls from registers to an <see cref=\"" + plan.HandlerInterface + "\"/>.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility, " static partial class ", plan.DispatcherType);
        w.SummaryXml(
            "Serves the call in <paramref name=\"registers\"/>: answers an input the spec gives an alignment and that does not have it with the code " +
            "the spec names for it, before the handler sees the call; reads each input register masked to its declared size, calls the handler, " +
            "writes the result code to RAX and, on success, the outputs to their registers. On failure only an output the spec returns also on error " +
            "is written, when the handler gives it, as COCONUT-SVSM copies back only what its handler set; every other register is left as it was. " +
            "A call of another protocol gets SVSM_ERR_UNSUPPORTED_PROTOCOL and an unknown call SVSM_ERR_UNSUPPORTED_CALL.");
        // An extension method, so that handler.Dispatch is a delegate closed over the handler: an SVSM that keeps
        // one per protocol calls straight into the switch, with no lambda between.
        w.Open("public static void Dispatch(this ", plan.HandlerInterface, " handler, in global::Svsm.Runtime.SvsmCallContext context, ref global::Svsm.Runtime.SvsmRegisters registers)");
        w.Open("if (handler is null)");
        w.Line("throw new global::System.ArgumentNullException(nameof(handler));");
        w.Close();
        w.Line();
        w.Open("if ((registers.Rax >> 32) != ", plan.ProtocolType, ".Id)");
        w.Line("registers.Rax = global::Svsm.Runtime.SvsmResult.UnsupportedProtocolCode;");
        w.Line("return;");
        w.Close();
        w.Line();
        w.Open("switch ((uint)registers.Rax)");
        foreach (var call in plan.Calls)
        {
            w.Line("case ", Naming.Number(call.Spec.Id), ":");
            w.Open(string.Empty);
            foreach (var input in call.Inputs.Where(i => i.Spec.Misaligned is not null))
            {
                w.Open("if ((registers.", input.Field, " & 0x", (input.Spec.Alignment!.Value - 1).ToString("X", System.Globalization.CultureInfo.InvariantCulture), "UL) != 0)");
                w.Line("registers.Rax = ", Naming.Hex(input.Spec.Misaligned!.Value, 4), "; // ", input.Spec.Misaligned.Name, ": ", input.Spec.Register, " is not ", Naming.Number(input.Spec.Alignment.Value), "-byte aligned");
                w.Line("return;");
                w.Close();
                w.Line();
            }

            var invocation = w.Start("var result = handler.").Add(call.MethodName, "(context");
            foreach (var input in call.Inputs)
            {
                invocation.Add(", (", input.Type, ")");
                if (input.BitField is not null)
                {
                    invocation.Add("(", input.BitField.Underlying, ")");
                }

                invocation.Add("registers.", input.Field);
            }

            invocation.Add(");").End();
            w.Line("registers.Rax = result.Result.Value;");
            var onSuccess = call.Outputs.Where(o => !o.Spec.ReturnedOnError).ToList();
            if (onSuccess.Count > 0)
            {
                w.Open("if (result.Result.IsSuccess)");
                foreach (var output in onSuccess)
                {
                    w.Line("registers.", output.Field, " = ", (output.BitField is null ? "result." + output.Name : "(ulong)result." + output.Name), ";");
                }

                w.Close();
            }

            foreach (var output in call.Outputs.Where(o => o.Spec.ReturnedOnError))
            {
                var value = Naming.Camel(output.Name) + "Out";
                w.Open("if (result.", output.Name, " is { } ", value, ")");
                w.Line("registers.", output.Field, " = ", output.BitField is null ? value : "(ulong)" + value, ";");
                w.Close();
            }

            w.Line("return;");
            w.Close();
        }

        w.Line("default:");
        w.Line("    registers.Rax = global::Svsm.Runtime.SvsmResult.UnsupportedCallCode;");
        w.Line("    return;");
        w.Close();
        w.Close();
        if (plan.EmulatorRegistration)
        {
            WriteRegistration(w, plan);
        }

        w.Close();
    }

    /// <summary>What an SVSM emulator serves the protocol with: its id, versions, call table and this dispatcher bound to a handler.</summary>
    private static void WriteRegistration(SourceWriter w, BindingPlan plan)
    {
        w.Line();
        w.SummaryXml("The protocol served by <paramref name=\"handler\"/>, for <c>SvsmEmulator.Serve</c> (or <c>svsm-emu serve --protocols</c>).");
        w.Doc("param", " name=\"handler\"", "Serves the calls.");
        w.Doc("param", " name=\"minVersion\"", "The lowest version QUERY_PROTOCOL answers with; the highest is the spec's.");
        w.Open("public static global::Svsm.Emulator.SvsmProtocolRegistration Registration(", plan.HandlerInterface, " handler, uint minVersion = 1)");
        w.Open("if (handler is null)");
        w.Line("throw new global::System.ArgumentNullException(nameof(handler));");
        w.Close();
        w.Line();
        w.Line("return new global::Svsm.Emulator.SvsmProtocolRegistration(", plan.ProtocolType, ".Id, ", plan.ProtocolType, ".Name, minVersion, ", plan.ProtocolType, ".Version, handler.Dispatch, ",
            plan.ProtocolType, ".Calls, ", plan.ProtocolType, ".Results);");
        w.Close();
    }

    /// <summary>The kernel side of the syscall ABI: a handler with one method per syscall, and the dispatcher that serves RAX with it.</summary>
    private static void WriteSyscalls(SourceWriter w, BindingPlan plan)
    {
        var name = plan.Document.Protocol.Name ?? plan.Prefix;
        w.Summary("Serves " + name + " on the kernel side: one method per syscall, returning the value or error number for RAX.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility, " partial interface ", plan.HandlerInterface);
        foreach (var call in plan.Calls)
        {
            w.Summary("Serves " + call.Spec.Name + ": " + call.Spec.Function);
            foreach (var input in call.Inputs)
            {
                w.ParameterDoc(input.Name, input.Spec.Register, input.Spec.Description, MaskedTo(input));
            }

            w.Line(CallPlan.SyscallResultType, " ", call.MethodName, "(", string.Join(", ", call.Inputs.Select(i => i.Type + " " + i.Name)), ");");
            w.Line();
        }

        w.SummaryXml("Serves a RAX value that names no syscall of the spec; the kernel decides the error (COCONUT-SVSM answers EINVAL).");
        w.Doc("param", " name=\"code\"", "RAX as the caller set it.");
        w.Line(CallPlan.SyscallResultType, " UnknownSyscall(ulong code);");
        w.Close();
        w.Line();

        w.SummaryXml("Dispatches " + SourceWriter.Xml(name) + " syscalls from registers to an <see cref=\"" + plan.HandlerInterface + "\"/>.");
        w.Line(BindingsEmitter.GeneratedCodeAttribute);
        w.Open(plan.Visibility, " static partial class ", plan.DispatcherType);
        w.SummaryXml(
            "Serves the syscall in <paramref name=\"registers\"/>: reads each parameter from RDI, RSI, R8, R9, R10 masked to its declared size, " +
            "calls the handler and writes its result to RAX. Clobbering RCX and R11, as the ABI allows, is the trap's business, not the dispatcher's.");
        w.Open("public static void Dispatch(", plan.HandlerInterface, " handler, ref global::Svsm.Runtime.SvsmRegisters registers)");
        w.Open("if (handler is null)");
        w.Line("throw new global::System.ArgumentNullException(nameof(handler));");
        w.Close();
        w.Line();
        w.Open("switch (registers.Rax)");
        foreach (var call in plan.Calls)
        {
            w.Line("case ", Naming.Hex(plan.CodeOf(call.Spec), 8), ":");
            w.Line("    registers.Rax = handler.", call.MethodName, "(", string.Join(", ", call.Inputs.Select(FromRegister)), ").Raw;");
            w.Line("    return;");
        }

        w.Line("default:");
        w.Line("    registers.Rax = handler.UnknownSyscall(registers.Rax).Raw;");
        w.Line("    return;");
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>What a handler's parameter doc adds: the size its register is masked to.</summary>
    private static string MaskedTo(RegisterPlan input) => " (masked to " + Naming.Number(input.Spec.Size) + " bytes)";

    /// <summary>A parameter read from its register, masked to its size as the kernel's <c>as u32</c> does.</summary>
    private static string FromRegister(RegisterPlan input) => input.Spec.Kind switch
    {
        Model.RegisterValueKind.Boolean => "(byte)registers." + input.Field + " != 0",
        Model.RegisterValueKind.Signed => "unchecked((" + input.Type + ")registers." + input.Field + ")",
        _ => "(" + input.Type + ")registers." + input.Field,
    };
}
