using Svsm.Emulator;
using Svsm.Protocols;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>A client asks QUERY_PROTOCOL once per protocol and then refuses calls newer than the SVSM serves.</summary>
public sealed class VersionNegotiationTests
{
    private readonly EmulatedMachine machine = EmulatedMachine.Create();

    [Fact]
    public void NegotiatedCallsGoThroughAndTheQueryIsAskedOnce()
    {
        var transport = new VersionCheckingTransport(machine.Transport());
        Assert.Equal((1u, 1u), transport.Negotiate(OcpProtocol.Id, OcpProtocol.Version, OcpProtocol.Calls));
        var ocp = new OcpClient(transport);
        var gpa = machine.Allocator.AllocatePages(1).Gpa;
        Assert.True(ocp.List(0, gpa, 1).Result.IsSuccess);
        Assert.True(ocp.List(0, gpa, 1).Result.IsSuccess);
        Assert.Equal(1, machine.Emulator.CallCount(CoreProtocol.Id, 6));
    }

    [Fact]
    public void AClientOfANewerVersionAsksDownAndRefusesCallsAboveWhatIsServed()
    {
        // A client built from a version 3 spec whose WRITE call came in version 3.
        var calls = OcpProtocol.Calls.Select(c => c.Call == 2 ? c with { SinceVersion = 3 } : c).ToList();
        var transport = new VersionCheckingTransport(machine.Transport());
        Assert.Equal((1u, 1u), transport.Negotiate(OcpProtocol.Id, 3, calls));
        Assert.Equal(3, machine.Emulator.CallCount(CoreProtocol.Id, 6));
        var ocp = new OcpClient(transport);
        var gpa = machine.Allocator.AllocatePages(1).Gpa;
        Assert.True(ocp.Read(0, gpa, 8, 0).Result.IsSuccess);
        var refused = Assert.Throws<SvsmVersionException>(() => ocp.Write(3, gpa, 4, 0));
        Assert.Equal("SVSM_OCP_WRITE refused: it needs version 3 of protocol 5, but the SVSM serves versions 1 to 1", refused.Message);
        Assert.Equal(0, machine.Emulator.CallCount(OcpProtocol.Id, 2));
    }

    [Fact]
    public void AProtocolTheSvsmDoesNotServeIsRefusedWithItsName()
    {
        var attest = new[] { new SvsmCallDescriptor(1, 0, "SVSM_ATTEST_SERVICES", 1, "Attest", Array.Empty<SvsmRegisterDescriptor>()) };
        var transport = new VersionCheckingTransport(machine.Transport());
        Assert.Null(transport.Negotiate(1, 1, attest));
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(1, 0) };
        var refused = Assert.Throws<SvsmVersionException>(() => transport.Call(ref registers));
        Assert.Contains("SVSM_ATTEST_SERVICES refused: the SVSM does not serve protocol 1", refused.Message);
    }
}
