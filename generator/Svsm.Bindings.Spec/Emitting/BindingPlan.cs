using System;
using System.Collections.Generic;
using System.Linq;
using Svsm.Bindings.Spec.Common;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>The C# names and types of everything one spec generates, decided once for all emitters.</summary>
internal sealed class BindingPlan
{
    private BindingPlan(SpecDocument document, string ns, string prefix, bool isInternal, EmitSides sides, bool emulatorRegistration)
    {
        Visibility = isInternal ? "internal" : "public";
        Document = document;
        Namespace = ns;
        Prefix = prefix;
        Sides = sides;
        EmulatorRegistration = emulatorRegistration;
    }

    /// <summary>Which half of the protocol is emitted.</summary>
    public EmitSides Sides { get; }

    /// <summary>Whether the dispatcher gets <c>Registration(handler)</c> for Svsm.Emulator.</summary>
    public bool EmulatorRegistration { get; }

    public SpecDocument Document { get; }

    public string Namespace { get; }

    /// <summary>The accessibility of every generated type: <c>public</c>, or <c>internal</c> when the project asks.</summary>
    public string Visibility { get; }

    public string Prefix { get; }

    /// <summary>Whether the spec is the COCONUT-SVSM syscall ABI rather than an SVSM protocol.</summary>
    public bool IsSyscallAbi => Document.Protocol.IsSyscallAbi;

    public string ProtocolType => Prefix + (IsSyscallAbi ? "Abi" : "Protocol");

    public string CallEnum => Prefix + "Call";

    public string ClientType => Prefix + "Client";

    public string HandlerInterface => "I" + Prefix + "Handler";

    public string DispatcherType => Prefix + "Dispatcher";

    /// <summary>Whether the calls can be generated: an SVSM call needs the protocol id for RAX, a syscall carries its class.</summary>
    public bool HasCalls => Document.Calls.Count > 0 && (Document.Protocol.Id is not null || IsSyscallAbi);

    /// <summary>RAX on entry to <paramref name="call"/>.</summary>
    public ulong CodeOf(CallSpec call) => call.Code(Document.Protocol.Id ?? 0);

    public List<BitFieldPlan> BitFields { get; } = new();

    public List<StructPlan> Structs { get; } = new();

    public List<CallPlan> Calls { get; } = new();

    public List<ConstantTablePlan> ConstantTables { get; } = new();

    /// <summary>Result codes from 0x80001000, which mean what this protocol says: its result table.</summary>
    public IEnumerable<(ConstantSpec Constant, string Name)> ProtocolResultCodes =>
        ConstantTables.Where(t => t.IsResultCodes).SelectMany(t => t.Members).Where(m => m.Constant.Value >= ProtocolResultBase);

    /// <summary>Result codes below 0x80001000, which mean the same in every protocol.</summary>
    public IEnumerable<(ConstantSpec Constant, string Name)> GenericResultCodes =>
        ConstantTables.Where(t => t.IsResultCodes).SelectMany(t => t.Members).Where(m => m.Constant.Value < ProtocolResultBase);

    public const ulong ProtocolResultBase = 0x8000_1000;

    /// <summary>An ioctl as Linux's header writes it: <c>_IOWR('S', 0x0, struct snp_guest_request_ioctl)</c>.</summary>
    private static string IoctlExpression(IoctlSpec ioctl)
    {
        var macro = ioctl.Direction switch
        {
            IoctlDirection.None => "_IO",
            IoctlDirection.Read => "_IOR",
            IoctlDirection.Write => "_IOW",
            _ => "_IOWR",
        };
        var type = ioctl.Type is >= 0x20 and < 0x7F ? "'" + (char)ioctl.Type + "'" : Naming.Number(ioctl.Type);
        var nr = "0x" + ioctl.Nr.ToString("X", System.Globalization.CultureInfo.InvariantCulture);
        return macro + "(" + type + ", " + nr + (ioctl.Argument is { } argument ? ", struct " + argument : string.Empty) + ")";
    }

