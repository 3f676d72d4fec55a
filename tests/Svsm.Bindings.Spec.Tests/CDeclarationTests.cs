using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>
/// C declarations in code blocks: structs and unions (anonymous members, attributes, bit-fields), enums, typedefs
/// and defines. gcc itself checks these layouts on real headers (Svsm.Bindings.Tests, CHeaderTests); these tests
/// pin each form down.
/// </summary>
public sealed class CDeclarationTests
{
    private static SpecDocument C(string code, string label = "c", string heading = "# C") => TestSupport.Parse(heading + "\n\n```" + label + "\n" + code + "\n```\n");

    [Theory]
    [InlineData("c")]
    [InlineData("")]
    public void StructsOfKernelStdintAndBasicTypesLayOutAsGccDoes(string label)
    {
        var document = C("""
            #include <linux/types.h>

            struct mixed {
            	__u8 a;          /* one byte */
            	uint32_t b;
            	unsigned long c;
            	s16 d[3];
            	__le64 e;
            	char *name;
            	struct inner in;
            	u8 tail[];
            };
            """, label);
        var error = document.Single("SVSM0046");
        Assert.Contains("'in' of 'mixed' has type 'inner'", error.Message);

        document = C("""
            struct inner { u32 x; };
            struct mixed {
            	__u8 a;          /* one byte */
            	uint32_t b;
            	unsigned long c;
            	s16 d[3];
            	__le64 e;
            	char *name;
            	struct inner in;
            	u8 tail[];
            };
            """, label);
        document.AssertNo("SVSM0046");
        var mixed = document.Struct("mixed");
        Assert.Equal(new[] { (0, 1), (4, 4), (8, 8), (16, 6), (24, 8), (32, 8), (40, 4), (44, 0) }, mixed.Fields.Select(f => (f.Offset, f.Size)));
        Assert.Equal((48, 8), (mixed.Size, mixed.Alignment));
        Assert.Equal("one byte", mixed.Fields[0].Description);
        Assert.Equal(document.Struct("inner"), mixed.Fields[6].Struct);
    }

    [Fact]
    public void PackedAndAlignedAttributesInEveryPlaceTheKernelWritesThem()
    {
        var document = C("""
            struct a { u8 x; u32 y; } __packed;
            struct __attribute__((packed)) b { u8 x; u32 y; };
            struct c { u8 x; u32 y; } __attribute__((__packed__, aligned(4)));
            struct d { u8 x; } __aligned(8);
            struct e { u8 x; u64 y __aligned(16); };
            #pragma pack(push, 2)
            struct f { u8 x; u32 y; };
            #pragma pack(pop)
            struct g { u8 x; u32 y; };
            """);
        Assert.Equal(new[] { ("a", 5), ("b", 5), ("c", 8), ("d", 8), ("e", 32), ("f", 6), ("g", 8) }, document.Structs.Select(s => (s.Name, s.Size)));
        Assert.True(document.Struct("a").Packed);
        Assert.Equal(16, document.Struct("e").Fields[1].Offset);
    }

    [Fact]
    public void UnionsAnonymousMembersAndTypedefs()
    {
        var document = C("""
            struct snp_guest_request_ioctl {
            	/* message version number (must be non-zero) */
            	__u8 msg_version;

            	/* Request and response structure address */
            	__u64 req_data;
            	__u64 resp_data;

            	/* bits[63:32]: VMM error code, bits[31:0] firmware error code (see psp-sev.h) */
            	union {
            		__u64 exitinfo2;
            		struct {
            			__u32 fw_error;
            			__u32 vmm_error;
            		};
            	};
            };

            typedef struct {
              UINT32  Data1;
              UINT16  Data2;
              UINT16  Data3;
              UINT8   Data4[8];
            } GUID;

            typedef struct _HEADER { GUID HeaderGuid; UINTN MessageLength; } MM_HEADER, *PMM_HEADER;
            typedef __u8 guid_t[16];
            struct uses { guid_t g; MM_HEADER h; struct _HEADER same; };
            """);
        document.AssertClean();
        var request = document.Struct("snp_guest_request_ioctl");
        Assert.Equal(32, request.Size);
        var anonymous = request.Fields.Last();
        Assert.Equal((24, 8, null), (anonymous.Offset, anonymous.Size, anonymous.SourceName));
        Assert.True(anonymous.Struct!.IsUnion);
        Assert.Equal("bits[63:32]: VMM error code, bits[31:0] firmware error code (see psp-sev.h)", anonymous.Description);
        Assert.Equal(new[] { 0, 4 }, anonymous.Struct.Fields.Last().Struct!.Fields.Select(f => f.Offset));
        Assert.Equal("message version number (must be non-zero)", request.Fields[0].Description);

        Assert.Equal((16, 4), (document.Struct("GUID").Size, document.Struct("GUID").Alignment));
        Assert.Equal(24, document.Struct("_HEADER").Size);
        Assert.Equal(new[] { (0, 16), (16, 24), (40, 24) }, document.Struct("uses").Fields.Select(f => (f.Offset, f.Size)));
    }

