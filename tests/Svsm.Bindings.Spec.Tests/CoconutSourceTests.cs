using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>
/// COCONUT-SVSM's own declarations (TestSpecs/, pasted unchanged from attest.rs, vtpm.rs and types.rs) give the
/// layouts our specs state for the same structures, and COCONUT's uefivars.md, as specs/uefi-mm.md holds it,
/// gives protocol 4.
/// </summary>
public sealed class CoconutSourceTests
{
    private static SpecDocument Read(params string[] path) => TestSupport.Parse(TestSupport.ReadRepositoryFile(path));

    [Fact]
    public void AttestRsOperationsLayOutAsTheAttestationSpecsCallArea()
    {
        var coconut = Read("tests", "Svsm.Bindings.Spec.Tests", "TestSpecs", "coconut-attest.md");
        Assert.DoesNotContain(coconut.Diagnostics, d => d.Severity != SpecSeverity.Info);
        var ours = Read("specs", "attestation.md");
        var call = ours.Struct("svsm_attest_call");
        var location = ours.Struct("svsm_loc_entry");

        var services = coconut.Struct("AttestServicesOp");
        Assert.True(services.Packed);
        Assert.Equal(4 * location.Size, services.Size);
        // Each buffer COCONUT names is one svsm_loc_entry of the kernel's call area: its GPA at .pa, its size at .len.
        foreach (var (buffer, gpa, size) in new[] { ("report_buf", "report_gpa", "report_size"), ("nonce", "nonce_gpa", "nonce_size"), ("manifest_buf", "manifest_gpa", "manifest_size"), ("certificates_buf", "certificate_gpa", "certificate_size") })
        {
            var entry = Field(call, buffer);
            Assert.Equal(entry.Offset + Field(location, "pa").Offset, Field(services, gpa).Offset);
            Assert.Equal(Field(location, "pa").Size, Field(services, gpa).Size);
            Assert.Equal(entry.Offset + Field(location, "len").Offset, Field(services, size).Offset);
        }

        Assert.All(services.Fields.Where(f => f.SourceName!.StartsWith("reserved_", StringComparison.Ordinal)), f => Assert.True(f.Reserved));

        var single = coconut.Struct("AttestSingleServiceOp");
        Assert.Equal(call.Size, single.Size);
        Assert.Equal(services, Field(single, "op").Struct);
        Assert.Equal(Field(call, "service_guid").Offset, Field(single, "guid").Offset);
        Assert.Equal(Field(call, "service_manifest_ver").Offset, Field(single, "manifest_ver").Offset);
        Assert.Equal(Field(call, "rsvd").Offset, Field(single, "reserved_5").Offset);

        // COCONUT's compile-time guards (const _: () = assert!(...)) state the same figures; they are code, skipped.
        Assert.Equal((0x3c, 0x40), (Field(services, "reserved_4").Offset, services.Size));
        Assert.Equal((0x54, 0x58), (Field(single, "reserved_5").Offset, single.Size));
    }

    [Fact]
    public void VtpmRsRequestAndResponseLayOutAsTheVtpmSpecsBuffers()
    {
        var coconut = Read("tests", "Svsm.Bindings.Spec.Tests", "TestSpecs", "coconut-vtpm.md");
        Assert.DoesNotContain(coconut.Diagnostics, d => d.Severity != SpecSeverity.Info);
        var ours = Read("specs", "vtpm.md");

        var request = coconut.Struct("TpmSendCommandRequest");
        var ourRequest = ours.Struct("TPM_SEND_COMMAND request");
        Assert.Equal(ourRequest.Size, request.Size);
        Assert.Equal(ourRequest.Fields.Select(f => (f.Offset, f.Size)), request.Fields.Select(f => (f.Offset, f.Size)));
        Assert.Equal("MSSIM platform command ID", Field(request, "command").Description);

        var response = coconut.Struct("TpmSendCommandResponse");
        var ourResponse = ours.Struct("TPM_SEND_COMMAND response");
        Assert.Equal(ourResponse.Fields.Select(f => (f.Offset, f.Size)), response.Fields.Select(f => (f.Offset, f.Size)));

        // PAGE_SIZE - 9 and PAGE_SIZE - 4, with PAGE_SIZE = 1 << PAGE_SHIFT from types.rs.
        var constants = coconut.ConstantTables.SelectMany(t => t.Constants).ToDictionary(c => c.Name, c => c.Value);
        var ourConstants = ours.ConstantTables.SelectMany(t => t.Constants).ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal(ourConstants["SVSM_VTPM_MAX_COMMAND_SIZE"], constants["SEND_COMMAND_REQ_INBUF_SIZE"]);
        Assert.Equal(ourConstants["SVSM_VTPM_MAX_RESPONSE_SIZE"], constants["SEND_COMMAND_RESP_OUTBUF_SIZE"]);
        Assert.Equal(ourConstants["TPM_SEND_COMMAND"], constants["SendCommand"]);
        var command = Assert.Single(ours.Calls, c => c.Name == "SVSM_VTPM_CMD");
        Assert.Equal(command.Id, constants["SVSM_VTPM_COMMAND"]);

        // The #[repr(u32)] enum is an enum of 4 bytes; impl, fn and use items are skipped without a word.
        var platformCommand = Assert.Single(coconut.ConstantTables, t => t.Name == "TpmPlatformCommand");
        Assert.Equal((ConstantTableKind.Enum, 4), (platformCommand.Kind, platformCommand.Size));
        Assert.Contains("vTPM platform commands", platformCommand.Description);
    }

    [Fact]
    public void UefivarsMdIsProtocolFourWithItsRequestAndHeader()
    {
        var document = Read("specs", "uefi-mm.md");
        Assert.False(document.HasErrors);
        Assert.Equal((4u, 1u, "UefiMm", "SVSM_UEFI_MM_"), (document.Protocol.Id!.Value, document.Protocol.Version!.Value, document.Protocol.Prefix, document.Protocol.CallPrefix));
        var call = Assert.Single(document.Calls);
        Assert.Equal((1u, "SVSM_UEFI_MM_REQUEST"), (call.Id, call.Name));
        Assert.StartsWith("Request SVSM to process the communication buffer", call.Function);
        Assert.Equal(new[] { ("RCX", 8, (int?)4096), ("RDX", 8, null) }, call.Registers.Select(r => (r.Register, r.Size, r.Alignment)));
        Assert.All(call.Registers, r => Assert.Equal(RegisterDirection.In, r.Direction));

        var header = document.Struct("MmCoreHeader");
        Assert.Equal((24, true, 1, "EFI_MM_COMMUNICATE_HEADER"), (header.Size, header.Packed, header.Alignment, header.Description));
        Assert.Equal(new[] { ("guid", 0, 16), ("size", 16, 8) }, header.Fields.Select(f => (f.SourceName!, f.Offset, f.Size)));

        // The version and both sizes are assumed, and say so: nothing silent.
        Assert.Equal(new[] { "SVSM0021", "SVSM0048", "SVSM0048" }, document.Diagnostics.Select(d => d.Id));
        Assert.All(document.Diagnostics, d => Assert.Equal(SpecSeverity.Info, d.Severity));
    }

    private static FieldSpec Field(StructSpec structure, string sourceName) =>
        structure.Fields.Single(f => f.SourceName == sourceName);
}
