using Svsm.Bindings.Spec.Emitting;
using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>
/// Syscall tables and positional parameter tables (the COCONUT-SVSM syscall ABI): classes and numbers, the
/// registers parameters land in, proposed calls without numbers, and what bad input gets.
/// </summary>
public sealed class SyscallTableTests
{
    private const string Table = """
        # ABI

        | Class | Number | Name | Description |
        |------:|-------:|------|-------------|
        | 0 | 0 | SYS_EXIT | Exit |
        | 1 | 0x3 | SYS_SEEK | Seek |
        | 0 | 13 | SYS_ACCESS_MMIO | MMIO |
        | | | VM_OPEN | Open a VM |

        """;

    private const string Sections = """
        ## SYS_EXIT Call

        | Parameter | Type | Description |
        |-----------|------|-------------|
        | 1. exit code | u32 | Exit code |

        ## SYS_SEEK Call

        | Parameter | Type | Description |
        |---|---|---|
        | 1. handle | ObjHandle | File |
        | 2. offset | isize | Distance |
        | 3. mode | usize | Mode |

        ### ACCESS_MMIO

        | Parameter | Type | Description |
        |---|---|---|
        | 1. paddr | u64 | Address |
        | 2. size | u8 | Bytes |
        | 3. read | bool | Read? |
        | 4. data | VirtAddr | Value |

        """;

    [Fact]
    public void ClassesNumbersAndParameterRegistersFollowTheAbi()
    {
        var document = TestSupport.Parse(Table + Sections);
        document.AssertClean();
        Assert.Equal(CallConvention.CoconutSyscall, document.Protocol.Convention);
        Assert.Equal(new ulong[] { 0, 0x1_0000_0003, 13 }, document.Calls.Select(c => c.Code(0)));

        var seek = document.Call("SYS_SEEK");
        Assert.Equal(new[] { ("RDI", 4, RegisterValueKind.Unsigned), ("RSI", 8, RegisterValueKind.Signed), ("R8", 8, RegisterValueKind.Unsigned) },
            seek.Registers.Select(r => (r.Register, r.Size, r.Kind)));
        Assert.Equal(new[] { "handle", "offset", "mode" }, seek.Registers.Select(r => r.Name));

        // A bare heading names its SYS_ call; the fourth parameter goes to R9, never RDX.
        var mmio = document.Call("SYS_ACCESS_MMIO");
        Assert.Equal(new[] { "RDI", "RSI", "R8", "R9" }, mmio.Registers.Select(r => r.Register));
        Assert.Equal(RegisterValueKind.Boolean, mmio.Registers[2].Kind);
        Assert.All(mmio.Registers, r => Assert.Equal(RegisterDirection.In, r.Direction));
    }

    [Fact]
    public void ProposedCallsWithoutNumbersAreReportedAndGenerateNothing()
    {
        var document = TestSupport.Parse(Table + Sections + "### VM_OPEN\n\n| Parameter | Type | Description |\n|---|---|---|\n| 1. index | u32 | VM |\n");
        var proposed = document.Single("SVSM0038");
        Assert.Equal(SpecSeverity.Info, proposed.Severity);
        Assert.Equal(8, proposed.Span.Line);
        Assert.Equal(new[] { "VM_OPEN" }, document.ProposedCalls.Select(p => p.Name));
        Assert.DoesNotContain(document.Calls, c => c.Name.Contains("VM_OPEN"));
        document.AssertNo("SVSM0023");

        var text = string.Join("\n", BindingsEmitter.Emit(document, new EmitOptions("N", "abi", "abi")).Select(f => f.Text));
        Assert.DoesNotContain("VmOpen", text);
        Assert.Contains("public global::Svsm.Runtime.SyscallResult Seek(uint handle, long offset, ulong mode)", text);
    }

    [Theory]
    [InlineData("-", "")]
    [InlineData("—", "—")]
    [InlineData("n/a", "TBD")]
    [InlineData("", "proposed")]
    public void EveryWayOfWritingNoNumberMeansProposed(string classCell, string numberCell)
    {
        var document = TestSupport.Parse($"| Class | Number | Name |\n|---|---|---|\n| 0 | 1 | SYS_A |\n| {classCell} | {numberCell} | B |\n\n## SYS_A Call\n\n| Parameter | Type |\n|---|---|\n| x | u64 |\n");
        document.AssertClean();
        Assert.Equal("B", Assert.Single(document.ProposedCalls).Name);
    }