    [Fact]
    public void BitFieldsAsTheKernelsPvalidateEntryDeclaresThem()
    {
        var document = C("""
            struct svsm_pvalidate_entry {
            	__u64 page_size		: 2,
            	      action		: 1,
            	      ignore_cf		: 1,
            	      rsvd		: 8,
            	      pfn		: 52;
            };

            struct flags {
            	u32 a : 3;
            	u32   : 5;   /* unnamed: padding */
            	u32 b : 1;
            	u32   : 0;
            	u32 c : 1;
            };
            """);
        document.AssertClean();
        var entry = document.Struct("svsm_pvalidate_entry");
        var unit = Assert.Single(entry.Fields);
        Assert.Equal((0, 8), (unit.Offset, unit.Size));
        Assert.Equal(new[] { ("page_size", 0, 1), ("action", 2, 2), ("ignore_cf", 3, 3), ("rsvd", 4, 11), ("pfn", 12, 63) }, unit.Bits!.Bits.Select(b => (b.Name, b.Low, b.High)));
        Assert.True(unit.Bits.Bits[3].Reserved);

        var flags = document.Struct("flags");
        Assert.Equal(8, flags.Size);
        Assert.Equal(new[] { 0, 4 }, flags.Fields.Select(f => f.Offset));
        Assert.True(flags.Fields[0].Bits!.Bits[1].Reserved);
    }

    [Fact]
    public void DefinesBecomeConstantsFlagSetsAndIoctls()
    {
        var document = C("""
            #define SNP_REPORT_USER_DATA_SIZE 64   /* bytes of user data */
            #define SEV_IOC_TYPE 'S'
            #define SNP_FW_ERR_MASK GENMASK_ULL(31, 0)
            #define BIG (0x1ULL << 40)
            #define OCTAL 010
            #define TWICE (SNP_REPORT_USER_DATA_SIZE * 2)
            #define SIZE_OF sizeof(struct snp_report_req)

            struct snp_report_req { __u8 user_data[SNP_REPORT_USER_DATA_SIZE]; __u32 vmpl; __u8 rsvd[28]; };

            #define SNP_GET_REPORT _IOWR(SEV_IOC_TYPE, 0x0, struct snp_report_req)
            #define SNP_NOTHING _IO('S', 0x9)

            /* Feature bits */

            #define FEATURE_A BIT(0)
            #define FEATURE_B BIT(1)
            #define FEATURE_C BIT(7)
            """);
        document.AssertClean();
        var values = document.ConstantTables.SelectMany(t => t.Constants).ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal(64UL, values["SNP_REPORT_USER_DATA_SIZE"]);
        Assert.Equal((ulong)'S', values["SEV_IOC_TYPE"]);
        Assert.Equal(0xFFFFFFFFUL, values["SNP_FW_ERR_MASK"]);
        Assert.Equal(1UL << 40, values["BIG"]);
        Assert.Equal(8UL, values["OCTAL"]);
        Assert.Equal(128UL, values["TWICE"]);
        Assert.Equal(96UL, values["SIZE_OF"]);
        Assert.Equal("bytes of user data", document.ConstantTables.SelectMany(t => t.Constants).Single(c => c.Name == "SNP_REPORT_USER_DATA_SIZE").Description);
        Assert.Equal(new[] { ("SNP_GET_REPORT", 0xC0605300u), ("SNP_NOTHING", 0x00005309u) }, document.Ioctls.Select(i => (i.Name, i.Number)));
        var features = document.ConstantTables.Single(t => t.Name == "Feature bits");
        Assert.Equal(ConstantTableKind.Flags, features.Kind);
    }

