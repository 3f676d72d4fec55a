using Svsm.Protocols;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>Generated clients put the call code and arguments where their protocol's calling convention says.</summary>
public sealed class CallingConventionTests
{
    private sealed class Capture : ISvsmTransport
    {
        public SvsmRegisters Seen;

        public void Call(ref SvsmRegisters registers)
        {
            Seen = registers;
            registers.Rax = 0x8000_1003;
        }
    }

    [Fact]
    public void OcpReadLoadsRaxAndTheArgumentRegistersInConventionOrder()
    {
        var capture = new Capture();
        var result = new OcpClient(capture).Read(11, 0x2000, 33, 44);
        var convention = OcpProtocol.Convention;
        Assert.Same(CallingConvention.SvsmCall, convention);
        Assert.Equal(SvsmRegisters.CallCode(5, 1), capture.Seen[convention.CodeRegister]);
        Assert.Equal(new ulong[] { 11, 0x2000, 33, 44 }, convention.Arguments.Select(r => capture.Seen[r]));
        Assert.Equal("0x80001003 (not in the result table of SVSM Observability and Configuration Protocol, protocol 5)", result.Result.ToString());
    }

    [Fact]
    public void TheSyscallConventionPassesArgumentsInRdiRsiR8R9R10AndClobbersRcxR11()
    {
        var syscall = CallingConvention.CoconutSyscall;
        Assert.Equal(new[] { X86Register.Rdi, X86Register.Rsi, X86Register.R8, X86Register.R9, X86Register.R10 }, syscall.Arguments);
        Assert.Equal(new[] { X86Register.Rcx, X86Register.R11 }, syscall.Clobbered);
        Assert.Equal("int 0x80", syscall.Trap);
    }
}
