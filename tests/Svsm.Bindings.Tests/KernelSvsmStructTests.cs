using Svsm.Bindings.Spec;
using Svsm.Bindings.Spec.Emitting;
using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Tests;

/// <summary>
/// specs/core.md's calling area and PVALIDATE structs, specs/attestation.md's request and specs/vtpm.md's buffer,
/// against gcc on the kernel's own declarations (CHeaders/svsm-sev.h and tpm-svsm.h, cited transcriptions of
/// arch/x86/include/asm/sev.h and include/linux/tpm_svsm.h), bit-fields included.
/// </summary>
public sealed class KernelSvsmStructTests
{
    // Where the spec's name for a field is not the kernel's.
    private static readonly Dictionary<string, string> KernelNames = new() { ["buffer"] = "svsm_buffer" };

    [Fact]
    public void CoreSpecStructsMatchTheKernelsDeclarations()
    {
        var document = SpecParser.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "specs", "core.md")));
        Assert.False(document.HasErrors);
        var checks = new List<(string What, string CExpression, ulong Expected)>();
        foreach (var (specName, cName) in new[] { ("Calling area", "svsm_ca"), ("PVALIDATE request", "svsm_pvalidate_call"), ("PVALIDATE entry", "svsm_pvalidate_entry") })
        {
            var structSpec = document.Structs.Single(s => s.Name == specName);
            checks.Add(($"sizeof({cName})", $"sizeof(struct {cName})", (ulong)structSpec.Size));
            foreach (var field in structSpec.Fields.Where(f => f.SourceName is not null && f.Name != "bits"))
            {
                AddMember(checks, cName, KernelNames.GetValueOrDefault(field.SourceName!, field.SourceName!), field);
            }
        }

        // The request's entries start where the header the spec describes ends.
        checks.Add(("offsetof(svsm_pvalidate_call, entry)", "offsetof(struct svsm_pvalidate_call, entry)", (ulong)document.Structs.Single(s => s.Name == "PVALIDATE request").Size));

        var entryBits = document.BitFields.Single(b => b.Binding is { Owner: "PVALIDATE entry" });
        foreach (var bit in entryBits.Bits.Where(b => !b.Reserved))
        {
            checks.Add(($"svsm_pvalidate_entry.{bit.Name}", GccLayoutTests.BitMemberExpression("struct svsm_pvalidate_entry", bit.Name, bit.Width, 0, 8), Naming.Mask(bit.Low, bit.High)));
        }

        var maxCount = document.ConstantTables.SelectMany(t => t.Constants).Single(c => c.Name == "SVSM_PVALIDATE_MAX_COUNT");
        checks.Add(("SVSM_PVALIDATE_MAX_COUNT", "SVSM_PVALIDATE_MAX_COUNT", maxCount.Value));

        Assert.True(checks.Count >= 16, "too few figures: " + checks.Count);
        GccLayoutTests.AssertGccAgrees(new[] { Path.Combine(AppContext.BaseDirectory, "CHeaders", "svsm-sev.h") }, checks);
    }

    [Fact]
    public void AttestationRequestMatchesTheKernelsDeclarations()
    {
        var document = SpecParser.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "specs", "attestation.md")));
        Assert.False(document.HasErrors);
        var checks = new List<(string What, string CExpression, ulong Expected)>();
        foreach (var name in new[] { "svsm_loc_entry", "svsm_attest_call" })
        {
            var structSpec = document.Structs.Single(s => s.Name == name);
            checks.Add(($"sizeof({name})", $"sizeof(struct {name})", (ulong)structSpec.Size));
            foreach (var field in structSpec.Fields)
            {
                AddMember(checks, name, field.SourceName!, field);
            }
        }

        foreach (var call in document.Calls)
        {
            checks.Add(($"SVSM_ATTEST_CALL({call.Name})", $"SVSM_ATTEST_CALL({call.Name})", call.Code(document.Protocol.Id!.Value)));
        }

        Assert.Equal(2 + (2 * 3) + (2 * 7) + 2, checks.Count);
        GccLayoutTests.AssertGccAgrees(new[] { Path.Combine(AppContext.BaseDirectory, "CHeaders", "svsm-sev.h") }, checks);
    }

    [Fact]
    public void VtpmBufferMatchesTheKernelsDeclarations()
    {
        var document = SpecParser.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "specs", "vtpm.md")));
        Assert.False(document.HasErrors);
        var checks = new List<(string What, string CExpression, ulong Expected)>();

        // The spec lays out the whole 4096-byte buffer; the kernel declares the header and a flexible array after it.
        foreach (var (specName, cName, fields) in new[]
        {
            ("TPM_SEND_COMMAND request", "svsm_vtpm_cmd_request", new[] { ("command", "cmd"), ("locality", "locality"), ("input_size", "buf_size"), ("input", "buf") }),
            ("TPM_SEND_COMMAND response", "svsm_vtpm_cmd_response", new[] { ("output_size", "buf_size"), ("output", "buf") }),
        })
        {
            var structSpec = document.Structs.Single(s => s.Name == specName);
            Assert.Equal(4096, structSpec.Size);
            foreach (var (specField, member) in fields)
            {
                var field = structSpec.Fields.Single(f => string.Equals(f.Name.Replace("_", "", StringComparison.Ordinal), specField.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
                if (member == "buf")
                {
                    checks.Add(($"offsetof({cName}, buf)", $"offsetof(struct {cName}, buf)", (ulong)field.Offset));
                    checks.Add(($"sizeof({cName}) + {field.Size}", $"sizeof(struct {cName}) + {field.Size}", (ulong)structSpec.Size));
                }
                else
                {
                    AddMember(checks, cName, member, field);
                }
            }
        }

        var maxBuffer = document.ConstantTables.SelectMany(t => t.Constants).Single(c => c.Name == "SVSM_VTPM_MAX_BUFFER");
        checks.Add(("SVSM_VTPM_MAX_BUFFER", "SVSM_VTPM_MAX_BUFFER", maxBuffer.Value));
        foreach (var call in document.Calls)
        {
            checks.Add(($"SVSM_VTPM_CALL({call.Name})", $"SVSM_VTPM_CALL({call.Name})", call.Code(document.Protocol.Id!.Value)));
        }

        Assert.Equal((4 * 2) + (2 * 2) + 1 + 2, checks.Count);
        GccLayoutTests.AssertGccAgrees(new[] { Path.Combine(AppContext.BaseDirectory, "CHeaders", "tpm-svsm.h") }, checks);
    }

    // A member's offset and size, as gcc computes them for the kernel's declaration.
    private static void AddMember(List<(string What, string CExpression, ulong Expected)> checks, string cName, string member, FieldSpec field)
    {
        checks.Add(($"offsetof({cName}, {member})", $"offsetof(struct {cName}, {member})", (ulong)field.Offset));
        checks.Add(($"sizeof({cName}.{member})", $"sizeof(((struct {cName} *)0)->{member})", (ulong)field.Size));
    }
}
