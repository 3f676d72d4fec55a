using Svsm.Bindings.Spec;
using Xunit;

namespace Svsm.Bindings.Tests;

/// <summary>
/// specs/uefi-variables.md against gcc on edk2's own header: CHeaders/edk2/SmmVariableCommon.h is
/// MdeModulePkg/Include/Guid/SmmVariableCommon.h verbatim (edk2 at c5aa7e7d), built with the few edk2 types it needs
/// (edk2-types.h) and edk2's status and attribute definitions (efi-status.h, transcribed). Every struct's size, every
/// member's offset and size, and every constant of the spec.
/// </summary>
public sealed class Edk2VariableStructTests
{
    [Fact]
    public void UefiVariablesSpecMatchesEdk2sHeader()
    {
        var document = SpecParser.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "specs", "uefi-variables.md")));
        Assert.False(document.HasErrors);
        var checks = new List<(string What, string CExpression, ulong Expected)>();
        foreach (var structSpec in document.Structs)
        {
            checks.Add(($"sizeof({structSpec.Name})", $"sizeof({structSpec.Name})", (ulong)structSpec.Size));
            foreach (var field in structSpec.Fields)
            {
                checks.Add(($"offsetof({structSpec.Name}, {field.SourceName})", $"offsetof({structSpec.Name}, {field.SourceName})", (ulong)field.Offset));
                checks.Add(($"sizeof({structSpec.Name}.{field.SourceName})", $"sizeof((({structSpec.Name} *)0)->{field.SourceName})", (ulong)field.Size));
            }
        }

        var constants = document.ConstantTables.SelectMany(t => t.Constants).ToList();
        foreach (var constant in constants)
        {
            checks.Add((constant.Name, constant.Name, constant.Value));
        }

        // The five structs of the issue, 14 function codes, 7 attributes, 11 statuses.
        Assert.Equal(5, document.Structs.Count);
        Assert.Equal(14 + 7 + 11, constants.Count);
        Assert.Equal(5 + (2 * (3 + 5 + 3 + 4 + 1)) + constants.Count, checks.Count);
        var edk2 = Path.Combine(AppContext.BaseDirectory, "CHeaders", "edk2");
        GccLayoutTests.AssertGccAgrees(new[] { "edk2-types.h", "SmmVariableCommon.h", "efi-status.h" }.Select(h => Path.Combine(edk2, h)).ToList(), checks, edk2);
    }
}