    public static BindingPlan Create(SpecDocument document, string ns, string prefix, bool isInternal = false, EmitSides sides = EmitSides.Both, bool emulatorRegistration = false)
    {
        var plan = new BindingPlan(document, ns, prefix, isInternal, sides, emulatorRegistration);
        var typeNames = new NameScope(plan.ProtocolType, plan.CallEnum, plan.ClientType, plan.HandlerInterface, plan.DispatcherType);

        foreach (var call in document.Calls)
        {
            plan.Calls.Add(CallPlan.Create(call, prefix, typeNames, plan.IsSyscallAbi, document.Protocol.CallPrefix));
        }

        foreach (var bitField in document.BitFields)
        {
            var baseName = bitField.Binding is { Kind: BindingKind.Register } binding
                ? (plan.Calls.FirstOrDefault(c => c.Spec.Name == binding.Owner)?.MethodName ?? Naming.Pascal(binding.Owner)) + Naming.Pascal(binding.Member)
                : Naming.Pascal(bitField.Name);
            var bitPlan = new BitFieldPlan(bitField, typeNames.Unique(baseName));
            plan.BitFields.Add(bitPlan);
            plan.bitPlans[bitField] = bitPlan;
        }

        // Enums first: struct fields are typed by them.
        foreach (var table in document.ConstantTables.Where(t => t.Kind == ConstantTableKind.Enum))
        {
            var enumPlan = ConstantTablePlan.Create(table, typeNames.Unique(TableTypeName(table, prefix)));
            plan.ConstantTables.Add(enumPlan);
            plan.enumPlans[table] = enumPlan;
        }

        foreach (var structSpec in document.Structs)
        {
            var structPlan = StructPlan.Create(structSpec, typeNames.Unique(Naming.Pascal(structSpec.Name)), plan);
            plan.Structs.Add(structPlan);
            plan.structPlans[structSpec] = structPlan;
        }

        foreach (var call in plan.Calls)
        {
            call.BindBitFields(plan);
        }

        // Every result-code table of a spec adds to one class: a protocol has one set of results.
        var resultTables = document.ConstantTables.Where(t => t.Kind == ConstantTableKind.ResultCodes).ToList();
        if (resultTables.Count > 0)
        {
            var merged = new ConstantTableSpec("Result codes", ConstantTableKind.ResultCodes, resultTables[0].Span, resultTables.SelectMany(t => t.Constants).ToEquatableArray());
            plan.ConstantTables.Add(ConstantTablePlan.Create(merged, typeNames.Unique(prefix + (plan.IsSyscallAbi ? "Error" : "ResultCodes")), plan.IsSyscallAbi));
        }

        // Ioctl request codes are constants too: one class of them per spec.
        if (document.Ioctls.Count > 0)
        {
            var codes = document.Ioctls.Select(i => new ConstantSpec(i.Name, i.Number, IoctlExpression(i), i.Description, i.Span)).ToEquatableArray();
            plan.ConstantTables.Add(ConstantTablePlan.Create(new ConstantTableSpec("Ioctls", ConstantTableKind.Constants, document.Ioctls[0].Span, codes), typeNames.Unique(prefix + "Ioctls")));
        }

        foreach (var table in document.ConstantTables.Where(t => t.Kind is not ConstantTableKind.ResultCodes and not ConstantTableKind.Enum))
        {
            plan.ConstantTables.Add(ConstantTablePlan.Create(table, typeNames.Unique(TableTypeName(table, prefix))));
        }

        return plan;
    }

    /// <summary>
    /// A table's type: its name in PascalCase, after the prefix unless it starts with it (in any case: a flag set
    /// named for <c>vmfwupdate capabilities</c> is <c>VmfwupdateCapabilities</c> beside the struct <c>Vmfwupdate</c>).
    /// An enum keeps its own name.
    /// </summary>
    private static string TableTypeName(ConstantTableSpec table, string prefix)
    {
        var name = Naming.Pascal(table.Name);
        return table.Kind == ConstantTableKind.Enum || name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? name : prefix + name;
    }

