using System.Linq;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Comparing;

/// <summary>
/// What a protocol promises its callers, taken from a validated model: the protocol's id and version, its calls and
/// their registers, its structs' fields, its bit tables and its result codes, each with where the spec states it.
/// This is what <see cref="SpecDiff"/> compares and what a shipped baseline keeps; names, not prose, identify things.
/// </summary>
public sealed record ProtocolSurface(
    string? Name,
    uint? Id,
    uint Version,
    EquatableArray<CallSurface> Calls,
    EquatableArray<StructSurface> Structs,
    EquatableArray<BitsSurface> BitFields,
    EquatableArray<ResultSurface> Results)
{
    public static ProtocolSurface From(SpecDocument document) => new(
        document.Protocol.Name,
        document.Protocol.Id,
        document.Protocol.Version ?? 1,
        document.Calls.Select(c => new CallSurface(
            c.Id,
            c.Name,
            c.SinceVersion,
            // RAX is every call's result code: a spec may list it or not, and it is not the call's to change.
            c.Registers.Where(r => r.Register != "RAX").Select(r => new RegisterSurface(r.Register, r.Direction, r.Size, r.Alignment, r.Span)).ToEquatableArray(),
            c.Span)).ToEquatableArray(),
        document.Structs.Select(s => new StructSurface(
            s.Name,
            s.Size,
            s.NewestVersion,
            s.Fields.Select(f => new FieldSurface(f.Name, f.Offset, f.Size, f.Reserved, f.FirstVersion, f.Span)).ToEquatableArray(),
            s.Span)).ToEquatableArray(),
        document.BitFields.Select(b => new BitsSurface(
            b.Name,
            b.Width,
            b.Bits.Select(bit => new BitSurface(bit.Name, bit.Low, bit.High, bit.Reserved, bit.Span)).ToEquatableArray(),
            b.Span)).ToEquatableArray(),
        document.ConstantTables.Where(t => t.Kind == ConstantTableKind.ResultCodes)
            .SelectMany(t => t.Constants)
            .Select(c => new ResultSurface(c.Name, c.Value, c.Span)).ToEquatableArray());

    /// <summary>
    /// The key a name is matched by across versions and styles: its letters and digits, lower case, so that a
    /// table's "Source entry" and a C declaration's <c>source_entry</c> are the same struct.
    /// </summary>
    public static string Key(string name) => Common.Words.Key(name);
}

public sealed record CallSurface(uint Id, string Name, uint Since, EquatableArray<RegisterSurface> Registers, SpecSpan Span);

public sealed record RegisterSurface(string Register, RegisterDirection Direction, int Size, int? Alignment, SpecSpan Span)
{
    /// <summary>The register as a caller depends on it: "RCX IN, 8 bytes, 4096-aligned".</summary>
    public string Shape => Register + " " + Direction.ToString().ToUpperInvariant() + ", " + Size + (Size == 1 ? " byte" : " bytes") + (Alignment is { } a ? ", " + a + "-aligned" : "");
}

public sealed record StructSurface(string Name, int Size, uint NewestVersion, EquatableArray<FieldSurface> Fields, SpecSpan Span);

public sealed record FieldSurface(string Name, int Offset, int Size, bool Reserved, uint FirstVersion, SpecSpan Span)
{
    public int End => Offset + Size;
}

public sealed record BitsSurface(string Name, int Width, EquatableArray<BitSurface> Bits, SpecSpan Span);

public sealed record BitSurface(string Name, int Low, int High, bool Reserved, SpecSpan Span);

public sealed record ResultSurface(string Name, ulong Value, SpecSpan Span);
