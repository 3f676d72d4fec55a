using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace Svsm.Bindings.Spec.Common;

/// <summary>Compares by identity: the model's references are shared records, found again without hashing their contents.</summary>
internal sealed class ReferenceComparer<T> : IEqualityComparer<T>
    where T : class
{
    public static readonly ReferenceComparer<T> Instance = new();

    public bool Equals(T? x, T? y) => ReferenceEquals(x, y);

    public int GetHashCode(T obj) => RuntimeHelpers.GetHashCode(obj);
}