    [Fact]
    public void EnumsNamedAndUnnamedAndTheirSizes()
    {
        var document = C("""
            enum {
            	SEV_FACTORY_RESET = 0,
            	SEV_PLATFORM_STATUS,
            	SEV_GET_ID2 = 8,
            	SEV_MAX,
            };

            typedef enum {
            	SEV_RET_NO_FW_CALL = -1,
            	SEV_RET_SUCCESS = 0,
            	SEV_RET_INVALID_PLATFORM_STATE,
            } sev_ret_code;

            enum big { HUGE = 0x100000000 };
            struct holds { enum big b; sev_ret_code r; };
            """, heading: "## SEV commands");
        document.AssertClean();
        var commands = document.ConstantTables.Single(t => t.Name == "SEV commands");
        Assert.Equal(ConstantTableKind.Constants, commands.Kind);
        Assert.Equal(new ulong[] { 0, 1, 8, 9 }, commands.Constants.Select(c => c.Value));
        var codes = document.ConstantTables.Single(t => t.Name == "sev_ret_code");
        Assert.Equal((ConstantTableKind.Enum, 4, true), (codes.Kind, codes.Size, codes.Signed));
        Assert.Equal(new ulong[] { ulong.MaxValue, 0, 1 }, codes.Constants.Select(c => c.Value));
        Assert.Equal(new[] { (0, 8), (8, 4) }, document.Struct("holds").Fields.Select(f => (f.Offset, f.Size)));
    }

    [Fact]
    public void PreprocessorLinesAndFunctionLikeMacrosAreSkippedWithAnInfo()
    {
        var document = C("""
            #ifndef _UAPI_LINUX_SEV_GUEST_H_
            #define _UAPI_LINUX_SEV_GUEST_H_
            #include <linux/types.h>
            #define SNP_GUEST_VMM_ERR(x) (((u64)x) << 32)
            #define SEV_GUEST_DEVICE "/dev/sev-guest"
            struct x { u8 a; };
            #endif
            """);
        Assert.Equal(new[] { 4, 6, 7, 8, 10 }, document.Diagnostics.Select(d => d.Span.Line));
        Assert.All(document.Diagnostics, d => Assert.Equal(("SVSM0047", SpecSeverity.Info), (d.Id, d.Severity)));
        Assert.Contains("function-like macros are not expanded", document.Diagnostics[2].Message);
        Assert.Single(document.Structs);
        Assert.Empty(document.ConstantTables);
    }

    [Fact]
    public void CommentsAboveAndBesideDescribeAndAGroupCommentNamesTheSet()
    {
        var document = C("""
            struct regions {
            	// size of the region,
            	// in bytes
            	uint64_t size;
            	uint64_t flags;    /* control bits */
            };

            // --- 'flags' field bits ---

            // data must be copied
            #define REGION_FLAG_COPY (1 << 0)
            #define REGION_FLAG_ZERO (1 << 1) /* zeroed */

            /* --- other constants --- */
            #define LIMIT 4
            """);
        document.AssertClean();
        var regions = document.Struct("regions");
        Assert.Equal(new[] { "size of the region, in bytes", "control bits" }, regions.Fields.Select(f => f.Description));
        var flags = document.ConstantTables[0];
        Assert.Equal(("regions flags", "regions.flags", ConstantTableKind.Flags), (flags.Name, flags.BoundTo, flags.Kind));
        Assert.Equal(new[] { "data must be copied", "zeroed" }, flags.Constants.Select(c => c.Description));
        Assert.Equal("other constants", document.ConstantTables[1].Name);
    }

