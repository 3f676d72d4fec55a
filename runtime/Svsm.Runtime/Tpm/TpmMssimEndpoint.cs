using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Svsm.Runtime.Tpm;

/// <summary>
/// A TPM endpoint for standard tools: the Microsoft TPM simulator's TCP protocol ("mssim", which tpm2-tss's mssim
/// TCTI speaks) on 127.0.0.1, in front of any <see cref="ITpm"/>, such as the guest side of the SVSM vTPM protocol.
/// <list type="bullet">
/// <item>The command port takes TPM_SEND_COMMAND (8, a locality byte, a big-endian size and the command) and answers
/// the response's size, the response and a zero; TPM_SESSION_END (20) ends the connection.</item>
/// <item>The platform port (the next one) answers POWER_ON, NV_ON, CANCEL_ON and the other signals with zero: the
/// SVSM's vTPM is powered and started at boot, so a signal changes nothing. An unknown signal gets 1, as the
/// simulator answers it.</item>
/// </list>
/// A command larger than the vTPM buffer gets TPM_RC_COMMAND_SIZE without reaching the vTPM; a client that leaves
/// mid-command never reaches it either. Each connection is served on its own; commands reach the TPM one at a time.
/// As the kernel's resource manager does when a process closes <c>/dev/tpmrm0</c>, the objects and sessions a
/// connection loaded and did not flush are flushed when it ends: a tool that exits leaves the TPM's few slots free
/// for the next, as on a guest.
/// </summary>
public sealed class TpmMssimEndpoint : IDisposable
{
    public const uint SignalPowerOn = 1;
    public const uint SignalPowerOff = 2;
    public const uint SignalPhysicalPresenceOn = 3;
    public const uint SignalPhysicalPresenceOff = 4;
    public const uint SendCommand = 8;
    public const uint SignalCancelOn = 9;
    public const uint SignalCancelOff = 10;
    public const uint SignalNvOn = 11;
    public const uint SignalNvOff = 12;
    public const uint SignalKeyCacheOn = 13;
    public const uint SignalKeyCacheOff = 14;
    public const uint RemoteHandshake = 15;
    public const uint SessionEnd = 20;
    public const uint Stop = 21;

    /// <summary>TPM_RC_COMMAND_SIZE: the answer to a command larger than the vTPM's buffer takes.</summary>
    public const uint ResponseCommandSize = 0x142;

    /// <summary>TPM_RC_FAILURE: the answer when the TPM behind the endpoint could not run a command.</summary>
    public const uint ResponseFailure = 0x101;

    // Far past any TPM command: a client announcing more is not speaking mssim, and its connection ends.
    private const int MaxDiscard = 1 << 20;

    private readonly ITpm tpm;
    private readonly int maxCommandSize;
    private readonly TcpListener commandListener;
    private readonly TcpListener platformListener;
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> loops = new();

    /// <param name="tpm">Where commands go.</param>
    /// <param name="port">The command port; the platform port is the next. 0 picks a free pair.</param>
    /// <param name="maxCommandSize">The largest command the TPM takes; by default the SVSM vTPM buffer's.</param>
    public TpmMssimEndpoint(ITpm tpm, int port = 2321, int maxCommandSize = (int)VtpmBufferSizes.MaxCommandSize)
    {
        this.tpm = tpm ?? throw new ArgumentNullException(nameof(tpm));
        this.maxCommandSize = maxCommandSize;
        (commandListener, platformListener) = port == 0 ? FreePair() : Bind(port);
        Port = ((IPEndPoint)commandListener.LocalEndpoint).Port;
        loops.Add(Task.Run(() => AcceptAsync(commandListener, ServeCommandsAsync)));
        loops.Add(Task.Run(() => AcceptAsync(platformListener, ServePlatformAsync)));
    }

    /// <summary>The command port; the platform port is <c>Port + 1</c>.</summary>
    public int Port { get; }