    [Fact]
    public void OtherMarkdownStylesReadTheSame()
    {
        // Columns reordered, no outer pipes, lower-case headers, backticks with stray spaces, hex numbers, Rust and C types.
        var document = TestSupport.Parse("""
            name | nr | class
            --- | --- | ---
            ` SYS_OPEN ` | 0x0 | 1

            ### `SYS_OPEN` syscall

            type | parameter | description
            --- | --- | ---
            `*const c_char` | path | Path
            uint64_t | `mode` | Modes
            __s32 | 3) flags | Flags
            """);
        document.AssertClean();
        var open = document.Call("SYS_OPEN");
        Assert.Equal(0x1_0000_0000UL, open.Code(0));
        Assert.Equal(new[] { ("RDI", 8, "path"), ("RSI", 8, "mode"), ("R8", 4, "flags") }, open.Registers.Select(r => (r.Register, r.Size, r.Name)));
        Assert.Equal(RegisterValueKind.Signed, open.Registers[2].Kind);
    }

    [Fact]
    public void SixParametersAreAnErrorOnTheSixth()
    {
        var document = TestSupport.Parse("| Class | Number | Name |\n|---|---|---|\n| 0 | 1 | SYS_A |\n\n## SYS_A Call\n\n| Parameter | Type |\n|---|---|\n" +
            string.Concat(Enumerable.Range(1, 6).Select(i => $"| p{i} | u64 |\n")));
        var error = document.Single("SVSM0039");
        Assert.Equal((14, 3), (error.Span.Line, error.Span.Column));
        Assert.Contains("6 parameters", error.Message);
        // A syscall the ABI cannot pass is left out, and the error says so.
        Assert.Empty(document.Calls);
        Assert.EndsWith("Not generated: syscall 'SYS_A'.", error.Message);
    }

    [Fact]
    public void AnOrdinalOutOfPlaceIsAWarningAndThePositionWins()
    {
        // Seed 001 numbers ACCESS_MSR's parameters 1, 2, 2.
        var document = TestSupport.Parse("| Class | Number | Name |\n|---|---|---|\n| 0 | 11 | SYS_ACCESS_MSR |\n\n### ACCESS_MSR\n\n| Parameter | Type |\n|---|---|\n| 1. MSR index | u32 |\n| 2. read | bool |\n| 2. data | VirtAddr |\n");
        var warning = document.Single("SVSM0040");
        Assert.Equal(SpecSeverity.Warning, warning.Severity);
        Assert.Equal(11, warning.Span.Line);
        Assert.Contains("R8", warning.Message);
        Assert.Equal("R8", document.Call("SYS_ACCESS_MSR").Registers.Single(r => r.Name == "data").Register);
    }

    [Fact]
    public void BadCellsAreReportedWhereTheyStand()
    {
        var document = TestSupport.Parse("""
            | Class | Number | Name |
            |---|---|---|
            | x | 1 | SYS_A |
            | 0 | 0x1_0000_0000_0 | SYS_B |
            | 0 | 2 | 9bad |
            | 0 | 3 | SYS_C |
            | 0 | 3 | SYS_D |
            | 0 | 4 | SYS_C |

            ## SYS_C Call

            | Parameter | Type |
            |---|---|
            | x | float |
            | 7. | u8 |
            """);
        var bad = document.Diagnostics.Where(d => d.Id == "SVSM0002").Select(d => (d.Span.Line, d.Message)).ToList();
        Assert.Equal(new[] { 3, 4, 5, 14, 15 }, bad.Select(b => b.Line));
        Assert.Contains("syscall class", bad[0].Message);
        Assert.Contains("syscall number", bad[1].Message);
        Assert.Contains("syscall name", bad[2].Message);
        Assert.Contains("parameter type", bad[3].Message);
        Assert.Contains("parameter name", bad[4].Message);
        Assert.Equal(7, document.Single("SVSM0003").Span.Line);
        Assert.Equal(8, document.Single("SVSM0004").Span.Line);
    }

    [Fact]
    public void SvsmCallsAndSyscallsDoNotMix()
    {
        var mixedTables = TestSupport.Parse("""
            | Call ID | First version supported | Name | Function |
            |---|---|---|---|
            | 0 | 1 | SVSM_T_A | A |

            | Class | Number | Name |
            |---|---|---|
            | 0 | 1 | SYS_B |
            """);
        var error = mixedTables.Single("SVSM0041");
        Assert.Equal(5, error.Span.Line);
        Assert.Contains("line 1", error.Message);

        var registersInSyscall = TestSupport.Parse("| Class | Number | Name |\n|---|---|---|\n| 0 | 1 | SYS_A |\n\n## SYS_A Call\n\n| Register | Size (Bytes) | Alignment | In/Out | Description |\n|---|---|---|---|---|\n| RCX | 8 | | IN | x |\n");
        Assert.Equal(7, registersInSyscall.Single("SVSM0041").Span.Line);

        var frontMatter = TestSupport.Parse("---\nconvention: svsm-call\n---\n\n| Class | Number | Name |\n|---|---|---|\n| 0 | 1 | SYS_A |\n");
        Assert.Contains("SVSM protocol calls", frontMatter.Single("SVSM0041").Message);
        Assert.Equal(2, TestSupport.Parse("---\nconvention: sideways\n---\n").Single("SVSM0024").Span.Line);
    }

