using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Comparing;

/// <summary>A difference between two versions of a spec: the diagnostic at the new spec's line, and where the old one stated it.</summary>
/// <param name="Was">The old spec's place, when the change is to something the old spec states.</param>
public sealed record SpecChange(SpecDiagnostic Diagnostic, SpecSpan? Was)
{
    public bool IsBreaking => Diagnostic.Severity == SpecSeverity.Error;
}

/// <summary>
/// Classifies every difference between two versions of a protocol, as the OCP draft states the promise: versioning
/// is strictly additive, so what a released version has stays as it is. Additive changes are infos (SVSM0066);
/// breaking ones are errors, each with its own id. Calls are matched by name and then by id; structs, bit tables
/// and fields by their names' letters and digits (<see cref="ProtocolSurface.Key"/>), so that one protocol written
/// as tables and as code compares equal.
/// </summary>
public static class SpecDiff
{
    public static EquatableArray<SpecChange> Compare(ProtocolSurface old, ProtocolSurface @new)
    {
        var changes = new List<SpecChange>();
        if (old.Id != @new.Id || (old.Id is null && ProtocolSurface.Key(old.Name ?? "") != ProtocolSurface.Key(@new.Name ?? "")))
        {
            changes.Add(new(SpecDiagnostics.UnrelatedProtocols.Create(SpecSpan.None, "the old one is " + Describe(old) + ", the new one " + Describe(@new)), null));
            return changes.ToEquatableArray();
        }

        if (@new.Version < old.Version)
        {
            changes.Add(new(SpecDiagnostics.ProtocolVersionLowered.Create(SpecSpan.None, old.Version, @new.Version), null));
        }

        CompareCalls(old, @new, changes);
        CompareStructs(old, @new, changes);
        CompareBits(old, @new, changes);
        CompareResults(old, @new, changes);
        return changes.OrderBy(c => c.Diagnostic.Span.Line).ThenBy(c => c.Diagnostic.Span.Column).ToEquatableArray();
    }

    private static void CompareCalls(ProtocolSurface old, ProtocolSurface @new, List<SpecChange> changes)
    {
        var newByName = FirstByKey(@new.Calls, c => c.Name);
        var newById = FirstByKey(@new.Calls, c => c.Id.ToString(CultureInfo.InvariantCulture));
        var oldNames = new HashSet<string>(old.Calls.Select(c => c.Name));
        var accounted = new HashSet<CallSurface>();
        foreach (var call in old.Calls)
        {
            if (newByName.TryGetValue(call.Name, out var now))
            {
                accounted.Add(now);
                if (now.Id != call.Id)
                {
                    changes.Add(new(SpecDiagnostics.CallRenumbered.Create(now.Span, call.Name, call.Id, now.Id), call.Span));
                    continue;
                }

                var (what, where) = RegisterChanges(call, now);
                if (now.Since != call.Since)
                {
                    what.Insert(0, $"its first version was {call.Since} and is now {now.Since}");
                }

                if (what.Count > 0)
                {
                    changes.Add(new(SpecDiagnostics.CallChanged.Create(where ?? now.Span, call.Name, call.Since, string.Join("; ", what)), call.Span));
                }
            }
            else if (newById.TryGetValue(call.Id.ToString(CultureInfo.InvariantCulture), out now) && !oldNames.Contains(now.Name))
            {
                accounted.Add(now);
                var descriptor = RegisterChanges(call, now).What.Count == 0 ? SpecDiagnostics.CallRenamed : SpecDiagnostics.CallIdReused;
                changes.Add(new(descriptor.Create(now.Span, call.Id, call.Name, now.Name), call.Span));
            }
            else
            {
                changes.Add(new(SpecDiagnostics.CallRemoved.Create(SpecSpan.None, call.Name, call.Id, call.Since), call.Span));
            }
        }

        foreach (var call in @new.Calls.Where(c => !accounted.Contains(c)))
        {
            changes.Add(call.Since > old.Version
                ? new(SpecDiagnostics.AdditiveChange.Create(call.Span, $"'{call.Name}' (call {call.Id}) is new in version {call.Since}"), null)
                : new(SpecDiagnostics.CallAddedToReleasedVersion.Create(call.Span, call.Name, call.Since, old.Version), null));
        }
    }

