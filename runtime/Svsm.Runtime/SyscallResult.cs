using System;
using System.Collections.Generic;
using System.Globalization;

namespace Svsm.Runtime;

/// <summary>
/// What a COCONUT-SVSM syscall leaves in RAX: a value, or an error number. As <c>syscall/src/call.rs</c> reads it,
/// RAX above <c>u64::MAX - 0xFFFF</c> is an error, the negative number sign-extended (EINVAL is -1, so RAX is
/// 0xFFFFFFFFFFFFFFFF); anything else is the call's value. Two results are equal when their RAX values are.
/// </summary>
public readonly struct SyscallResult : IEquatable<SyscallResult>
{
    /// <summary>The lowest RAX that is an error: <c>u64::MAX - 0xFFFF + 1</c>, error number -65535.</summary>
    public const ulong LowestError = ulong.MaxValue - 0xFFFE;

    public SyscallResult(ulong raw)
        : this(raw, null)
    {
    }

    public SyscallResult(ulong raw, SyscallErrorTable? errors)
    {
        Raw = raw;
        Errors = errors;
    }

    /// <summary>RAX as the kernel left it.</summary>
    public ulong Raw { get; }

    /// <summary>The error names of the ABI that answered, when known.</summary>
    public SyscallErrorTable? Errors { get; }

    public bool IsError => Raw >= LowestError;

    public bool IsSuccess => !IsError;

    /// <summary>The negative error number, or 0 when the call succeeded.</summary>
    public long ErrorNumber => IsError ? unchecked((long)Raw) : 0;

    /// <summary>The call's value; throws <see cref="SyscallException"/> when the call failed.</summary>
    public ulong Value => IsError ? throw new SyscallException("The syscall", this) : Raw;

    /// <summary>The error's spec name (<c>EINVAL</c>), or null on success or for a number the ABI does not name.</summary>
    public string? ErrorName => IsError ? Errors?.Find(ErrorNumber)?.Name : null;

    /// <summary>A value for a handler to return.</summary>
    public static SyscallResult Success(ulong value) =>
        value >= LowestError ? throw new ArgumentOutOfRangeException(nameof(value), value, "a value this large reads as an error number") : new SyscallResult(value);

    /// <summary>An error for a handler to return: <paramref name="number"/> from -1 to -65535.</summary>
    public static SyscallResult Error(long number) =>
        number is >= -0xFFFF and <= -1 ? new SyscallResult(unchecked((ulong)number)) : throw new ArgumentOutOfRangeException(nameof(number), number, "error numbers are -1 to -65535");

    /// <summary>Throws <see cref="SyscallException"/> unless the call succeeded; returns the value.</summary>
    public ulong ThrowIfFailed(string call) => IsError ? throw new SyscallException(call, this) : Raw;

    /// <summary><c>EINVAL (-1)</c> for an error, the value in decimal and hex otherwise.</summary>
    public override string ToString()
    {
        if (!IsError)
        {
            return Raw.ToString(CultureInfo.InvariantCulture) + " (0x" + Raw.ToString("X", CultureInfo.InvariantCulture) + ")";
        }

        var number = ErrorNumber.ToString(CultureInfo.InvariantCulture);
        return ErrorName is { } name ? name + " (" + number + ")" : "error " + number + (Errors is { } table ? " (not named by " + table.AbiName + ")" : string.Empty);
    }

    public bool Equals(SyscallResult other) => Raw == other.Raw;

    public override bool Equals(object? obj) => obj is SyscallResult other && Equals(other);

    public override int GetHashCode() => Raw.GetHashCode();

    public static bool operator ==(SyscallResult left, SyscallResult right) => left.Equals(right);

    public static bool operator !=(SyscallResult left, SyscallResult right) => !left.Equals(right);
}

/// <summary>One error number of a syscall ABI: its negative value, its name as the spec spells it, and what it means.</summary>
public sealed record SyscallErrorName(long Number, string Name, string Description);

/// <summary>The error numbers a syscall ABI defines (generated from its spec's error table).</summary>
public sealed class SyscallErrorTable
{
    private readonly Dictionary<long, SyscallErrorName> byNumber = new();

    public SyscallErrorTable(string abiName, IReadOnlyList<SyscallErrorName> errors)
    {
        AbiName = abiName ?? throw new ArgumentNullException(nameof(abiName));
        Errors = errors ?? throw new ArgumentNullException(nameof(errors));
        foreach (var error in errors)
        {
            byNumber.TryAdd(error.Number, error);
        }
    }

    public string AbiName { get; }

    public IReadOnlyList<SyscallErrorName> Errors { get; }

    /// <summary>The entry for <paramref name="number"/>, or null when the ABI does not name it.</summary>
    public SyscallErrorName? Find(long number) => byNumber.TryGetValue(number, out var name) ? name : null;

    /// <summary>The result that returns the error the spec names <paramref name="name"/>, such as <c>EINVAL</c>.</summary>
    public SyscallResult ErrorNamed(string name)
    {
        foreach (var error in Errors)
        {
            if (error.Name == name)
            {
                return new SyscallResult(unchecked((ulong)error.Number), this);
            }
        }

        throw new ArgumentException(AbiName + " names no error " + name, nameof(name));
    }
}

/// <summary>A syscall that returned an error number.</summary>
public sealed class SyscallException(string call, SyscallResult result)
    : Exception(call + " failed with " + result)
{
    public string Call { get; } = call;

    public SyscallResult Result { get; } = result;
}