    [Fact]
    public void SyscallErrorsAreNegativeNumbersInTheAbisRange()
    {
        var document = TestSupport.Parse("""
            | Class | Number | Name |
            |---|---|---|
            | 0 | 1 | SYS_A |

            ## Error numbers

            | Name | Value |
            |---|---|
            | EINVAL | -1 |
            | UNKNOWN | -128 |
            | ELAST | -0xFFFF |
            | BIG | 5 |
            | FAR | -0x10000 |
            """);
        var errors = document.Diagnostics.Where(d => d.Id == "SVSM0042").Select(d => d.Span.Line).ToList();
        Assert.Equal(new[] { 12, 13 }, errors);
        Assert.Equal(new[] { ulong.MaxValue, unchecked((ulong)-128L), unchecked((ulong)-0xFFFFL) }, document.ConstantTables.Single().Constants.Select(c => c.Value));

        var text = string.Join("\n", BindingsEmitter.Emit(TestSupport.Parse("| Class | Number | Name |\n|---|---|---|\n| 0 | 1 | SYS_A |\n\n## Errors\n\n| Name | Value |\n|---|---|\n| EINVAL | -1 |\n"), new EmitOptions("N", "abi", "abi")).Select(f => f.Text));
        Assert.Contains("Einval = -1,", text);
        Assert.Contains("new global::Svsm.Runtime.SyscallErrorName(-1, \"EINVAL\"", text);
    }

    [Fact]
    public void TheRepositorySpecListsCoconutsNumbersAndTheSeedsProposals()
    {
        var document = TestSupport.Parse(TestSupport.ReadRepositoryFile("specs", "syscalls.md"));
        document.AssertClean();

        // syscall/src/def.rs at f4bc4bcd: CLASS0 = 0, CLASS1 = 1 << 32, CLASS3 = 3 << 32, and the numbers within them.
        var expected = new Dictionary<string, ulong>
        {
            ["SYS_EXIT"] = 0, ["SYS_EXEC"] = 4, ["SYS_CLOSE"] = 10,
            ["SYS_OPEN"] = 1UL << 32, ["SYS_READ"] = (1UL << 32) + 1, ["SYS_WRITE"] = (1UL << 32) + 2, ["SYS_SEEK"] = (1UL << 32) + 3,
            ["SYS_TRUNCATE"] = (1UL << 32) + 4, ["SYS_UNLINK"] = (1UL << 32) + 5, ["SYS_OPENDIR"] = (1UL << 32) + 6,
            ["SYS_READDIR"] = (1UL << 32) + 7, ["SYS_MKDIR"] = (1UL << 32) + 8, ["SYS_RMDIR"] = (1UL << 32) + 9,
            ["SYS_CAPABILITIES"] = 3UL << 32,
            // Seed 001's proposals, with the numbers the seed gives.
            ["SYS_ACCESS_MSR"] = 11, ["SYS_ACCESS_IO"] = 12, ["SYS_ACCESS_MMIO"] = 13,
        };
        Assert.Equal(expected.OrderBy(e => e.Key), document.Calls.Select(c => new KeyValuePair<string, ulong>(c.Name, c.Code(0))).OrderBy(e => e.Key));

        // kernel/src/cpu/idt/svsm.rs: the registers the kernel reads for each call.
        Assert.Equal(new[] { "RDI", "RSI", "R8" }, document.Call("SYS_EXEC").Registers.Select(r => r.Register));
        Assert.Equal(new[] { "RDI", "RSI" }, document.Call("SYS_TRUNCATE").Registers.Select(r => r.Register));
        Assert.Equal(4, document.Call("SYS_READ").Registers[0].Size);

        // syscall/src/call.rs: SysCallError.
        var errors = document.ConstantTables.Single(t => t.Kind == ConstantTableKind.ResultCodes).Constants.ToDictionary(c => c.Name, c => unchecked((long)c.Value));
        Assert.Equal(new Dictionary<string, long>
        {
            ["EINVAL"] = -1, ["ENOSYS"] = -2, ["ENOMEM"] = -3, ["EPERM"] = -4, ["EFAULT"] = -5, ["EBUSY"] = -6, ["ENOTFOUND"] = -7,
            ["ENOTSUPP"] = -8, ["EEXIST"] = -9, ["ERDONLY"] = -10, ["EWRONLY"] = -11, ["UNKNOWN"] = -128,
        }, errors);

        Assert.Equal(272, document.Struct("DirEnt").Size);
        Assert.Equal(12, document.ProposedCalls.Count);
    }
}
