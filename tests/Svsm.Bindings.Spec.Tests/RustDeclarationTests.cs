using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>Rust declarations in code blocks: constants, repr(C) structs and unions, repr enums, aliases and docs.</summary>
public sealed class RustDeclarationTests
{
    private static SpecDocument Rust(string code, string label = "rust") => TestSupport.Parse("# R\n\n```" + label + "\n" + code + "\n```\n");

    [Theory]
    [InlineData("rust")]
    [InlineData("")]
    public void ConstantsOfEveryIntegerTypeWithExpressionsOverOtherConstants(string label)
    {
        var document = Rust("""
            pub const PAGE_SHIFT: usize = 12;
            pub const PAGE_SIZE: usize = 1 << PAGE_SHIFT;
            const INBUF: usize = PAGE_SIZE - 9;
            pub(crate) const MASK: u64 = (0xFFFF_0000 | 0x0F) * 2;
            const SMALL: u8 = 0x7fu8;
            const SIGNED: i32 = -1;
            const LATER: u32 = DEFINED_BELOW + 1;
            const DEFINED_BELOW: u32 = 41;
            const CAST: u32 = PAGE_SIZE as u32;
            const MAXED: u16 = u16::MAX;
            """, label);
        document.AssertClean();
        var values = document.ConstantTables.SelectMany(t => t.Constants).ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal(4096UL, values["PAGE_SIZE"]);
        Assert.Equal(4087UL, values["INBUF"]);
        Assert.Equal(0x1FFFE001EUL, values["MASK"]);
        Assert.Equal(0x7FUL, values["SMALL"]);
        Assert.Equal(ulong.MaxValue, values["SIGNED"]);
        Assert.Equal(42UL, values["LATER"]);
        Assert.Equal(4096UL, values["CAST"]);
        Assert.Equal(0xFFFFUL, values["MAXED"]);
        Assert.Equal("R", document.ConstantTables.Single().Name);
    }

    [Fact]
    public void ReprCStructsLayOutAsRustcDoesAndPackedOnesAtOne()
    {
        var document = Rust("""
            /// A header.
            #[repr(C)]
            #[derive(Clone, Copy, Debug)]
            pub struct Header {
                /// What it is.
                pub kind: u8,
                len: u32, // its length
                pub wide: u128,
                flag: bool,
            }

            #[repr(C, packed)]
            struct Packed {
                kind: u8,
                len: u32,
            }

            #[repr(C, packed(2))]
            struct PackedTwo {
                kind: u8,
                len: u32,
            }

            #[repr(C, align(16))]
            struct Aligned {
                kind: u8,
            }
            """);
        var header = document.Struct("Header");
        Assert.Equal(("A header.", 48, 16), (header.Description, header.Size, header.Alignment));
        Assert.Equal(new[] { (0, 1), (4, 4), (16, 16), (32, 1) }, header.Fields.Select(f => (f.Offset, f.Size)));
        Assert.Equal(new[] { "What it is.", "its length", string.Empty, string.Empty }, header.Fields.Select(f => f.Description));
        Assert.Equal((5, true), (document.Struct("Packed").Size, document.Struct("Packed").Packed));
        Assert.Equal(new[] { 0, 2 }, document.Struct("PackedTwo").Fields.Select(f => f.Offset));
        Assert.Equal(16, document.Struct("Aligned").Size);
    }

    [Fact]
    public void ArraysStructFieldsEnumFieldsAndAliasesResolveWhereverTheyAreDeclared()
    {
        var document = Rust("""
            #[repr(C)]
            pub struct Outer {
                pub inner: Inner,
                pub kind: Kind,
                pub small: Small,
                pub table: [[u16; 3]; COUNT],
                pub address: PhysAddr,
                pub alias: Word,
                pub pointer: *const u8,
            }

            const COUNT: usize = 2;
            type Word = u32;

            #[repr(C)]
            pub struct Inner { a: u64 }

            #[repr(u32)]
            pub enum Kind { A = 1, B = 2 }

            #[repr(u8)]
            enum Small { First, Second, Fifth = 5, Sixth }
            """);
        var outer = document.Struct("Outer");
        Assert.Equal(new[] { (0, 8), (8, 4), (12, 1), (14, 12), (32, 8), (40, 4), (48, 8) }, outer.Fields.Select(f => (f.Offset, f.Size)));
        Assert.Equal(document.Struct("Inner"), outer.Fields[0].Struct);
        Assert.Equal("Kind", outer.Fields[1].Enum!.Name);
        Assert.Equal(new ulong[] { 0, 1, 5, 6 }, document.ConstantTables.Single(t => t.Name == "Small").Constants.Select(c => c.Value));
        Assert.Equal(1, document.ConstantTables.Single(t => t.Name == "Small").Size);
        Assert.Equal(6, outer.Fields[3].Count);
    }