    // What a caller of the old call would find different, and where the first such register is stated now. A register
    // pairs with the one of its name and direction, or with the one of its name when either side lists that name once.
    private static (List<string> What, SpecSpan? Where) RegisterChanges(CallSurface old, CallSurface now)
    {
        bool Pairs(RegisterSurface a, RegisterSurface b) => a.Register == b.Register
            && (a.Direction == b.Direction || old.Registers.Count(r => r.Register == a.Register) == 1 || now.Registers.Count(r => r.Register == a.Register) == 1);

        var what = new List<string>();
        SpecSpan? where = null;
        foreach (var register in old.Registers)
        {
            var same = now.Registers.FirstOrDefault(r => Pairs(register, r));
            if (same is null)
            {
                what.Add(register.Shape + " is gone");
            }
            else if (same.Shape != register.Shape)
            {
                what.Add(register.Shape + " is now " + same.Shape);
                where ??= same.Span;
            }
        }

        foreach (var register in now.Registers.Where(r => !old.Registers.Any(o => Pairs(o, r))))
        {
            what.Add(register.Shape + " is new");
            where ??= register.Span;
        }

        return (what, where);
    }

    private static void CompareStructs(ProtocolSurface old, ProtocolSurface @new, List<SpecChange> changes)
    {
        var newByKey = FirstByKey(@new.Structs, s => ProtocolSurface.Key(s.Name));
        var oldKeys = new HashSet<string>(old.Structs.Select(s => ProtocolSurface.Key(s.Name)));
        foreach (var structure in old.Structs)
        {
            if (!newByKey.TryGetValue(ProtocolSurface.Key(structure.Name), out var now))
            {
                changes.Add(new(SpecDiagnostics.StructRemoved.Create(SpecSpan.None, "struct '" + structure.Name + "'"), structure.Span));
                continue;
            }

            var added = CompareMembers(now.Name, now.Span, "field", structure.Fields.Where(f => !f.Reserved), now.Fields.Where(f => !f.Reserved), f => f.Name, f => (f.Offset, f.End), f => f.Span, f => Bytes(f.Offset, f.Size), changes);
            if (now.Size < structure.Size)
            {
                changes.Add(new(SpecDiagnostics.FieldChanged.Create(now.Span, now.Name, $"shrank from {structure.Size} to {now.Size} bytes"), structure.Span));
            }

            foreach (var field in added)
            {
                var place = field.Offset >= structure.Size ? "past the old layout's end" : "which the old layout reserves";
                changes.Add(field.FirstVersion > structure.NewestVersion
                    ? new(SpecDiagnostics.AdditiveChange.Create(field.Span, $"'{now.Name}' field '{field.Name}' is new in version {field.FirstVersion}, in {Bytes(field.Offset, field.Size)}, {place}"), null)
                    : new(SpecDiagnostics.ReservedGivenMeaning.Create(field.Span, now.Name, Bytes(field.Offset, field.Size) + " (field '" + field.Name + "')", structure.NewestVersion > 0 ? "layout version " + structure.NewestVersion.ToString(CultureInfo.InvariantCulture) : "protocol version " + old.Version.ToString(CultureInfo.InvariantCulture)), null));
            }
        }

        foreach (var structure in @new.Structs.Where(s => !oldKeys.Contains(ProtocolSurface.Key(s.Name))))
        {
            changes.Add(new(SpecDiagnostics.AdditiveChange.Create(structure.Span, $"struct '{structure.Name}' ({structure.Size} bytes) is new"), null));
        }
    }

    private static void CompareBits(ProtocolSurface old, ProtocolSurface @new, List<SpecChange> changes)
    {
        var newByKey = FirstByKey(@new.BitFields, b => ProtocolSurface.Key(b.Name));
        var oldKeys = new HashSet<string>(old.BitFields.Select(b => ProtocolSurface.Key(b.Name)));
        foreach (var table in old.BitFields)
        {
            if (!newByKey.TryGetValue(ProtocolSurface.Key(table.Name), out var now))
            {
                changes.Add(new(SpecDiagnostics.StructRemoved.Create(SpecSpan.None, "bit table '" + table.Name + "'"), table.Span));
                continue;
            }

            if (now.Width != table.Width)
            {
                changes.Add(new(SpecDiagnostics.FieldChanged.Create(now.Span, now.Name, $"was {table.Width} bits wide and is now {now.Width}"), table.Span));
            }

            foreach (var bit in CompareMembers(now.Name, now.Span, "bit", table.Bits.Where(b => !b.Reserved), now.Bits.Where(b => !b.Reserved), b => b.Name, b => (b.Low, b.High + 1), b => b.Span, b => Bits(b.Low, b.High), changes))
            {
                changes.Add(@new.Version > old.Version
                    ? new(SpecDiagnostics.AdditiveChange.Create(bit.Span, $"'{table.Name}' bit '{bit.Name}' ({Bits(bit.Low, bit.High)}) is new in version {@new.Version}"), null)
                    : new(SpecDiagnostics.ReservedGivenMeaning.Create(bit.Span, table.Name, Bits(bit.Low, bit.High) + " (bit '" + bit.Name + "')", "protocol version " + old.Version.ToString(CultureInfo.InvariantCulture)), null));
            }
        }

        foreach (var table in @new.BitFields.Where(b => !oldKeys.Contains(ProtocolSurface.Key(b.Name))))
        {
            changes.Add(new(SpecDiagnostics.AdditiveChange.Create(table.Span, $"bit table '{table.Name}' ({table.Width} bits) is new"), null));
        }
    }

