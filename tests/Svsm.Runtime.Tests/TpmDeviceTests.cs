using Svsm.Emulator;
using Svsm.Emulator.Tpm;
using Svsm.Runtime.Tpm;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>
/// The kernel's TPM device through a seam: a stand-in for /dev/tpmrm0 that, as tpm_svsm does, sends each written
/// command through SVSM_VTPM_CMD to the emulator's vTPM (a real swtpm) and returns the response on read.
/// </summary>
public sealed class TpmDeviceTests
{
    private sealed class VtpmCharacterDevice(ITpm vtpm) : Stream
    {
        private byte[] pending = [];

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            var response = new byte[TpmWire.MaxResponseSize];
            pending = response[..vtpm.Execute(buffer.AsSpan(offset, count), response)];
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var length = Math.Min(count, pending.Length);
            pending.AsSpan(0, length).CopyTo(buffer.AsSpan(offset));
            pending = [];
            return length;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Fact]
    public void OpensTpmrm0FirstAndRunsCommandsThroughIt()
    {
        using var swtpm = SwtpmProcess.Start(startupClear: true);
        var machine = EmulatedMachine.Create();
        machine.Emulator.AddVtpm(swtpm);
        var vtpm = new SvsmVtpm(machine.Transport(), machine.Memory, machine.Allocator);
        var opened = new List<string>();
        using var device = TpmDevice.Open(_ => true, path =>
        {
            opened.Add(path);
            return new VtpmCharacterDevice(vtpm);
        });
        Assert.Equal([TpmDevice.ResourceManagedPath], opened);
        var response = new byte[TpmWire.MaxResponseSize];
        var length = device.Execute(TpmWire.GetRandomCommand(12), response);
        Assert.Equal(12, TpmWire.GetRandomBytes(response.AsSpan(0, length)).Length);
    }

    [Fact]
    public void FallsBackToTpm0AndSaysWhatAGuestNeedsWhenThereIsNone()
    {
        var opened = new List<string>();
        using (TpmDevice.Open(path => path == TpmDevice.RawPath, path =>
        {
            opened.Add(path);
            return new MemoryStream();
        }))
        {
            Assert.Equal([TpmDevice.RawPath], opened);
        }

        var missing = Assert.Throws<TpmException>(() => TpmDevice.Open(_ => false, _ => throw new InvalidOperationException()));
        Assert.Contains("/dev/tpmrm0", missing.Message, StringComparison.Ordinal);
        Assert.Contains("tpm_svsm", missing.Message, StringComparison.Ordinal);
        Assert.Contains("6.16", missing.Message, StringComparison.Ordinal);

        var denied = Assert.Throws<TpmException>(() => TpmDevice.Open(_ => true, _ => throw new UnauthorizedAccessException("denied")));
        Assert.Contains("cannot open /dev/tpmrm0", denied.Message, StringComparison.Ordinal);
    }
}
