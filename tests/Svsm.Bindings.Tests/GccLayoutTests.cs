using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Svsm.Bindings.Spec;
using Svsm.Bindings.Spec.Emitting;
using Svsm.Bindings.Spec.Model;
using Xunit;

namespace Svsm.Bindings.Tests;

/// <summary>
/// Specs against what gcc makes of the C declarations they transcribe: every sizeof, offsetof, ioctl number and
/// constant, and the sizes of the generated C# types. sev-guest.md is checked against the real kernel header,
/// Debian's /usr/include/linux/sev-guest.h (linux-libc-dev); vmfwupdate.md, which holds the vmfwupdate mail's C as
/// posted, both against a transcription of that C (CHeaders/vmfwupdate.h) and against its own code block.
/// </summary>
public sealed class GccLayoutTests
{
    [Theory]
    [InlineData("sev-guest.md", "/usr/include/linux/sev-guest.h;CHeaders/psp-sev-snp.h", "SevGuest", 4)]
    [InlineData("vmfwupdate.md", "CHeaders/vmfwupdate.h", "VmFwUpdate", 0)]
    [InlineData("vmfwupdate.md", "spec:vmfwupdate.md", "VmFwUpdate", 0)]
    public void StructsAndConstantsMatchGcc(string spec, string headerPath, string prefix, int ioctlCount)
    {
        var specText = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "specs", spec));
        var document = SpecParser.Parse(specText);
        Assert.False(document.HasErrors);
        // Several headers may declare a spec's types: the transcriptions name the system headers they build on. A spec
        // written in C is its own header: its ```c blocks, as gcc reads them.
        var headerFiles = headerPath.Split(';').Select(h => h.StartsWith("spec:", StringComparison.Ordinal) ? CodeBlocksAsHeader(specText)
            : Path.IsPathRooted(h) ? h : Path.Combine(AppContext.BaseDirectory, h)).ToList();
        var header = string.Concat(headerFiles.Select(File.ReadAllText)) + File.ReadAllText("/usr/include/linux/psp-sev.h");
        var structs = document.Structs.ToDictionary(s => s.Name);
        var checks = new List<(string What, string CExpression, ulong Expected)>();
        foreach (var structSpec in document.Structs.Where(s => Regex.IsMatch(header, @"struct\s+" + s.Name + @"\s*\{")))
        {
            checks.Add(($"sizeof({structSpec.Name})", $"sizeof(struct {structSpec.Name})", (ulong)structSpec.Size));
            foreach (var field in structSpec.Fields)
            {
                if (field.SourceName is null)
                {
                    AddBitFields(checks, structSpec.Name, field, document);
                    continue;
                }

                AddOffsets(checks, structSpec.Name, field, 0, structs, header);
            }
        }

        foreach (var ioctl in document.Ioctls)
        {
            checks.Add((ioctl.Name, ioctl.Name, ioctl.Number));
        }

        foreach (var constant in document.ConstantTables.SelectMany(t => t.Constants))
        {
            checks.Add((constant.Name, constant.Name, constant.Value));
        }

        Assert.True(checks.Count > 20 && document.Ioctls.Count == ioctlCount, "too few figures: " + checks.Count);
        AssertGccAgrees(headerFiles, checks);

        foreach (var structSpec in document.Structs)
        {
            var type = typeof(GccLayoutTests).Assembly.GetType("Svsm.Bindings.Tests.Generated." + Naming.Pascal(structSpec.Name))!;
            Assert.True(type is not null, structSpec.Name + " was not generated");
            Assert.Equal(structSpec.Size, Marshal.SizeOf(type));
        }

        if (ioctlCount == 0)
        {
            return;
        }

        // The generated request codes are the ones gcc computes.
        var ioctls = typeof(GccLayoutTests).Assembly.GetType("Svsm.Bindings.Tests.Generated." + prefix + "Ioctls")!;
        Assert.Equal(0xC020_5300u, (uint)ioctls.GetField("SnpGetReport")!.GetValue(null)!);
        Assert.Equal(new uint[] { 0xC020_5300, 0xC020_5301, 0xC020_5302, 0xC010_5300 }, ioctls.GetFields().Select(f => (uint)f.GetValue(null)!).ToArray());
    }

    /// <summary>The spec's C code blocks in one header file, with the includes their types need.</summary>
    private static string CodeBlocksAsHeader(string specText)
    {
        var blocks = Regex.Matches(specText, @"^```c\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline).Select(m => m.Groups["code"].Value);
        var path = Path.Combine(Directory.CreateTempSubdirectory("svsm-spec-c-").FullName, "spec.h");
        File.WriteAllText(path, "#include <stdint.h>\n" + string.Concat(blocks));
        return path;
    }

    /// <summary>
    /// A field's offset as offsetof gives it; a field whose type is a struct or union the header leaves anonymous
    /// (the union in snp_guest_request_ioctl) is checked through its members, which C reaches directly.
    /// </summary>
    private static void AddOffsets(List<(string, string, ulong)> checks, string owner, FieldSpec field, int baseOffset, Dictionary<string, StructSpec> structs, string header)
    {
        var anonymous = field.TypeName is { } type && structs.TryGetValue(type.Replace("struct ", string.Empty).Replace("union ", string.Empty), out var inner)
            && !Regex.IsMatch(header, @"(?:struct|union)\s+" + inner.Name + @"\s*\{");
        if (anonymous)
        {
            foreach (var member in structs[field.TypeName!.Replace("struct ", string.Empty).Replace("union ", string.Empty)].Fields)
            {
                AddOffsets(checks, owner, member, baseOffset + field.Offset, structs, header);
            }

            return;
        }

        checks.Add(($"offsetof({owner}, {field.SourceName})", $"offsetof(struct {owner}, {field.SourceName})", (ulong)(baseOffset + field.Offset)));
        checks.Add(($"sizeof({owner}.{field.SourceName})", $"sizeof(((struct {owner} *)0)->{field.SourceName})", (ulong)field.Size));
    }

    /// <summary>
    /// A unit of C bit-fields cannot take offsetof: each member is set to all ones in an otherwise zero struct, and
    /// the unit's bytes at the spec's offset must read as exactly that member's mask.
    /// </summary>
    private static void AddBitFields(List<(string, string, ulong)> checks, string owner, FieldSpec unit, SpecDocument document)
    {
        var bits = document.BitFields.Single(b => b.Binding is { } binding && binding.Owner == owner && binding.Member == unit.Name);
        foreach (var bit in bits.Bits)
        {
            checks.Add(($"{owner}.{bit.Name} (bits {bit.High}:{bit.Low} of the unit at {unit.Offset})", BitMemberExpression("struct " + owner, bit.Name, bit.Width, unit.Offset, unit.Size), Naming.Mask(bit.Low, bit.High)));
        }
    }

    /// <summary>C that sets bit-field <paramref name="member"/> to all ones in a zeroed struct and reads the unit's raw bytes.</summary>
    internal static string BitMemberExpression(string cType, string member, int width, int offset, int size) =>
        $"({{ {cType} s; unsigned long long raw = 0; memset(&s, 0, sizeof s); s.{member} = (1ULL << {width}) - 1; " +
        $"memcpy(&raw, (char *)&s + {offset}, {size}); raw; }})";

    /// <summary>Compiles every check's C expression against <paramref name="headers"/> and fails naming each figure gcc disagrees with.</summary>
    internal static void AssertGccAgrees(IReadOnlyList<string> headers, List<(string What, string CExpression, ulong Expected)> checks, params string[] includeDirectories)
    {
        var actual = Compile(headers, checks.Select(c => c.CExpression).ToList(), includeDirectories);
        var mismatches = checks.Zip(actual).Where(p => p.First.Expected != p.Second)
            .Select(p => $"{p.First.What}: spec {p.First.Expected}, gcc {p.Second}").ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    private static List<ulong> Compile(IReadOnlyList<string> headers, IReadOnlyList<string> expressions, IReadOnlyList<string> includeDirectories)
    {
        var directory = Directory.CreateTempSubdirectory("svsm-gcc-").FullName;
        try
        {
            // GENMASK_ULL is kernel-internal (linux/bits.h): a prelude defines it as the kernel does.
            var source = new StringBuilder("#include <stddef.h>\n#include <stdio.h>\n#include <string.h>\n#include <linux/ioctl.h>\n" + string.Concat(headers.Select(h => "#include \"" + h + "\"\n")) +
                "#define GENMASK_ULL(h, l) (((~0ULL) << (l)) & (~0ULL >> (63 - (h))))\nint main(void) {\n");
            foreach (var expression in expressions)
            {
                source.Append("    printf(\"%llu\\n\", (unsigned long long)(").Append(expression).Append("));\n");
            }

            source.Append("    return 0;\n}\n");
            var c = Path.Combine(directory, "layout.c");
            var exe = Path.Combine(directory, "layout");
            File.WriteAllText(c, source.ToString());
            var (compiled, compileOutput) = Run("gcc", ["-std=gnu11", "-Wall", "-Werror", .. includeDirectories.Select(d => "-I" + d), "-o", exe, c]);
            Assert.True(compiled == 0, "gcc failed (scripts/test.sh installs gcc and linux-libc-dev):\n" + compileOutput);
            var (ran, output) = Run(exe);
            Assert.Equal(0, ran);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(ulong.Parse).ToList();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }
}
