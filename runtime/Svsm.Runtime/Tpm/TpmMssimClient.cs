using System;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace Svsm.Runtime.Tpm;

/// <summary>
/// An <see cref="ITpm"/> over an mssim TPM endpoint (the Microsoft TPM simulator's protocol): a
/// <see cref="TpmMssimEndpoint"/> such as <c>svsm-emu vtpm-socket</c>, the simulator itself, or swtpm's TCP
/// server. Each command is TPM_SEND_COMMAND at locality 0; the answer is the response, then a zero.
/// </summary>
public sealed class TpmMssimClient : ITpm, IDisposable
{
    private readonly object gate = new();
    private readonly TcpClient client;
    private readonly NetworkStream stream;

    public TpmMssimClient(string host = "127.0.0.1", int port = 2321)
    {
        client = new TcpClient { NoDelay = true };
        try
        {
            client.Connect(host, port);
        }
        catch (SocketException exception)
        {
            client.Dispose();
            throw new TpmException($"no mssim TPM at {host}:{port}: {exception.Message}", exception);
        }

        stream = client.GetStream();
    }

    public int Execute(ReadOnlySpan<byte> command, Span<byte> response)
    {
        var frame = new byte[9 + command.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, TpmMssimEndpoint.SendCommand);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)command.Length);
        command.CopyTo(frame.AsSpan(9));
        Span<byte> word = stackalloc byte[4];
        lock (gate)
        {
            try
            {
                stream.Write(frame);
                stream.ReadExactly(word);
                var length = BinaryPrimitives.ReadUInt32BigEndian(word);
                if (length > response.Length)
                {
                    throw new TpmException($"the mssim TPM answered {length} bytes, more than {response.Length}");
                }

                stream.ReadExactly(response[..(int)length]);
                stream.ReadExactly(word);
                return (int)length;
            }
            catch (Exception exception) when (exception is System.IO.IOException or System.IO.EndOfStreamException or ObjectDisposedException)
            {
                throw new TpmException("the mssim TPM connection failed: " + exception.Message, exception);
            }
        }
    }

    /// <summary>Ends the session (TPM_SESSION_END), so the endpoint flushes what this client left loaded.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            try
            {
                Span<byte> end = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(end, TpmMssimEndpoint.SessionEnd);
                stream.Write(end);
            }
            catch (Exception exception) when (exception is System.IO.IOException or ObjectDisposedException)
            {
                // The endpoint is gone already.
            }

            client.Dispose();
        }
    }
}
