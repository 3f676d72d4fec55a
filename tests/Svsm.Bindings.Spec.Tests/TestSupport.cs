using Svsm.Bindings.Spec.Model;
using Svsm.Testing;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>Parses small specs for tests and finds things in the result.</summary>
internal static class TestSupport
{
    /// <summary>Parses without the safety net, so a reader exception fails the test instead of becoming SVSM0999.</summary>
    public static SpecDocument Parse(string markdown) => SpecParser.ParseUnguarded(markdown);

    public static SpecDiagnostic Single(this SpecDocument document, string id)
    {
        var matches = document.Diagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matches.Count == 1, $"expected one {id}, got {matches.Count}: {Describe(document)}");
        return matches[0];
    }

    public static void AssertNo(this SpecDocument document, string id) =>
        Assert.True(document.Diagnostics.All(d => d.Id != id), $"unexpected {id}: {Describe(document)}");

    public static void AssertClean(this SpecDocument document) =>
        Assert.True(document.Diagnostics.All(d => d.Severity == SpecSeverity.Info), "expected no errors or warnings: " + Describe(document));

    public static string Describe(SpecDocument document) =>
        string.Join("; ", document.Diagnostics.Select(d => $"{d.Id}{d.Span} {d.Message}"));

    public static CallSpec Call(this SpecDocument document, string name) => document.Calls.Single(c => c.Name == name);

    public static StructSpec Struct(this SpecDocument document, string name) => document.Structs.Single(s => s.Name == name);

    public static string ReadRepositoryFile(params string[] parts) => File.ReadAllText(Path.Combine(Repository.Root, Path.Combine(parts)));

    /// <summary>A minimal valid call table and section around the given Registers table rows, for register tests.</summary>
    public static string WithRegisters(string registerTable, string heading = "## SVSM_T_RUN Call") => $"""
        ---
        protocol-id: 9
        version: 1
        ---
        # Test protocol

        | Call ID | First version supported | Name | Function |
        |---|---|---|---|
        | 0 | 1 | `SVSM_T_RUN` | Runs. |

        {heading}

        ### Registers

        {registerTable}
        """;
}