    // The model's references are its own records: found again by identity.
    private readonly Dictionary<BitFieldSpec, BitFieldPlan> bitPlans = new(Common.ReferenceComparer<BitFieldSpec>.Instance);
    private readonly Dictionary<StructSpec, StructPlan> structPlans = new(Common.ReferenceComparer<StructSpec>.Instance);
    private readonly Dictionary<ConstantTableSpec, ConstantTablePlan> enumPlans = new(Common.ReferenceComparer<ConstantTableSpec>.Instance);

    /// <summary>The plan of a bit table the model references (a field's or register's), or null.</summary>
    public BitFieldPlan? PlanOf(BitFieldSpec? bits) => bits is not null && bitPlans.TryGetValue(bits, out var plan) ? plan : null;

    public StructPlan? PlanOf(StructSpec? structure) => structure is not null && structPlans.TryGetValue(structure, out var plan) ? plan : null;

    public ConstantTablePlan? PlanOf(ConstantTableSpec? table) => table is not null && enumPlans.TryGetValue(table, out var plan) ? plan : null;
}

/// <summary>A bit table as a <c>[Flags]</c> enum (single bits) with accessors for multi-bit ranges.</summary>
internal sealed class BitFieldPlan
{
    public BitFieldPlan(BitFieldSpec spec, string typeName)
    {
        Spec = spec;
        TypeName = typeName;
        Bytes = Naming.BytesForBits(spec.Width);
        var members = new NameScope("None", "ReservedMask");
        foreach (var bit in spec.Bits.Where(b => !b.Reserved))
        {
            Members.Add((bit, members.Unique(Naming.Pascal(bit.Name))));
        }
    }

    public BitFieldSpec Spec { get; }

    public string TypeName { get; }

    public string ExtensionsType => TypeName + "Extensions";

    /// <summary>Bytes of the enum's underlying type.</summary>
    public int Bytes { get; }

    public string Underlying => Naming.UnsignedType(Bytes);

    public List<(BitSpec Bit, string Name)> Members { get; } = new();

    public ulong ReservedMask =>
        Spec.Bits.Where(b => b.Reserved && b.High < 64).Aggregate(0UL, (mask, b) => mask | Naming.Mask(b.Low, b.High));

    /// <summary>Whether a field or register of <paramref name="bytes"/> bytes can be typed as this enum.</summary>
    public bool Fits(int bytes) => bytes == Bytes && Spec.Width == bytes * 8;
}

/// <param name="IsStruct">Whether the field is another generated struct, whose own reserved bytes count too.</param>
internal sealed record FieldPlan(FieldSpec Spec, string Name, string Type, BitFieldPlan? BitField, string? BufferType, string? TextProperty, bool IsStruct = false);

internal sealed class StructPlan
{
    private StructPlan(StructSpec spec, string typeName)
    {
        Spec = spec;
        TypeName = typeName;
    }

    public StructSpec Spec { get; }

    public string TypeName { get; }

    public List<FieldPlan> Fields { get; } = new();

    /// <summary>The field that holds the struct's version, when some field has a first version.</summary>
    public FieldPlan? VersionField
    {
        get
        {
            var version = Spec.VersionField;
            if (version is null)
            {
                return null;
            }

            foreach (var candidate in Fields)
            {
                if (candidate.Spec.Offset == version.Offset && candidate.Spec.Name == version.Name)
                {
                    return candidate;
                }
            }

            return null;
        }
    }

