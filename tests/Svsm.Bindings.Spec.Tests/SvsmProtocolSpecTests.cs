using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>
/// The vTPM and APIC specs against the numbers COCONUT-SVSM defines (at f4bc4bcdc2bd0a5f4c699a07f2add62b9e4b31be):
/// call ids, the register each call reads and writes, the x2APIC register indexes and the protocol's own error.
/// </summary>
public sealed class SvsmProtocolSpecTests
{
    private static Dictionary<string, ulong> Constants(SpecDocument document) =>
        document.ConstantTables.SelectMany(t => t.Constants).ToDictionary(c => c.Name, c => c.Value);

    [Fact]
    public void TheGenericCodesASpecMayNameForACheckAreThoseOfCoreMd()
    {
        var document = TestSupport.Parse(TestSupport.ReadRepositoryFile("specs", "core.md"));
        var generic = document.ConstantTables.Single(t => t.Name == "Result codes").Constants.ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal(generic.OrderBy(c => c.Key), Building.GenericResultCodes.All.OrderBy(c => c.Key));
    }

    [Fact]
    public void CoreMdNamesCoreRsCodesForMisalignedInputs()
    {
        // kernel/src/protocols/core.rs: REMAP_CA, PVALIDATE and DELETE_VCPU answer INVALID_PARAMETER, CREATE_VCPU
        // INVALID_ADDRESS; DEPOSIT_MEM and WITHDRAW_MEM are unsupported whatever their argument.
        var document = TestSupport.Parse(TestSupport.ReadRepositoryFile("specs", "core.md"));
        Assert.Equal(
            new[]
            {
                ("SVSM_CORE_REMAP_CA", "RCX", (string?)"SVSM_ERR_INVALID_PARAMETER"),
                ("SVSM_CORE_PVALIDATE", "RCX", "SVSM_ERR_INVALID_PARAMETER"),
                ("SVSM_CORE_CREATE_VCPU", "RCX", "SVSM_ERR_INVALID_ADDRESS"),
                ("SVSM_CORE_CREATE_VCPU", "RDX", "SVSM_ERR_INVALID_ADDRESS"),
                ("SVSM_CORE_DELETE_VCPU", "RCX", "SVSM_ERR_INVALID_PARAMETER"),
                ("SVSM_CORE_DEPOSIT_MEM", "RCX", null),
                ("SVSM_CORE_WITHDRAW_MEM", "RCX", null),
            },
            document.Calls.SelectMany(c => c.Registers.Where(r => r.IsInput && r.Alignment > 1).Select(r => (c.Name, r.Register, r.Misaligned?.Name))));
    }

    [Fact]
    public void TheVtpmSpecHasVtpmRsNumbers()
    {
        var document = TestSupport.Parse(TestSupport.ReadRepositoryFile("specs", "vtpm.md"));
        document.AssertClean();
        Assert.Equal(2U, document.Protocol.Id);

        // kernel/src/protocols/vtpm.rs: SVSM_VTPM_QUERY = 0, SVSM_VTPM_COMMAND = 1; TpmPlatformCommand::SendCommand = 8.
        Assert.Equal(new[] { ("SVSM_VTPM_QUERY", 2UL << 32), ("SVSM_VTPM_CMD", (2UL << 32) | 1) }, document.Calls.Select(c => (c.Name, c.Code(2))));
        Assert.Equal(new[] { "RCX", "RDX" }, document.Call("SVSM_VTPM_QUERY").Registers.Where(r => r.Register != "RAX").Select(r => r.Register));
        Assert.Equal(new[] { "RCX" }, document.Call("SVSM_VTPM_CMD").Registers.Where(r => r.Register != "RAX").Select(r => r.Register));
        var constants = Constants(document);
        Assert.Equal(8UL, constants["TPM_SEND_COMMAND"]);
        Assert.Equal(4096UL, constants["SVSM_VTPM_MAX_BUFFER"]);
        Assert.Equal(4087UL, constants["SVSM_VTPM_MAX_COMMAND_SIZE"]);
    }

    [Fact]
    public void TheApicSpecHasApicRsAndX86ApicRsNumbers()
    {
        var document = TestSupport.Parse(TestSupport.ReadRepositoryFile("specs", "apic.md"));
        Assert.DoesNotContain(document.Diagnostics, d => d.Severity >= SpecSeverity.Warning);
        Assert.Equal(3U, document.Protocol.Id);

        // kernel/src/protocols/apic.rs: SVSM_REQ_APIC_QUERY_FEATURES 0 ... CONFIGURE_VECTOR 4.
        Assert.Equal(
            new[] { "SVSM_APIC_QUERY_FEATURES", "SVSM_APIC_CONFIGURE", "SVSM_APIC_READ_REGISTER", "SVSM_APIC_WRITE_REGISTER", "SVSM_APIC_CONFIGURE_VECTOR" }
                .Select((name, id) => (name, (3UL << 32) | (uint)id)),
            document.Calls.Select(c => (c.Name, c.Code(3))));
        Assert.Equal(new[] { "RCX", "RDX" }, document.Call("SVSM_APIC_WRITE_REGISTER").Registers.Where(r => r.Register != "RAX").Select(r => r.Register));
        Assert.Equal("OUT", document.Call("SVSM_APIC_READ_REGISTER").Registers.Single(r => r.Register == "RDX").Direction.ToString().ToUpperInvariant());

        // cpuarch/src/x86apic.rs register indexes; errors.rs: SVSM_ERR_APIC_CANNOT_REGISTER = PROTOCOL_BASE + 0.
        var constants = Constants(document);
        var expected = new Dictionary<string, ulong>
        {
            ["APIC_REGISTER_APIC_ID"] = 0x802, ["APIC_REGISTER_TPR"] = 0x808, ["APIC_REGISTER_PPR"] = 0x80A, ["APIC_REGISTER_EOI"] = 0x80B,
            ["APIC_REGISTER_LDR"] = 0x80D, ["APIC_REGISTER_ICR"] = 0x830, ["APIC_REGISTER_SELF_IPI"] = 0x83F,
            ["SVSM_APIC_CONFIGURE_QUERY"] = 0, ["SVSM_APIC_CONFIGURE_DEREGISTER"] = 1, ["SVSM_APIC_CONFIGURE_REGISTER"] = 2,
            ["SVSM_ERR_APIC_CANNOT_REGISTER"] = 0x8000_1000,
        };
        for (var i = 0; i < 8; i++)
        {
            expected[$"APIC_REGISTER_ISR_{i}"] = 0x810 + (ulong)i;
            expected[$"APIC_REGISTER_TMR_{i}"] = 0x818 + (ulong)i;
            expected[$"APIC_REGISTER_IRR_{i}"] = 0x820 + (ulong)i;
        }

        Assert.Equal(expected.OrderBy(e => e.Key), constants.OrderBy(e => e.Key));

        // apic.rs VectorConfig: vector 7:0, enable 8, all_vectors 9, reserved 63:10.
        var vector = document.BitFields.Single(b => b.Binding is { Owner: "SVSM_APIC_CONFIGURE_VECTOR" });
        Assert.Equal(new[] { (0, 7), (8, 8), (9, 9), (10, 63) }, vector.Bits.Select(b => (b.Low, b.High)).OrderBy(b => b.Low));
    }
}
