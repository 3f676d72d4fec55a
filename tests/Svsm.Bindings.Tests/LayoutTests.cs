using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Svsm.Bindings.Spec;
using Svsm.Bindings.Spec.Emitting;
using Xunit;

namespace Svsm.Bindings.Tests;

/// <summary>Every generated struct has its spec's size and every field its spec's offset, as the runtime lays them out.</summary>
public sealed class LayoutTests
{
    public static TheoryData<string, string> Structs()
    {
        var data = new TheoryData<string, string>();
        foreach (var spec in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "specs"), "*.md").OrderBy(s => s, StringComparer.Ordinal))
        {
            foreach (var structSpec in SpecParser.Parse(File.ReadAllText(spec)).Structs)
            {
                data.Add(Path.GetFileName(spec), structSpec.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Structs))]
    public void SizeAndOffsetsEqualTheSpec(string spec, string structName)
    {
        var document = SpecParser.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "specs", spec)));
        var model = document.Structs.Single(s => s.Name == structName);

        // The emitters' own plan names the type and its fields (a C field "size" becomes Size2 beside the Size constant).
        var plan = BindingPlan.Create(document, "unused", "Unused").Structs.Single(s => s.Spec.Name == structName);

        // core.md is generated into Svsm.Runtime itself; the other specs into this assembly.
        var type = spec == "core.md"
            ? typeof(Svsm.Runtime.SvsmResult).Assembly.GetType("Svsm.Runtime." + plan.TypeName)!
            : typeof(LayoutTests).Assembly.GetType("Svsm.Bindings.Tests.Generated." + plan.TypeName)!;
        Assert.NotNull(type);
        Assert.Equal(model.Size, SizeOf(type));
        Assert.Equal(model.Size, Marshal.SizeOf(type));
        Assert.Equal(model.Fields.Count(f => f.Size > 0), plan.Fields.Count);
        foreach (var fieldPlan in plan.Fields)
        {
            var field = fieldPlan.Spec;
            var info = type.GetField(fieldPlan.Name, BindingFlags.Public | BindingFlags.Instance);
            Assert.True(info is not null, $"{structName}.{field.Name} has no field {fieldPlan.Name}");
            Assert.Equal(field.Offset, info!.GetCustomAttribute<FieldOffsetAttribute>()!.Value);
            Assert.Equal(field.Offset, (int)Marshal.OffsetOf(type, info.Name));
            Assert.Equal(field.Size, SizeOf(info.FieldType));
        }
    }

    private static int SizeOf(Type type) => (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;

    [Fact]
    public void EveryStructOfTheRepositorySpecsIsCovered() =>
        Assert.Contains(Structs(), row => row.Data.Item2 == "Source entry");
}
