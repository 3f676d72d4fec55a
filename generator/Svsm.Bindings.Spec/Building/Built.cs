using System.Collections.Generic;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Recognising;

namespace Svsm.Bindings.Spec.Building;

// The built model: every name resolved to what it names (a field to its struct, enum and bit table, a register to
// its bit table), every value evaluated, every struct laid out. Each element keeps the errors found in it while it
// was recognised and built; validation adds its own, leaves out what has any, and makes the records of the rest.

/// <summary>An element of the built model and the indices of the errors found in it.</summary>
internal abstract class BuiltElement
{
    public List<int> Errors { get; } = new();

    /// <summary>How a diagnostic names it when it is left out: "call 'SVSM_X'", "struct 'y'".</summary>
    public abstract string What { get; }
}

internal sealed class BuiltStruct(StructSpec header, int position) : BuiltElement
{
    /// <summary>Everything but the fields.</summary>
    public StructSpec Header { get; set; } = header;

    public int Position { get; } = position;

    public SpecSpan HeaderSpan { get; set; }

    public List<BuiltField> Fields { get; } = new();

    /// <summary>Sizes stated for it (front matter first, then prose), for validation to compare.</summary>
    public List<(int Size, SpecSpan Span, string Where)> SizeStatements { get; } = new();

    /// <summary>Whether its size was laid out from types (and so must match any stated size) rather than read from offsets.</summary>
    public bool LaidOut { get; set; }

    public string Name => Header.Name;

    public override string What => (Header.IsUnion ? "union '" : "struct '") + Header.Name + "'";
}

/// <summary>A field, with the words prose may use to name it (for binding bit tables).</summary>
internal sealed class BuiltField(FieldSpec spec, IReadOnlyList<string> mentions)
{
    public FieldSpec Spec { get; set; } = spec;

    public IReadOnlyList<string> Mentions { get; } = mentions;

    public BuiltStruct? Struct { get; set; }

    public BuiltConstants? Enum { get; set; }

    public BuiltBits? Bits { get; set; }
}

internal sealed class BuiltBits(BitFieldSpec spec) : BuiltElement
{
    public BitFieldSpec Spec { get; set; } = spec;

    public override string What => "bit table '" + Spec.Name + "'";
}

internal sealed class BuiltCall(CallSpec spec, SpecSpan idSpan, SpecSpan versionSpan, SpecSpan nameSpan) : BuiltElement
{
    /// <summary>Everything but the registers.</summary>
    public CallSpec Spec { get; set; } = spec;

    public SpecSpan IdSpan { get; } = idSpan;

    public SpecSpan VersionSpan { get; } = versionSpan;

    public SpecSpan NameSpan { get; } = nameSpan;

    public List<BuiltRegister> Registers { get; } = new();

    public override string What => (Spec.Class is null ? "call '" : "syscall '") + Spec.Name + "'";
}

internal sealed class BuiltRegister(RegisterSpec spec, SpecSpan sizeSpan, SpecSpan registerSpan)
{
    public RegisterSpec Spec { get; set; } = spec;

    public SpecSpan SizeSpan { get; } = sizeSpan;

    public SpecSpan RegisterSpan { get; } = registerSpan;

    public BuiltBits? Bits { get; set; }

    /// <summary>What the spec says a misaligned value gets, until the code it names is resolved.</summary>
    public AlignmentNote? MisalignedNote { get; init; }
}

internal sealed class BuiltConstants(ConstantTableSpec header) : BuiltElement
{
    /// <summary>Everything but the constants.</summary>
    public ConstantTableSpec Header { get; set; } = header;

    public List<BuiltConstant> Constants { get; } = new();

    public override string What => "'" + Header.Name + "'";
}

internal sealed class BuiltConstant(ConstantSpec spec, SpecSpan nameSpan, SpecSpan valueSpan) : BuiltElement
{
    public ConstantSpec Spec { get; } = spec;

    public SpecSpan NameSpan { get; } = nameSpan;

    public SpecSpan ValueSpan { get; } = valueSpan;

    public override string What => "constant '" + Spec.Name + "'";
}

internal sealed class BuiltIoctl(IoctlSpec spec) : BuiltElement
{
    public IoctlSpec Spec { get; } = spec;

    public override string What => "ioctl '" + Spec.Name + "'";
}

/// <summary>The whole built model of one spec.</summary>
internal sealed class BuiltSpec(ProtocolInfo protocol)
{
    public ProtocolInfo Protocol { get; set; } = protocol;

    /// <summary>Where SVSM0020 and SVSM0021 point: the first heading.</summary>
    public SpecSpan IdentitySpan { get; set; }

    public bool VersionAssumed { get; set; }

    public List<BuiltCall> Calls { get; } = new();

    public List<ProposedCallSpec> ProposedCalls { get; } = new();

    public List<BuiltStruct> Structs { get; } = new();

    public List<BuiltBits> BitFields { get; } = new();

    public List<BuiltConstants> ConstantTables { get; } = new();

    public List<BuiltIoctl> Ioctls { get; } = new();

    public bool HasDefinitions { get; set; }

    /// <summary>What the file holds, for the warning that it defines nothing.</summary>
    public SeenConstructs Seen { get; set; } = new();

    /// <summary>Whether the file holds anything but white space.</summary>
    public bool HasContent { get; set; }
}
