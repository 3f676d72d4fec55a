using System;
using System.Collections.Generic;
using System.Globalization;

namespace Svsm.Bindings.Spec.Common;

/// <summary>
/// The names taken in one scope (a struct's fields, a call's parameters, a spec's types): <see cref="Unique"/> gives a
/// repeat 2, 3, ... The reader and the emitters name things in these scopes, one per struct, call and table.
/// </summary>
internal sealed class NameScope
{
    // Most scopes hold a handful of names: a list searched in turn is cheaper than a hash set made for each. A scope
    // that grows large moves to a hash set, so a spec with thousands of fields is not quadratic.
    private const int ListLimit = 16;

    private readonly StringComparison comparison;
    private readonly List<string> names = new();
    private HashSet<string>? set;

    public NameScope(bool ignoreCase = false) => comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public NameScope(params string[] taken)
        : this(ignoreCase: false)
    {
        foreach (var name in taken)
        {
            Add(name);
        }
    }

    public bool Contains(string name)
    {
        if (set is not null)
        {
            return set.Contains(name);
        }

        foreach (var taken in names)
        {
            if (string.Equals(taken, name, comparison))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Takes <paramref name="name"/>; false when it was already taken.</summary>
    public bool Add(string name)
    {
        if (Contains(name))
        {
            return false;
        }

        if (set is not null)
        {
            set.Add(name);
        }
        else if (names.Count == ListLimit)
        {
            set = new HashSet<string>(names, comparison == StringComparison.Ordinal ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase) { name };
        }
        else
        {
            names.Add(name);
        }

        return true;
    }

    /// <summary><paramref name="name"/>, or with 2, 3, ... appended when it is taken; takes what it returns.</summary>
    public string Unique(string name)
    {
        var candidate = name;
        for (var n = 2; !Add(candidate); n++)
        {
            candidate = name + n.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }
}
