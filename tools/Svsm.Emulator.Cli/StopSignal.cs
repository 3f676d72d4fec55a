using System.Runtime.InteropServices;

namespace Svsm.Emulator.Cli;

/// <summary>SIGTERM and Ctrl+C (SIGINT) as a cancellation: a command runs until either comes, then stops cleanly.</summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly PosixSignalRegistration terminate;
    private readonly PosixSignalRegistration interrupt;

    public StopSignal()
    {
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    public CancellationToken Token => stop.Token;

    /// <summary>Blocks until a signal comes.</summary>
    public void Wait() => stop.Token.WaitHandle.WaitOne();

    public void Dispose()
    {
        terminate.Dispose();
        interrupt.Dispose();
        stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        stop.Cancel();
    }
}