    /// <summary>The TCTI string for tpm2-tools: <c>TPM2TOOLS_TCTI=mssim:host=127.0.0.1,port=N</c>.</summary>
    public string Tcti => "mssim:host=127.0.0.1,port=" + Port;

    public void Dispose()
    {
        stopping.Cancel();
        commandListener.Stop();
        platformListener.Stop();
        try
        {
            Task.WaitAll(loops.ToArray(), TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loops end on the closed listeners.
        }

        stopping.Dispose();
    }

    private static (TcpListener, TcpListener) Bind(int port)
    {
        var command = new TcpListener(IPAddress.Loopback, port);
        var platform = new TcpListener(IPAddress.Loopback, port + 1);
        command.Start();
        try
        {
            platform.Start();
        }
        catch
        {
            command.Stop();
            throw;
        }

        return (command, platform);
    }

    private static (TcpListener, TcpListener) FreePair()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            try
            {
                return Bind(port);
            }
            catch (SocketException) when (attempt < 20)
            {
                // Another process took the port or the one after it.
            }
        }
    }

    private async Task AcceptAsync(TcpListener listener, Func<NetworkStream, CancellationToken, Task> serve)
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            client.NoDelay = true;
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await serve(client.GetStream(), stopping.Token).ConfigureAwait(false);
                    }
                    catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException or EndOfStreamException)
                    {
                        // The client left, mid-frame or between frames: its connection ends, the TPM is untouched.
                    }
                }
            });
        }
    }

    private async Task ServeCommandsAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var loaded = new HashSet<uint>();
        try
        {
            await ServeCommandsAsync(stream, loaded, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            FlushLoaded(loaded);
        }
    }

    private async Task ServeCommandsAsync(NetworkStream stream, HashSet<uint> loaded, CancellationToken cancellationToken)
    {
        var header = new byte[5];
        var response = new byte[TpmWire.MaxResponseSize];
        var command = new byte[maxCommandSize];
        while (true)
        {
            uint code;
            try
            {
                code = await ReadUInt32Async(stream, header, cancellationToken).ConfigureAwait(false);
            }
            catch (EndOfStreamException)
            {
                return;
            }

            switch (code)
            {
                case SendCommand:
                    await stream.ReadExactlyAsync(header.AsMemory(0, 5), cancellationToken).ConfigureAwait(false);
                    var size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
                    int length;
                    if (size > (uint)maxCommandSize)
                    {
                        if (size > MaxDiscard)
                        {
                            return;
                        }

                        await DiscardAsync(stream, (int)size, cancellationToken).ConfigureAwait(false);
                        length = ErrorResponse(response, ResponseCommandSize);
                    }
                    else
                    {
                        await stream.ReadExactlyAsync(command.AsMemory(0, (int)size), cancellationToken).ConfigureAwait(false);
                        length = Execute(command.AsSpan(0, (int)size), response);
                        Track(command.AsSpan(0, (int)size), response.AsSpan(0, length), loaded);
                    }

                    await WriteFrameAsync(stream, response.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                    break;
                case RemoteHandshake:
                    // The client's version, then the server's (1), what it offers (a platform port) and success.
                    await ReadUInt32Async(stream, header, cancellationToken).ConfigureAwait(false);
                    await WriteUInt32sAsync(stream, cancellationToken, 1, 1, 0).ConfigureAwait(false);
                    break;
                case SessionEnd:
                case Stop:
                    return;
                default:
                    // The simulator ends a connection that sends a command it does not know on this port.
                    return;
            }
        }
    }

    private static async Task ServePlatformAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[4];
        while (true)
        {
            uint code;
            try
            {
                code = await ReadUInt32Async(stream, buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (EndOfStreamException)
            {
                return;
            }

            switch (code)
            {
                case SessionEnd:
                case Stop:
                    return;
                case SignalPowerOn or SignalPowerOff or SignalPhysicalPresenceOn or SignalPhysicalPresenceOff or SignalCancelOn or SignalCancelOff
                    or SignalNvOn or SignalNvOff or SignalKeyCacheOn or SignalKeyCacheOff:
                    await WriteUInt32sAsync(stream, cancellationToken, 0).ConfigureAwait(false);
                    break;
                default:
                    await WriteUInt32sAsync(stream, cancellationToken, 1).ConfigureAwait(false);
                    break;
            }
        }
    }

    // The TPM's answer; a command it could not take, or an SVSM call that failed, is TPM_RC_FAILURE, and the
    // endpoint serves the next command.
    private int Execute(ReadOnlySpan<byte> command, Span<byte> response)
    {
        try
        {
            return tpm.Execute(command, response);
        }
        catch (Exception exception) when (exception is TpmException or SvsmCallException or ArgumentException)
        {
            return ErrorResponse(response, ResponseFailure);
        }
    }

    // The commands whose response's first handle is an object or session they loaded.
    private static bool Loads(uint commandCode) => commandCode is 0x131 or 0x157 or 0x167 or 0x191 or 0x161 or 0x176 or 0x15B or 0x186;

    private static void Track(ReadOnlySpan<byte> command, ReadOnlySpan<byte> response, HashSet<uint> loaded)
    {
        if (command.Length < TpmWire.HeaderSize || response.Length < TpmWire.HeaderSize || TpmWire.ResponseCode(response) != 0)
        {
            return;
        }

        var code = BinaryPrimitives.ReadUInt32BigEndian(command[6..]);
        if (Loads(code) && response.Length >= TpmWire.HeaderSize + 4)
        {
            loaded.Add(BinaryPrimitives.ReadUInt32BigEndian(response[TpmWire.HeaderSize..]));
        }
        else if (code == TpmWire.FlushContext && command.Length >= TpmWire.HeaderSize + 4)
        {
            loaded.Remove(BinaryPrimitives.ReadUInt32BigEndian(command[TpmWire.HeaderSize..]));
        }
    }

    private void FlushLoaded(HashSet<uint> loaded)
    {
        var response = new byte[TpmWire.MaxResponseSize];
        foreach (var handle in loaded)
        {
            // A handle the client made persistent or that a restart dropped answers an error, which changes nothing.
            Execute(TpmWire.FlushContextCommand(handle), response);
        }
    }

    // A TPM2 response with no sessions and only a response code.
    private static int ErrorResponse(Span<byte> response, uint code)
    {
        BinaryPrimitives.WriteUInt16BigEndian(response, TpmWire.NoSessions);
        BinaryPrimitives.WriteUInt32BigEndian(response[2..], TpmWire.HeaderSize);
        BinaryPrimitives.WriteUInt32BigEndian(response[6..], code);
        return TpmWire.HeaderSize;
    }

    private static async Task<uint> ReadUInt32Async(NetworkStream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        await stream.ReadExactlyAsync(buffer.AsMemory(0, 4), cancellationToken).ConfigureAwait(false);
        return BinaryPrimitives.ReadUInt32BigEndian(buffer);
    }

    private static async Task DiscardAsync(NetworkStream stream, int count, CancellationToken cancellationToken)
    {
        var scratch = new byte[Math.Min(count, 64 * 1024)];
        while (count > 0)
        {
            var chunk = Math.Min(count, scratch.Length);
            await stream.ReadExactlyAsync(scratch.AsMemory(0, chunk), cancellationToken).ConfigureAwait(false);
            count -= chunk;
        }
    }

    private static async Task WriteFrameAsync(NetworkStream stream, ReadOnlyMemory<byte> response, CancellationToken cancellationToken)
    {
        var frame = new byte[4 + response.Length + 4];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)response.Length);
        response.CopyTo(frame.AsMemory(4));
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteUInt32sAsync(NetworkStream stream, CancellationToken cancellationToken, params uint[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), values[i]);
        }

        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }
}