    [Fact]
    public void CodeThatIsNotADeclarationIsSkippedSilently()
    {
        var document = Rust("""
            extern crate alloc;
            use crate::{address::PhysAddr, protocols::RequestParams};
            static STORE: SpinLock<Store> = SpinLock::new(Store::new());

            impl Header {
                fn check(&self) -> Result<[u8; 4], Error> { let x = [0u8; 4]; Ok(x) }
            }

            pub fn handle(params: &mut RequestParams) -> Result<(), SvsmReqError> {
                match params.rcx { 0 => Ok(()), _ => Err(SvsmReqError::invalid_parameter()) }
            }

            const _: () = assert!(core::mem::size_of::<Header>() == 4);

            #[repr(C)]
            pub struct Header { pub a: u32 }
            """);
        document.AssertClean();
        Assert.Equal(4, document.Struct("Header").Size);
    }

    [Fact]
    public void DeclarationsWithoutALayoutOfTheirOwnAreReportedNotGuessed()
    {
        var document = Rust("""
            pub struct NoRepr { a: u32 }
            #[repr(C)]
            pub struct Generic<T> { a: T }
            #[repr(C)]
            pub struct Tuple(u32);
            pub enum Data { A(u32), B }
            pub enum Plain { A = 1 }
            #[repr(C)]
            pub struct UsesPlain { p: Plain }
            const NAME: &str = "x";
            bitflags! { struct F: u32 { const A = 1; } }
            """);
        var notRead = document.Diagnostics.Where(d => d.Id == "SVSM0049").Select(d => (d.Span.Line, d.Message)).ToList();
        Assert.Contains(notRead, d => d.Line == 4 && d.Message.Contains("no #[repr(C)]", StringComparison.Ordinal));
        Assert.Contains(notRead, d => d.Line == 6 && d.Message.Contains("generic", StringComparison.Ordinal));
        Assert.Contains(notRead, d => d.Line == 8 && d.Message.Contains("tuple", StringComparison.Ordinal));
        Assert.Contains(notRead, d => d.Line == 9 && d.Message.Contains("holds data", StringComparison.Ordinal));
        Assert.Contains(notRead, d => d.Line == 13 && d.Message.Contains("'&str' is not an integer", StringComparison.Ordinal));
        Assert.Contains(notRead, d => d.Line == 14 && d.Message.Contains("bitflags!", StringComparison.Ordinal));
        var sizeless = document.Single("SVSM0050");
        Assert.Contains("enum 'Plain'", sizeless.Message);
        Assert.Empty(document.Structs);
        Assert.Contains("Not generated: struct 'NoRepr'.", notRead.First().Message);
    }

    [Fact]
    public void AnUnknownTypeIsReportedAtItsLineAndTheRestIsRead()
    {
        var document = Rust("""
            #[repr(C)]
            pub struct Uses {
                pub a: u32,
                pub b: Undefined,
            }

            #[repr(C)]
            pub struct Fine { pub a: u64 }
            """);
        var error = document.Single("SVSM0046");
        Assert.Equal((7, 12), (error.Span.Line, error.Span.Column));
        Assert.Contains("'b' of 'Uses' has type 'Undefined'", error.Message);
        Assert.EndsWith("Not generated: struct 'Uses'.", error.Message);
        Assert.Equal("Fine", Assert.Single(document.Structs).Name);
    }
}