    /// <summary>
    /// The named members of one struct or bit table (fields, bits: ranges [start, end) of its bytes or bits) in both
    /// versions, paired by name. One gone, moved or resized is a change against <paramref name="owner"/>; returned are
    /// the new ones that stand in no old member's place (one that does is that member moved or replaced, reported here).
    /// </summary>
    private static List<T> CompareMembers<T>(
        string owner,
        SpecSpan ownerSpan,
        string kind,
        IEnumerable<T> old,
        IEnumerable<T> now,
        Func<T, string> name,
        Func<T, (int Start, int End)> range,
        Func<T, SpecSpan> span,
        Func<T, string> place,
        List<SpecChange> changes)
    {
        var oldByKey = FirstByKey(old, m => ProtocolSurface.Key(name(m)));
        var newByKey = FirstByKey(now, m => ProtocolSurface.Key(name(m)));
        foreach (var member in oldByKey.Values)
        {
            if (!newByKey.TryGetValue(ProtocolSurface.Key(name(member)), out var moved))
            {
                changes.Add(new(SpecDiagnostics.FieldChanged.Create(ownerSpan, owner, $"{kind} '{name(member)}' is gone (it was {place(member)})"), span(member)));
            }
            else if (range(moved) != range(member))
            {
                changes.Add(new(SpecDiagnostics.FieldChanged.Create(span(moved), owner, $"{kind} '{name(member)}' was {place(member)} and is now {place(moved)}"), span(member)));
            }
        }

        return newByKey.Values
            .Where(m => !oldByKey.ContainsKey(ProtocolSurface.Key(name(m))))
            .Where(m => !oldByKey.Values.Any(o => range(o).Start < range(m).End && range(m).Start < range(o).End))
            .ToList();
    }

    private static void CompareResults(ProtocolSurface old, ProtocolSurface @new, List<SpecChange> changes)
    {
        var newByName = FirstByKey(@new.Results, r => r.Name);
        var oldByName = FirstByKey(old.Results, r => r.Name);

        // An old code whose name is gone and whose value a new name took was renamed: one change, not two.
        var renamed = new HashSet<string>();
        foreach (var result in @new.Results.Where(r => !oldByName.ContainsKey(r.Name)))
        {
            if (old.Results.FirstOrDefault(o => o.Value == result.Value && !newByName.ContainsKey(o.Name) && !renamed.Contains(o.Name)) is { } previous)
            {
                renamed.Add(previous.Name);
                changes.Add(new(SpecDiagnostics.ResultCodeChanged.Create(result.Span, previous.Name, $"is now named '{result.Name}' ({Hex(result.Value)})"), previous.Span));
            }
            else
            {
                changes.Add(new(SpecDiagnostics.AdditiveChange.Create(result.Span, $"result code '{result.Name}' ({Hex(result.Value)}) is new"), null));
            }
        }

        foreach (var result in old.Results)
        {
            if (!newByName.TryGetValue(result.Name, out var now))
            {
                if (!renamed.Contains(result.Name))
                {
                    changes.Add(new(SpecDiagnostics.ResultCodeChanged.Create(SpecSpan.None, result.Name, $"is gone (it was {Hex(result.Value)})"), result.Span));
                }
            }
            else if (now.Value != result.Value)
            {
                changes.Add(new(SpecDiagnostics.ResultCodeChanged.Create(now.Span, result.Name, $"was {Hex(result.Value)} and is now {Hex(now.Value)}"), result.Span));
            }
        }
    }

    private static Dictionary<string, T> FirstByKey<T>(IEnumerable<T> items, Func<T, string> key)
    {
        var first = new Dictionary<string, T>();
        foreach (var item in items)
        {
            var k = key(item);
            if (!first.ContainsKey(k))
            {
                first.Add(k, item);
            }
        }

        return first;
    }

    private static string Describe(ProtocolSurface surface) =>
        (surface.Id is { } id ? "protocol " + id.ToString(CultureInfo.InvariantCulture) : "no protocol") + (surface.Name is { Length: > 0 } name ? " ('" + name + "')" : "");

    private static string Bytes(int offset, int size) => $"bytes 0x{offset:X}..0x{offset + size - 1:X} ({size} {(size == 1 ? "byte" : "bytes")})";

    private static string Bits(int low, int high) => low == high ? $"bit {low}" : $"bits {low}..{high}";

    private static string Hex(ulong value) => "0x" + value.ToString("X8", CultureInfo.InvariantCulture);
}