    [Fact]
    public void MalformedDeclarationsAreReportedWhereTheyStandAndTheRestIsRead()
    {
        var document = C("""
            struct fine { u32 a; };
            struct broken { u32 a u32 b; };
            struct length { u8 a[UNDEFINED]; };
            struct huge { u8 a[0x80000000]; };
            struct later { u32 a; };
            struct open { u32 a;
            """);
        var errors = document.Diagnostics.Where(d => d.Severity == SpecSeverity.Error).Select(d => (d.Id, d.Span.Line)).ToList();
        Assert.Contains(("SVSM0045", 5), errors);
        Assert.Contains(("SVSM0050", 6), errors);
        Assert.Contains(("SVSM0050", 7), errors);
        Assert.Contains(("SVSM0045", 9), errors);
        Assert.Equal(new[] { "fine", "later" }, document.Structs.Select(s => s.Name));
        Assert.Contains("'{' of struct 'open' has no matching '}'", document.Diagnostics.Last().Message);
    }
}

/// <summary>Hostile code: chains and nesting deep enough to exhaust a stack get diagnostics, never an exception.</summary>
public sealed class HostileCodeTests
{
    [Fact]
    public void ChainsOfStructsTypedefsAndConstantsAreBoundedNotRecursedWithoutEnd()
    {
        const int n = 5000;
        var rust = string.Concat(Enumerable.Range(0, n).Select(i => $"#[repr(C)] struct S{i} {{ a: S{i + 1} }}\n")) + $"#[repr(C)] struct S{n} {{ a: u8 }}\n" +
            string.Concat(Enumerable.Range(0, n).Select(i => $"const C{i}: u32 = C{i + 1} + 1;\n")) + $"const C{n}: u32 = 0;\n";
        var c = string.Concat(Enumerable.Range(0, n).Select(i => $"typedef t{i + 1} t{i};\n")) + $"typedef u32 t{n};\nstruct uses {{ t0 x; }};\n";
        var document = TestSupport.Parse("# H\n\n```rust\n" + rust + "```\n\n```c\n" + c + "```\n");
        Assert.Contains(document.Diagnostics, d => d.Message.Contains("nested inside more than 100 other structs", StringComparison.Ordinal));
        Assert.Contains(document.Diagnostics, d => d.Message.Contains("more than 200 other constants", StringComparison.Ordinal));
        Assert.Contains(document.Diagnostics, d => d.Id == "SVSM0046" && d.Message.Contains("'x' of 'uses'", StringComparison.Ordinal));
        // What does not reach the bounds is read: the innermost structs and constants.
        Assert.Contains(document.Structs, s => s.Name == "S" + n);
        Assert.Contains(document.ConstantTables.SelectMany(t => t.Constants), k => k.Name == "C" + n);
    }

    [Fact]
    public void MarkdownNestedPastMarkdigsLimitIsAnErrorOfTheSpecNotOfTheReader()
    {
        var document = TestSupport.Parse(new string('>', 20000) + " x\n");
        Assert.Equal("SVSM0052", Assert.Single(document.Diagnostics).Id);
    }

    [Fact]
    public void DeeplyNestedAndUnclosedCodeNeverThrows()
    {
        foreach (var code in new[]
        {
            "struct a { " + string.Concat(Enumerable.Repeat("struct { ", 3000)) + "u8 x;" + string.Concat(Enumerable.Repeat(" };", 3000)) + " };",
            "#[repr(C)] struct A { a: " + string.Concat(Enumerable.Repeat("[", 3000)) + "u8" + string.Concat(Enumerable.Repeat("; 2]", 3000)) + " }",
            "#define X " + new string('(', 5000) + "1" + new string(')', 5000),
            "/* never closed", "\"never closed", "'", "#[repr(", "#[repr(]", "struct {", "enum {", "typedef", "}}}};;;))", "u8 a : 99999999999999999999;",
        })
        {
            foreach (var label in new[] { "c", "rust", string.Empty })
            {
                _ = SpecParser.ParseUnguarded("# H\n\n```" + label + "\n" + code + "\n```\n");
            }
        }
    }
}
