using System.Buffers.Binary;
using System.Net.Sockets;
using Svsm.Emulator;
using Svsm.Emulator.Tpm;
using Svsm.Runtime.Tpm;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>The mssim endpoint's frames, good and bad, against the vTPM through the emulator and a real swtpm.</summary>
public sealed class TpmMssimEndpointTests : IDisposable
{
    private readonly SwtpmProcess swtpm = SwtpmProcess.Start(startupClear: true);
    private readonly TpmMssimEndpoint endpoint;

    public TpmMssimEndpointTests()
    {
        var machine = EmulatedMachine.Create();
        machine.Emulator.AddVtpm(swtpm);
        endpoint = new TpmMssimEndpoint(new SvsmVtpm(machine.Transport(), machine.Memory, machine.Allocator), port: 0);
    }

    public void Dispose()
    {
        endpoint.Dispose();
        swtpm.Dispose();
    }

    private NetworkStream Connect(int offset = 0)
    {
        var client = new TcpClient();
        client.Connect("127.0.0.1", endpoint.Port + offset);
        return client.GetStream();
    }

    private static void WriteUInt32(Stream stream, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        stream.Write(bytes);
    }

    private static uint ReadUInt32(Stream stream)
    {
        var bytes = new byte[4];
        stream.ReadExactly(bytes);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private static byte[] Send(Stream stream, byte[] command, uint? declaredSize = null)
    {
        WriteUInt32(stream, TpmMssimEndpoint.SendCommand);
        stream.WriteByte(0);
        WriteUInt32(stream, declaredSize ?? (uint)command.Length);
        stream.Write(command);
        var response = new byte[ReadUInt32(stream)];
        stream.ReadExactly(response);
        Assert.Equal(0u, ReadUInt32(stream));
        return response;
    }

    [Fact]
    public void StartupOfTheStartedVtpmIsInitializeAndCommandsRun()
    {
        using var stream = Connect();
        Assert.Equal(TpmWire.ResponseInitialize, TpmWire.ResponseCode(Send(stream, TpmWire.StartupClearCommand())));
        Assert.Equal(16, TpmWire.GetRandomBytes(Send(stream, TpmWire.GetRandomCommand(16))).Length);
    }

    [Fact]
    public void PlatformSignalsAreAcknowledgedAndAnUnknownOneGetsOne()
    {
        using var stream = Connect(1);
        foreach (var signal in new[] { TpmMssimEndpoint.SignalPowerOn, TpmMssimEndpoint.SignalNvOn, TpmMssimEndpoint.SignalCancelOn, TpmMssimEndpoint.SignalCancelOff })
        {
            WriteUInt32(stream, signal);
            Assert.Equal(0u, ReadUInt32(stream));
        }

        WriteUInt32(stream, 99);
        Assert.Equal(1u, ReadUInt32(stream));
        WriteUInt32(stream, TpmMssimEndpoint.SignalPowerOn);
        Assert.Equal(0u, ReadUInt32(stream));
    }

    [Fact]
    public void ACommandPastTheVtpmBufferGetsCommandSizeAndTheConnectionGoesOn()
    {
        using var stream = Connect();
        var large = new byte[5000];
        TpmWire.GetRandomCommand(8).CopyTo(large, 0);
        Assert.Equal(TpmMssimEndpoint.ResponseCommandSize, TpmWire.ResponseCode(Send(stream, large)));
        Assert.Equal(8, TpmWire.GetRandomBytes(Send(stream, TpmWire.GetRandomCommand(8))).Length);
    }

    [Fact]
    public void AClientLeavingMidCommandLeavesTheVtpmForTheNext()
    {
        using (var stream = Connect())
        {
            WriteUInt32(stream, TpmMssimEndpoint.SendCommand);
            stream.WriteByte(0);
            WriteUInt32(stream, 12);
            stream.Write(TpmWire.GetRandomCommand(8).AsSpan(0, 5));
        }

        using (var stream = Connect())
        {
            // An unknown command on the command port ends that connection, as the simulator does.
            WriteUInt32(stream, 77);
            Assert.Equal(0, stream.Read(new byte[4]));
        }

        using var next = Connect();
        Assert.Equal(8, TpmWire.GetRandomBytes(Send(next, TpmWire.GetRandomCommand(8))).Length);
    }

    [Fact]
    public void ObjectsAConnectionLeavesLoadedAreFlushedWhenItEnds()
    {
        // swtpm holds three transient objects; ten connections that each leave a primary key loaded all succeed.
        for (var i = 0; i < 10; i++)
        {
            using var stream = Connect();
            var response = Send(stream, TpmWire.CreatePrimaryCommand(TpmWire.EkTemplateRsa2048));
            Assert.Equal(0u, TpmWire.ResponseCode(response));
            WriteUInt32(stream, TpmMssimEndpoint.SessionEnd);
        }
    }
}
