using System;
using System.Collections;
using System.Collections.Generic;

namespace Svsm.Bindings.Spec.Model;

/// <summary>An immutable array that compares by its elements, so records holding it compare by value.</summary>
public readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    private readonly T[]? items;

    public EquatableArray(T[] items) => this.items = items;

    // LINQ's ToArray sizes the array once where the source knows its count (a list, or a Select over one).
    public EquatableArray(IEnumerable<T> items) => this.items = System.Linq.Enumerable.ToArray(items);

    public static EquatableArray<T> Empty => new(Array.Empty<T>());

    public int Count => items?.Length ?? 0;

    /// <summary>Each element mapped by <paramref name="map"/>, into an array of the same length.</summary>
    public EquatableArray<TResult> Map<TResult>(Func<T, TResult> map)
        where TResult : IEquatable<TResult>
    {
        if (items is not { Length: > 0 } source)
        {
            return EquatableArray<TResult>.Empty;
        }

        var mapped = new TResult[source.Length];
        for (var i = 0; i < source.Length; i++)
        {
            mapped[i] = map(source[i]);
        }

        return new EquatableArray<TResult>(mapped);
    }

    public T this[int index] => (items ?? Array.Empty<T>())[index];

    public bool Equals(EquatableArray<T> other)
    {
        var left = items ?? Array.Empty<T>();
        var right = other.items ?? Array.Empty<T>();
        if (left.Length != right.Length)
        {
            return false;
        }

        for (var i = 0; i < left.Length; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(left[i], right[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = 17;
        foreach (var item in items ?? Array.Empty<T>())
        {
            hash = unchecked((hash * 31) + (item is null ? 0 : EqualityComparer<T>.Default.GetHashCode(item)));
        }

        return hash;
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(items ?? Array.Empty<T>())).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);
}

/// <summary>Conversions to <see cref="EquatableArray{T}"/>.</summary>
public static class EquatableArray
{
    public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items)
        where T : IEquatable<T> => new(items);
}