    public static StructPlan Create(StructSpec spec, string typeName, BindingPlan bindings)
    {
        var plan = new StructPlan(spec, typeName);
        var members = new NameScope(typeName, "Validate", "Size", "NewestVersion", "AreZero");
        // A flexible array (size 0) takes no room in the struct, as in C: it gets no field.
        foreach (var field in spec.Fields.Where(f => f.Size > 0))
        {
            var name = members.Unique(Naming.Pascal(field.Name));
            var bitField = bindings.PlanOf(field.Bits);
            string type;
            string? buffer = null;
            string? text = null;
            // A single member of a struct of the spec is that struct's generated type, not a byte buffer; so is an enum.
            var nested = bindings.PlanOf(field.Struct);
            var enumeration = bindings.PlanOf(field.Enum);
            if (bitField is not null && bitField.Fits(field.Size))
            {
                type = bitField.TypeName;
            }
            else if (nested is not null && nested.Spec.Size == field.Size)
            {
                type = nested.TypeName;
            }
            else if (enumeration is not null && enumeration.Spec.Size == field.Size)
            {
                type = enumeration.TypeName;
            }
            else if (field.Size is 1 or 2 or 4 or 8)
            {
                type = Naming.UnsignedType(field.Size);
            }
            else
            {
                buffer = members.Unique(name + "Buffer");
                type = buffer;
                if (!field.Reserved && (field.Description.IndexOf("UTF-8", StringComparison.OrdinalIgnoreCase) >= 0 ||
                    field.Description.IndexOf("UTF8", StringComparison.OrdinalIgnoreCase) >= 0 || Naming.SameIgnoringCase(field.Name, "name")))
                {
                    text = members.Unique(name + "Text");
                }
            }

            plan.Fields.Add(new FieldPlan(field, name, type, bitField is not null && type == bitField.TypeName ? bitField : null, buffer, text, nested is not null && type == nested.TypeName));
        }

        return plan;
    }
}

internal sealed record RegisterPlan(RegisterSpec Spec, string Name, string Type, BitFieldPlan? BitField)
{
    public string Field => Naming.RegisterMember(Spec.Register);
}

internal sealed class CallPlan
{
    private CallPlan(CallSpec spec, string methodName, string resultType)
    {
        Spec = spec;
        MethodName = methodName;
        ResultType = resultType;
    }

    public CallSpec Spec { get; }

    public string MethodName { get; }

    public string ResultType { get; }

    public List<RegisterPlan> Inputs { get; } = new();

    public List<RegisterPlan> Outputs { get; } = new();

    public RegisterSpec? ResultRegister => Spec.Registers.FirstOrDefault(r => r.Register == "RAX" && r.IsOutput);

    /// <summary>What every syscall returns: RAX, a value or a negative error number.</summary>
    public const string SyscallResultType = "global::Svsm.Runtime.SyscallResult";

    public static CallPlan Create(CallSpec spec, string prefix, NameScope typeNames, bool isSyscall = false, string? callPrefix = null)
    {
        var shortName = spec.Name;
        var lead = isSyscall ? "SYS_" : callPrefix ?? "SVSM_" + prefix + "_";
        if (shortName.StartsWith(lead, StringComparison.OrdinalIgnoreCase) && shortName.Length > lead.Length)
        {
            shortName = shortName.Substring(lead.Length);
        }

        var method = Naming.Pascal(shortName);
        var plan = new CallPlan(spec, method, isSyscall ? SyscallResultType : typeNames.Unique(prefix + method + "Result"));
        var parameters = new NameScope("context", "handler", "registers", "transport", "result");
        var properties = new NameScope("Result", plan.ResultType);

        // RAX carries the call code in and the result code out; the other registers are the call's values.
        foreach (var register in spec.Registers)
        {
            if (register.Register == "RAX")
            {
                continue;
            }

            var type = register.Kind switch
            {
                RegisterValueKind.Boolean => "bool",
                RegisterValueKind.Signed => Naming.SignedType(register.Size),
                _ => Naming.UnsignedType(register.Size),
            };
            if (register.IsInput)
            {
                plan.Inputs.Add(new RegisterPlan(register, parameters.Unique(Naming.Camel(register.Name)), type, null));
            }

            if (register.IsOutput)
            {
                plan.Outputs.Add(new RegisterPlan(register, properties.Unique(Naming.Pascal(register.Name)), type, null));
            }
        }

        return plan;
    }

