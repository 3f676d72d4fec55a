using System;
using System.Collections.Generic;
using System.Linq;
using Svsm.Bindings.Spec.Common;
using Svsm.Bindings.Spec.Reading;

namespace Svsm.Bindings.Spec.Recognising.Tables;

internal enum TableKind
{
    None,
    Calls,
    Registers,
    Layout,
    Bits,
    Constants,
    TypedLayout,
    Ioctls,
    Syscalls,
    Parameters,
}

/// <summary>
/// A column a kind of table may have: its title as documented, and the header spellings that mean it. Each is one
/// shared instance, so it compares and hashes by identity when located columns are looked up.
/// </summary>
internal sealed class ColumnSpec(string title, bool required, bool identifies, params string[] spellings)
{
    public string Title { get; } = title;

    public bool Required { get; } = required;

    public bool Identifies { get; } = identifies;

    public string[] Spellings { get; } = spellings;

    /// <summary>Whether any of <paramref name="keys"/> is one of this column's spellings.</summary>
    public bool IsIn(List<string> keys)
    {
        foreach (var spelling in Spellings)
        {
            if (keys.Contains(spelling))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// The kinds of table the reader understands. A table is of the kind whose identifying columns its header has
/// (compared without case, spaces or punctuation: "Size (Bytes)" is "sizebytes"); columns may come in any order.
/// </summary>
internal sealed record TableSchema(TableKind Kind, string Title, IReadOnlyList<ColumnSpec> Columns)
{
    public static readonly ColumnSpec CallId = new("Call ID", true, true, "callid", "callnumber", "callno", "id");
    public static readonly ColumnSpec FirstVersion = new("First version supported", true, true, "firstversionsupported", "firstversion", "sinceversion", "since", "minimumversion", "minversion", "version");
    public static readonly ColumnSpec CallName = new("Name", true, false, "name", "callname", "call");
    public static readonly ColumnSpec Function = new("Function", true, false, "function", "description", "purpose");

    public static readonly ColumnSpec Register = new("Register", true, true, "register", "reg", "registers");
    public static readonly ColumnSpec Size = new("Size (Bytes)", true, false, "sizebytes", "size", "sizeinbytes", "bytes");
    public static readonly ColumnSpec Alignment = new("Alignment", true, true, "alignment", "align", "alignmentbytes");
    public static readonly ColumnSpec Direction = new("In/Out", true, true, "inout", "direction", "dir", "io");
    public static readonly ColumnSpec Description = new("Description", true, false, "description", "desc", "meaning");
    public static readonly ColumnSpec MemberName = new("Name", false, false, "name", "field", "fieldname", "parameter");

    public static readonly ColumnSpec Offset = new("Offset", true, true, "offset", "byteoffset", "offsetbytes");
    public static readonly ColumnSpec FieldFirstVersion = new("First version", false, false, "firstversion", "sinceversion", "since", "version", "firstversionsupported", "minimumversion", "minversion");

    public static readonly ColumnSpec Bits = new("Bit(s)", true, true, "bits", "bit", "bitrange", "bitposition");
    public static readonly ColumnSpec BitName = new("Name", true, false, "name", "field", "flag");

    public static readonly ColumnSpec Value = new("Value", true, true, "value", "code", "resultcode", "errorcode");
    public static readonly ColumnSpec ConstantName = new("Name", true, false, "name", "constant", "symbol", "define");
    public static readonly ColumnSpec OptionalDescription = new("Description", false, false, "description", "desc", "meaning");

    public static readonly ColumnSpec FieldType = new("Type", true, true, "type", "ctype", "fieldtype");
    public static readonly ColumnSpec TypedField = new("Field", true, false, "field", "member", "name", "fieldname");

    public static readonly ColumnSpec IoctlNumber = new("Number", true, true, "number", "nr", "ioctlnumber");
    public static readonly ColumnSpec IoctlArgument = new("Argument", true, true, "argument", "arg", "argumenttype");
    public static readonly ColumnSpec IoctlDirection = new("Direction", true, false, "direction", "dir", "macro");
    public static readonly ColumnSpec IoctlType = new("Type", true, false, "type", "ioctltype", "magic");
    public static readonly ColumnSpec IoctlName = new("Name", true, false, "name", "ioctl", "request");

    public static readonly ColumnSpec SyscallClass = new("Class", true, true, "class", "syscallclass", "callclass");
    public static readonly ColumnSpec SyscallNumber = new("Number", true, true, "number", "nr", "syscallnumber", "systemcallnumber", "syscallnr");
    public static readonly ColumnSpec SyscallName = new("Name", true, false, "name", "syscall", "systemcall", "call");
    public static readonly ColumnSpec SyscallFunction = new("Description", false, false, "description", "function", "purpose", "desc");

    public static readonly ColumnSpec Parameter = new("Parameter", true, true, "parameter", "param", "argument", "arg");
    public static readonly ColumnSpec ParameterType = new("Type", true, true, "type", "rusttype", "ctype");

    public static readonly IReadOnlyList<TableSchema> All = new[]
    {
        new TableSchema(TableKind.Calls, "call", new[] { CallId, FirstVersion, CallName, Function }),
        new TableSchema(TableKind.Registers, "Registers", new[] { Register, Size, Alignment, Direction, Description, MemberName }),
        new TableSchema(TableKind.Layout, "layout", new[] { Offset, Size, Description, MemberName, FieldFirstVersion }),
        new TableSchema(TableKind.Bits, "bit", new[] { Bits, BitName, Description }),
        new TableSchema(TableKind.Constants, "constant", new[] { Value, ConstantName, OptionalDescription }),
        new TableSchema(TableKind.TypedLayout, "typed layout", new[] { FieldType, TypedField, OptionalDescription }),
        new TableSchema(TableKind.Ioctls, "ioctl", new[] { IoctlNumber, IoctlArgument, IoctlDirection, IoctlType, IoctlName, OptionalDescription }),
        new TableSchema(TableKind.Syscalls, "syscall", new[] { SyscallClass, SyscallNumber, SyscallName, SyscallFunction }),
        new TableSchema(TableKind.Parameters, "Parameters", new[] { Parameter, ParameterType, OptionalDescription }),
    };

    public string ColumnList => string.Join(", ", Columns.Select(c => c.Required ? c.Title : c.Title + " (optional)"));

    /// <summary>
    /// The schema a header belongs to: the one with the most identifying columns, or for a header with none,
    /// the one its heading names ("Registers", "... layout"). Null when the table is of no kind we read.
    /// </summary>
    public static TableSchema? Classify(TableRowText header, string? heading)
    {
        var keys = Keys(header);
        TableSchema? best = null;
        var bestScore = 0;
        // Indexed loops: a foreach over the lists' interface would make an enumerator for each, on every table.
        for (var s = 0; s < All.Count; s++)
        {
            var schema = All[s];
            var score = 0;
            for (var c = 0; c < schema.Columns.Count; c++)
            {
                score += schema.Columns[c].Identifies && schema.Columns[c].IsIn(keys) ? 1 : 0;
            }

            if (schema.Kind == TableKind.Calls && score == 1 && keys.Contains("id") && !keys.Contains("callid"))
            {
                // A bare "ID" column identifies a call table only beside a call-table column.
                score = Matches(schema, FirstVersion, keys) || Matches(schema, Function, keys) ? score : 0;
            }

            if (schema.Kind == TableKind.Constants && !Matches(schema, ConstantName, keys))
            {
                // "Key | Value" tables are everywhere in prose; a constant table names its constants.
                score = 0;
            }

            // A tie goes to the schema more of the header's columns belong to: "Offset | ... | First version" is a
            // layout whose fields have versions, not a call table.
            if (score > bestScore || (score > 0 && score == bestScore && best is not null && MatchedColumns(schema, keys) > MatchedColumns(best, keys)))
            {
                best = schema;
                bestScore = score;
            }
        }

        if (best is not null || heading is null)
        {
            return best;
        }

        var headingKey = Key(heading);
        if (headingKey == "registers")
        {
            return All.First(s => s.Kind == TableKind.Registers);
        }

        return headingKey.EndsWith("layout", StringComparison.Ordinal) && header.Cells.Count >= 2
            ? All.First(s => s.Kind == TableKind.Layout)
            : null;
    }

    /// <summary>Where each column of this schema stands in the header (-1 when absent).</summary>
    public Dictionary<ColumnSpec, int> Locate(TableRowText header)
    {
        var keys = Keys(header);
        var taken = new bool[keys.Count];
        var result = new Dictionary<ColumnSpec, int>(Columns.Count);

        // Exact first spellings are placed before looser ones, so "Description" is the description even in a
        // call table whose "Function" column also accepts that word.
        foreach (var pass in new[] { 0, 1 })
        {
            foreach (var column in Columns)
            {
                if (result.ContainsKey(column))
                {
                    continue;
                }

                var index = FirstUntaken(keys, taken, column.Spellings, pass == 0 ? 0 : 1, pass == 0 ? 1 : column.Spellings.Length);
                if (index >= 0)
                {
                    result[column] = index;
                    taken[index] = true;
                }
            }
        }

        foreach (var column in Columns)
        {
            if (!result.ContainsKey(column))
            {
                result[column] = -1;
            }
        }

        return result;
    }

    // The first header cell not yet placed whose key is one of spellings[from..to).
    private static int FirstUntaken(List<string> keys, bool[] taken, string[] spellings, int from, int to)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            if (taken[i])
            {
                continue;
            }

            for (var s = from; s < to; s++)
            {
                if (string.Equals(spellings[s], keys[i], StringComparison.Ordinal))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    private static List<string> Keys(TableRowText header)
    {
        var keys = new List<string>(header.Cells.Count);
        foreach (var cell in header.Cells)
        {
            keys.Add(Key(cell.Text));
        }

        return keys;
    }

    private static int MatchedColumns(TableSchema schema, List<string> keys)
    {
        var count = 0;
        foreach (var column in schema.Columns)
        {
            count += column.IsIn(keys) ? 1 : 0;
        }

        return count;
    }

    private static bool Matches(TableSchema schema, ColumnSpec column, List<string> keys)
    {
        if (!column.IsIn(keys))
        {
            return false;
        }

        foreach (var own in schema.Columns)
        {
            if (ReferenceEquals(own, column))
            {
                return true;
            }
        }

        return false;
    }

    public static string Key(string text) => Words.Key(text);
}
