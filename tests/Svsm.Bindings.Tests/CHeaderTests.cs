using System.Text.RegularExpressions;
using Svsm.Bindings.Spec;
using Svsm.Bindings.Spec.Emitting;
using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Tests;

/// <summary>
/// Real C headers, pasted whole into a spec's ```c blocks as their authors wrote them, read by the reader and
/// checked with gcc: every struct's size, every member's offset and size, every bit-field's bits, every define,
/// enumerator and ioctl number. The headers are Debian's linux-libc-dev ones and the cited transcriptions of the
/// kernel's in CHeaders/.
/// </summary>
public sealed class CHeaderTests
{
    [Theory]
    [InlineData("/usr/include/linux/sev-guest.h")]
    [InlineData("/usr/include/linux/psp-sev.h;CHeaders/psp-sev-snp.h")]
    [InlineData("CHeaders/svsm-sev.h")]
    [InlineData("CHeaders/tpm-svsm.h")]
    [InlineData("CHeaders/vmfwupdate.h")]
    public void HeadersReadAsCodeBlocksLayOutAsGccLaysThemOut(string headers)
    {
        var files = headers.Split(';').Select(h => Path.IsPathRooted(h) ? h : Path.Combine(AppContext.BaseDirectory, h)).ToList();
        var texts = files.Select(File.ReadAllText).ToList();
        var spec = "# " + headers + "\n\n" + string.Concat(texts.Select(t => "```c\n" + t + "\n```\n\n"));
        var document = SpecParser.Parse(spec);
        Assert.True(!document.HasErrors, string.Join("\n", document.Diagnostics.Where(d => d.Severity == SpecSeverity.Error).Select(d => d.Span + " " + d.Message)));
        var header = string.Concat(texts);

        var checks = new List<(string What, string CExpression, ulong Expected)>();
        foreach (var structure in document.Structs)
        {
            // A struct C names by its tag, or by the typedef of an unnamed one; the reader's own names for members C
            // leaves anonymous are reached through their members.
            var cType = Regex.IsMatch(header, @"(?:struct|union)\s+" + Regex.Escape(structure.Name) + @"\s*(?:__attribute__\(\([^)]*\)\)\s*)?\{")
                ? (structure.IsUnion ? "union " : "struct ") + structure.Name
                : Regex.IsMatch(header, @"\}\s*" + Regex.Escape(structure.Name) + @"\s*[,;]") ? structure.Name : null;
            if (cType is null)
            {
                continue;
            }

            checks.Add(($"sizeof({cType})", $"sizeof({cType})", (ulong)structure.Size));
            AddMembers(checks, cType, structure, 0, header);
        }

        foreach (var constant in document.ConstantTables.SelectMany(t => t.Constants))
        {
            checks.Add((constant.Name, constant.Name, constant.Value));
        }

        foreach (var ioctl in document.Ioctls)
        {
            checks.Add((ioctl.Name, ioctl.Name, ioctl.Number));
        }

        Assert.True(checks.Count >= 8, "too few figures: " + checks.Count);
        GccLayoutTests.AssertGccAgrees(files, checks);
    }

    /// <summary>Each member's offset and size, through anonymous members, and each bit-field unit's bits.</summary>
    private static void AddMembers(List<(string, string, ulong)> checks, string cType, StructSpec structure, int baseOffset, string header)
    {
        foreach (var field in structure.Fields)
        {
            if (field.SourceName is null && field.Struct is { } anonymous)
            {
                AddMembers(checks, cType, anonymous, baseOffset + field.Offset, header);
            }
            else if (field.SourceName is null && field.Bits is { } bits)
            {
                // Named bit-fields only: C cannot set an unnamed one, nor the padding after the last.
                foreach (var bit in bits.Bits.Where(b => Regex.IsMatch(header, @"\b" + Regex.Escape(b.Name) + @"\s*:\s*\d")))
                {
                    checks.Add(($"{cType}.{bit.Name} (bits {bit.High}:{bit.Low} at {baseOffset + field.Offset})",
                        GccLayoutTests.BitMemberExpression(cType, bit.Name, bit.Width, baseOffset + field.Offset, field.Size), Naming.Mask(bit.Low, bit.High)));
                }
            }
            else if (field.SourceName is { } member && field.Count > 0)
            {
                checks.Add(($"offsetof({cType}, {member})", $"offsetof({cType}, {member})", (ulong)(baseOffset + field.Offset)));
                checks.Add(($"sizeof({cType}.{member})", $"sizeof((({cType} *)0)->{member})", (ulong)field.Size));
            }
        }
    }
}
