using System.IO.MemoryMappedFiles;
using Svsm.Runtime.SharedMemory;

namespace Svsm.Bindings.Benchmarks;

/// <summary>
/// The cross-process baseline: two processes bounce a sequence number through a shared file, waking each other the
/// way the calling-area transport does (a doorbell counter, a short bounded spin, then a futex wait with a timeout,
/// and a futex wake only when the other side sleeps). No registers, no calling area, no emulator.
/// </summary>
internal sealed unsafe class RawPingPong : IDisposable
{
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(100);

    private readonly MemoryMappedFile file;
    private readonly MemoryMappedViewAccessor view;
    private readonly byte* start;

    public RawPingPong(string path)
    {
        using (var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            if (stream.Length < 4096)
            {
                stream.SetLength(4096);
            }
        }

        file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 4096, MemoryMappedFileAccess.ReadWrite);
        view = file.CreateViewAccessor(0, 4096);
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
    }

    // Each word on its own cache line, as the transport's control words are.
    private int* Doorbell => (int*)start;

    private int* PeerSleeping => (int*)(start + 64);

    private int* Answer => (int*)(start + 128);

    private int* CallerSleeping => (int*)(start + 192);

    /// <summary>The caller's side: ring with the next number and wait until the peer echoes it.</summary>
    public void RoundTrip()
    {
        var sequence = Interlocked.Increment(ref *Doorbell);
        if (Volatile.Read(ref *PeerSleeping) != 0)
        {
            Futex.Wake(Doorbell);
        }

        WaitFor(Answer, CallerSleeping, sequence, untilEqual: true);
    }

    /// <summary>The peer's side: echo every ring until cancelled.</summary>
    public void Serve(CancellationToken cancellationToken)
    {
        var last = Volatile.Read(ref *Doorbell);
        while (!cancellationToken.IsCancellationRequested)
        {
            last = WaitFor(Doorbell, PeerSleeping, last, untilEqual: false);
            Interlocked.Exchange(ref *Answer, last);
            if (Volatile.Read(ref *CallerSleeping) != 0)
            {
                Futex.Wake(Answer);
            }
        }
    }

    private static int WaitFor(int* word, int* sleeping, int value, bool untilEqual)
    {
        for (var i = 0; i < Futex.SpinIterations; i++)
        {
            var seen = Volatile.Read(ref *word);
            if ((seen == value) == untilEqual)
            {
                return seen;
            }

            Futex.SpinStep(i);
        }

        while (true)
        {
            Interlocked.Exchange(ref *sleeping, 1);
            var seen = Volatile.Read(ref *word);
            if ((seen == value) == untilEqual)
            {
                Volatile.Write(ref *sleeping, 0);
                return seen;
            }

            Futex.Wait(word, seen, Slice);
        }
    }

    public void Dispose()
    {
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        file.Dispose();
    }
}
