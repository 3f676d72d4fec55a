using Svsm.Bindings.Spec.Model;
using Svsm.Testing;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>Which fenced blocks are read, and as what (docs/spec-format.md, "Which blocks are read").</summary>
public sealed class CodeBlockSelectionTests
{
    [Theory]
    [InlineData("yaml")]
    [InlineData("sh")]
    [InlineData("text")]
    [InlineData("markdown")]
    [InlineData("json")]
    [InlineData("cpp")]
    public void BlocksLabeledWithAnotherLanguageAreNeverRead(string label)
    {
        var document = TestSupport.Parse($"# X\n\n```{label}\n#define A 1\nstruct s {{ u32 a; }};\npub const B: u32 = 2;\n```\n");
        Assert.Empty(document.ConstantTables);
        Assert.Empty(document.Structs);
        Assert.Contains("1 code block", document.Single("SVSM0044").Message);
    }

    [Theory]
    [InlineData("#define A 1", "C")]
    [InlineData("typedef unsigned int uint;\n#define A 1", "C")]
    [InlineData("struct s {\n    u32 a;\n};\n#define A 1", "C")]
    [InlineData("// a comment first\n#include <x.h>\n#define A 1", "C")]
    [InlineData("pub const A: u32 = 1;", "Rust")]
    [InlineData("#[repr(C)]\nstruct S { a: u32 }\nconst A: u32 = 1;", "Rust")]
    [InlineData("/// docs\nconst A: u32 = 1;", "Rust")]
    [InlineData("struct S {\n    a: u32,\n}\nconst A: u32 = 1;", "Rust")]
    public void AnUnlabeledBlockIsReadByItsFirstLineOnlyOneLanguageWrites(string code, string language)
    {
        var document = TestSupport.Parse("# X\n\n```\n" + code + "\n```\n");
        var constant = document.ConstantTables.SelectMany(t => t.Constants).Single(c => c.Name == "A");
        Assert.Equal(1UL, constant.Value);
        Assert.DoesNotContain(document.Diagnostics, d => d.Severity != SpecSeverity.Info && d.Id != "SVSM0049");
        _ = language;
    }

    [Theory]
    [InlineData("$ make -j4\n$ ./svsm")]
    [InlineData("name: value\nother: 2")]
    [InlineData("00000000: 01 02 03 04\n00000010: 05 06 07 08")]
    [InlineData("| Call ID | not a table |")]
    public void AnUnlabeledBlockOfNeitherLanguageIsNotRead(string content)
    {
        var document = TestSupport.Parse("# X\n\n```\n" + content + "\n```\n");
        Assert.Equal("SVSM0044", Assert.Single(document.Diagnostics).Id);
    }

    [Fact]
    public void NoExistingSpecGainsADiagnosticFromTheCodeBlockRules()
    {
        // The repository's table specs hold no code blocks; docs/spec-format.md's examples are labeled.
        foreach (var path in Directory.GetFiles(Path.Combine(Repository.Root, "specs"), "*.md"))
        {
            var document = SpecParser.Parse(File.ReadAllText(path));
            Assert.DoesNotContain(document.Diagnostics, d => d.Id is "SVSM0044" or "SVSM0045" or "SVSM0046" or "SVSM0049" or "SVSM0050");
        }
    }
}
