using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Svsm.Runtime.SharedMemory;

/// <summary>
/// The Linux <c>futex</c> syscall on 32-bit words of a MAP_SHARED mapping, so that two processes wait for and wake
/// each other without spinning. Uses the shared (not <c>_PRIVATE</c>) operations, which the kernel keys by the page
/// of the file rather than by the process's address space. Every wait has a timeout.
/// </summary>
internal static unsafe partial class Futex
{
    private const int FutexWait = 0;
    private const int FutexWake = 1;
    private const int EAgain = 11;
    private const int EIntr = 4;
    private const int ETimedOut = 110;

    /// <summary>
    /// Sleeps while <c>*word == expected</c>, for at most <paramref name="timeout"/>. Returns false when the timeout
    /// passed; true when woken, when the word no longer held <paramref name="expected"/>, or on a signal: the caller
    /// checks the word again either way.
    /// </summary>
    public static bool Wait(int* word, int expected, TimeSpan timeout)
    {
        var number = SyscallNumber();
        if (timeout <= TimeSpan.Zero)
        {
            return false;
        }

        var ticks = timeout.Ticks;
        var time = new Timespec { Seconds = ticks / TimeSpan.TicksPerSecond, Nanoseconds = ticks % TimeSpan.TicksPerSecond * 100 };
        if (syscall(number, word, FutexWait, expected, &time, null, 0) == 0)
        {
            return true;
        }

        return Marshal.GetLastPInvokeError() switch
        {
            ETimedOut => false,
            EAgain or EIntr => true,
            var errno => throw new InvalidOperationException("futex wait failed with errno " + errno),
        };
    }

    /// <summary><see cref="Wait(int*, int, TimeSpan)"/> on a word that does not move: one in a mapping or pinned.</summary>
    public static bool Wait(ref int word, int expected, TimeSpan timeout) => Wait((int*)Unsafe.AsPointer(ref word), expected, timeout);

    /// <summary>Wakes up to <paramref name="count"/> waiters on <paramref name="word"/>; returns how many woke.</summary>
    public static int Wake(int* word, int count = int.MaxValue)
    {
        var result = syscall(SyscallNumber(), word, FutexWake, count, null, null, 0);
        if (result < 0)
        {
            throw new InvalidOperationException("futex wake failed with errno " + Marshal.GetLastPInvokeError());
        }

        return (int)result;
    }

    /// <summary><see cref="Wake(int*, int)"/> on a word that does not move: one in a mapping or pinned.</summary>
    public static int Wake(ref int word, int count = int.MaxValue) => Wake((int*)Unsafe.AsPointer(ref word), count);

    /// <summary>How often a waiter checks its word before it sleeps in <see cref="Wait(int*, int, TimeSpan)"/>: a short, bounded spin.</summary>
    public const int SpinIterations = 200;

    /// <summary>Step <paramref name="iteration"/> of the bounded spin: a busy-wait at first, then the core is yielded to the other side.</summary>
    public static void SpinStep(int iteration)
    {
        if (iteration < SpinIterations / 4)
        {
            System.Threading.Thread.SpinWait(20);
        }
        else
        {
            System.Threading.Thread.Yield();
        }
    }

    /// <summary>Throws <see cref="PlatformNotSupportedException"/> unless futexes can be used here.</summary>
    public static void EnsureSupported() => SyscallNumber();

    private static long SyscallNumber()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the shared-memory transport waits with the Linux futex syscall; on " + RuntimeInformation.OSDescription + " use the in-process transport");
        }

        return RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 202,
            Architecture.Arm64 => 98,
            var other => throw new PlatformNotSupportedException("the shared-memory transport knows the futex syscall number on x64 and arm64 Linux, not on " + other),
        };
    }

    // long syscall(long number, ...): variadic in C, but glibc's x86-64 and arm64 implementations read the integer
    // argument registers as for a fixed-argument call, which is what this declaration passes.
    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, int* word, int operation, int value, Timespec* timeout, int* word2, int value3);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
