using System;
using System.Buffers.Binary;
using System.IO;

namespace Svsm.Runtime.Tpm;

/// <summary>
/// The kernel's TPM device as an <see cref="ITpm"/>: on an SEV-SNP guest under an SVSM, Linux 6.16 and later
/// (<c>tpm_svsm</c>) give the SVSM's vTPM to the guest as <c>/dev/tpmrm0</c> (through the kernel's resource manager)
/// and <c>/dev/tpm0</c>. A command is one write of the whole command, its response one read, as the kernel's TPM
/// character devices take them.
/// </summary>
public sealed class TpmDevice : ITpm, IDisposable
{
    /// <summary>The resource-managed device, tried first.</summary>
    public const string ResourceManagedPath = "/dev/tpmrm0";

    /// <summary>The raw device, tried when there is no resource manager.</summary>
    public const string RawPath = "/dev/tpm0";

    private readonly object gate = new();
    private readonly Stream device;

    /// <summary>Drives <paramref name="device"/>, an open TPM character device (or a stand-in for one in tests).</summary>
    public TpmDevice(Stream device, string path = ResourceManagedPath)
    {
        this.device = device ?? throw new ArgumentNullException(nameof(device));
        Path = path;
    }

    /// <summary>The device file it drives.</summary>
    public string Path { get; }

    /// <summary>Opens <c>/dev/tpmrm0</c>, else <c>/dev/tpm0</c>; throws <see cref="TpmException"/> saying what a guest needs when neither is there.</summary>
    public static TpmDevice Open() => Open(File.Exists, path => new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0));

    /// <summary><see cref="Open()"/> with the file system as a seam: whether a path exists, and how to open it.</summary>
    public static TpmDevice Open(Func<string, bool> exists, Func<string, Stream> open)
    {
        ArgumentNullException.ThrowIfNull(exists);
        ArgumentNullException.ThrowIfNull(open);
        foreach (var path in new[] { ResourceManagedPath, RawPath })
        {
            if (!exists(path))
            {
                continue;
            }

            try
            {
                return new TpmDevice(open(path), path);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new TpmException($"cannot open {path}: {exception.Message} (the tss group, or root, may open it)", exception);
            }
        }

        throw new TpmException(
            $"this system has no TPM device ({ResourceManagedPath} or {RawPath}). On an SEV-SNP guest, the SVSM's vTPM appears as one with Linux 6.16 or later " +
            "built with CONFIG_TCG_SVSM (the tpm_svsm driver), under an SVSM that serves the vTPM protocol (COCONUT-SVSM built with its vTPM)");
    }

    public int Execute(ReadOnlySpan<byte> command, Span<byte> response)
    {
        if (command.Length < TpmWire.HeaderSize)
        {
            throw new ArgumentException($"a TPM command is at least {TpmWire.HeaderSize} bytes", nameof(command));
        }

        lock (gate)
        {
            try
            {
                device.Write(command);
                device.Flush();
                var read = device.Read(response);
                if (read < TpmWire.HeaderSize)
                {
                    throw new TpmException($"{Path} answered {read} bytes, less than a TPM response header");
                }

                var size = BinaryPrimitives.ReadUInt32BigEndian(response[2..]);
                if (size != read)
                {
                    throw new TpmException($"{Path} answered {read} bytes of a {size}-byte response");
                }

                return read;
            }
            catch (IOException exception)
            {
                throw new TpmException($"{Path} failed: {exception.Message}", exception);
            }
        }
    }

    public void Dispose() => device.Dispose();
}
