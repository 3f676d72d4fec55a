using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Threading;

using Svsm.Runtime.Tpm;
using Svsm.Runtime;

namespace Svsm.Emulator.Tpm;

/// <summary>
/// A real software TPM, <c>swtpm</c> (Debian packages swtpm and swtpm-tools), started on Unix sockets in a directory
/// this object owns, with its state there too, and stopped on dispose. It starts powered on (<c>not-need-init</c>)
/// and, like COCONUT-SVSM's vTPM, waits for the guest's TPM2_Startup; <c>startupClear</c> has swtpm send it itself.
/// </summary>
public sealed class SwtpmProcess : ITpm, IDisposable
{
    /// <summary>The largest response the data channel is read into (TPM 2.0's usual maximum command and response size).</summary>
    public const int MaxResponseSize = TpmWire.MaxResponseSize;

    private readonly object gate = new();
    private readonly Process process;
    private readonly Socket socket;
    private bool disposed;

    private SwtpmProcess(Process process, Socket socket, string directory)
    {
        this.process = process;
        this.socket = socket;
        Directory = directory;
    }

    /// <summary>Where the sockets and the TPM state live; removed on dispose.</summary>
    public string Directory { get; }

    /// <summary>Starts swtpm (from PATH unless <paramref name="executable"/> says where) and connects to it.</summary>
    public static SwtpmProcess Start(bool startupClear = false, string executable = "swtpm", TimeSpan? timeout = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("swtpm-").FullName;
        var server = Path.Combine(directory, "server.sock");
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList =
            {
                "socket", "--tpm2",
                "--server", "type=unixio,path=" + server,
                "--ctrl", "type=unixio,path=" + Path.Combine(directory, "ctrl.sock"),
                "--tpmstate", "dir=" + directory,
                "--flags", startupClear ? "not-need-init,startup-clear" : "not-need-init",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        Process process;
        var errors = new System.Text.StringBuilder();
        try
        {
            process = Process.Start(start) ?? throw new TpmException($"{executable} did not start");

            // Drain both pipes so that swtpm never blocks on a full one; keep the start of stderr for the error message.
            process.ErrorDataReceived += (_, line) =>
            {
                lock (errors)
                {
                    if (errors.Length < 4096 && line.Data is { } text)
                    {
                        errors.AppendLine(text);
                    }
                }
            };
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw new TpmException($"cannot run {executable}: {e.Message}. Install it with: apt-get install swtpm swtpm-tools", e);
        }

        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        while (true)
        {
            if (process.HasExited)
            {
                process.WaitForExit();
                string error;
                lock (errors)
                {
                    error = errors.ToString().Trim();
                }

                System.IO.Directory.Delete(directory, recursive: true);
                throw new TpmException($"{executable} exited with {process.ExitCode}: {error}");
            }

            if (File.Exists(server))
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    socket.Connect(new UnixDomainSocketEndPoint(server));
                    return new SwtpmProcess(process, socket, directory);
                }
                catch (SocketException) when (deadline.Elapsed < limit)
                {
                    socket.Dispose();
                }
            }

            if (deadline.Elapsed >= limit)
            {
                Stop(process);
                System.IO.Directory.Delete(directory, recursive: true);
                throw new TpmException($"{executable} did not open {server} within {limit.TotalSeconds:0} s");
            }

            Thread.Sleep(10);
        }
    }

    public int Execute(ReadOnlySpan<byte> command, Span<byte> response)
    {
        lock (gate)
        {
            try
            {
                socket.Send(command);
                ReceiveExactly(response[..TpmWire.HeaderSize]);
                var size = BinaryPrimitives.ReadUInt32BigEndian(response[2..]);
                if (size < TpmWire.HeaderSize || size > response.Length)
                {
                    throw new TpmException($"swtpm answered a {size}-byte response, outside 10..{response.Length}");
                }

                ReceiveExactly(response[TpmWire.HeaderSize..(int)size]);
                return (int)size;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                throw new TpmException("swtpm's data socket failed: " + e.Message, e);
            }
        }
    }

    private void ReceiveExactly(Span<byte> target)
    {
        while (!target.IsEmpty)
        {
            var read = socket.Receive(target);
            if (read == 0)
            {
                throw new TpmException("swtpm closed its data socket");
            }

            target = target[read..];
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
        }

        socket.Dispose();
        Stop(process);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // swtpm may still be writing its state as it exits; a leftover temporary directory is harmless.
        }
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }

        process.Dispose();
    }
}