    /// <summary>Types registers with the bit table bound to them, where its width is the register's.</summary>
    public void BindBitFields(BindingPlan bindings)
    {
        for (var i = 0; i < Inputs.Count; i++)
        {
            Inputs[i] = Typed(Inputs[i], bindings);
        }

        for (var i = 0; i < Outputs.Count; i++)
        {
            Outputs[i] = Typed(Outputs[i], bindings);
        }
    }

    private static RegisterPlan Typed(RegisterPlan register, BindingPlan bindings)
    {
        var bitField = bindings.PlanOf(register.Spec.Bits);
        return bitField is null || !bitField.Fits(register.Spec.Size) ? register : register with { Type = bitField.TypeName, BitField = bitField };
    }
}

/// <summary>A constant table as a static class of C# constants named without the spec names' shared prefix.</summary>
internal sealed class ConstantTablePlan
{
    private ConstantTablePlan(ConstantTableSpec spec, string typeName, bool isSyscallErrors)
    {
        Spec = spec;
        TypeName = typeName;
        IsSyscallErrors = isSyscallErrors && spec.Kind == ConstantTableKind.ResultCodes;
        Type = spec.Kind == ConstantTableKind.Enum
            ? (spec.Signed ? Naming.SignedType(spec.Size) : Naming.UnsignedType(spec.Size))
            : IsSyscallErrors ? "long" : spec.Kind == ConstantTableKind.ResultCodes || spec.Constants.All(c => c.Value <= uint.MaxValue) ? "uint" : "ulong";
    }

    public bool IsEnum => Spec.Kind == ConstantTableKind.Enum;

    /// <summary>A syscall ABI's error numbers: negative, as RAX returns them.</summary>
    public bool IsSyscallErrors { get; }

    public ConstantTableSpec Spec { get; }

    public string TypeName { get; }

    /// <summary>The C# type of the values: <c>uint</c> when every value fits, as result codes always do.</summary>
    public string Type { get; }

    public List<(ConstantSpec Constant, string Name)> Members { get; } = new();

    public bool IsResultCodes => Spec.Kind == ConstantTableKind.ResultCodes;

    public bool IsFlags => Spec.Kind == ConstantTableKind.Flags;

    public static ConstantTablePlan Create(ConstantTableSpec spec, string typeName, bool isSyscallErrors = false)
    {
        var plan = new ConstantTablePlan(spec, typeName, isSyscallErrors);
        var words = spec.Constants.Select(c => Naming.Words(c.Name)).ToList();
        var shared = SharedPrefixLength(words);
        var taken = new NameScope();
        for (var i = 0; i < words.Count; i++)
        {
            var rest = words[i].GetRange(shared, words[i].Count - shared);
            if (plan.IsResultCodes && rest.Count > 1 && (Naming.SameIgnoringCase(rest[0], "ERR") || Naming.SameIgnoringCase(rest[0], "ERROR")))
            {
                rest.RemoveAt(0);
            }

            plan.Members.Add((spec.Constants[i], taken.Unique(Naming.Pascal(string.Join("_", rest)))));
        }

        return plan;
    }

    /// <summary>How many leading words every name shares, leaving each at least one word; none for a single name.</summary>
    private static int SharedPrefixLength(List<List<string>> names)
    {
        if (names.Count < 2)
        {
            return 0;
        }

        var shared = 0;
        while (names.All(n => n.Count > shared + 1 && Naming.SameIgnoringCase(n[shared], names[0][shared])))
        {
            shared++;
        }

        return shared;
    }
}
