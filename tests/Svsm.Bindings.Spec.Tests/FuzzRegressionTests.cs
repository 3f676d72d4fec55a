using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>Every input the fuzzer ever crashed the reader with (tests/Svsm.Bindings.Spec.Tests/Fuzz/Regressions) parses without throwing.</summary>
public sealed class FuzzRegressionTests
{
    public static IEnumerable<TheoryDataRow<string>> Inputs()
    {
        var data = new List<TheoryDataRow<string>>();
        var folder = Path.Combine(AppContext.BaseDirectory, "Fuzz", "Regressions");
        foreach (var file in Directory.Exists(folder) ? Directory.GetFiles(folder).OrderBy(f => f, StringComparer.Ordinal).ToArray() : Array.Empty<string>())
        {
            data.Add(new TheoryDataRow<string>(Path.GetFileName(file)));
        }

        if (data.Count == 0)
        {
            data.Add(new TheoryDataRow<string>("(none)") { Skip = "the fuzzer has recorded no crash" });
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void DoesNotThrow(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fuzz", "Regressions", name));
        var document = SpecParser.ParseUnguarded(System.Text.Encoding.UTF8.GetString(bytes));
        Assert.DoesNotContain(document.Diagnostics, d => d.Id == "SVSM0999");
    }
}
