using System.Text.RegularExpressions;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Testing;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

public sealed class DiagnosticCatalogTests
{
    [Fact]
    public void IdsAreUniqueStableAndInOrder()
    {
        var ids = SpecDiagnostics.All.Select(d => d.Id).ToList();
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.All(ids, id => Assert.Matches("^SVSM[0-9]{4}$", id));
        Assert.Equal(ids.OrderBy(i => i, StringComparer.Ordinal), ids);
    }

    [Fact]
    public void EveryDescriptorIsListedInTheCatalog()
    {
        var fields = typeof(SpecDiagnostics).GetFields().Where(f => f.FieldType == typeof(SpecDiagnosticDescriptor)).Select(f => (SpecDiagnosticDescriptor)f.GetValue(null)!);
        Assert.Equal(fields.Select(f => f.Id).OrderBy(i => i), SpecDiagnostics.All.Select(d => d.Id).OrderBy(i => i));
    }

    [Fact]
    public void EveryIdIsDocumentedWithItsSeverity()
    {
        var format = TestSupport.ReadRepositoryFile("docs", "spec-format.md");
        foreach (var descriptor in SpecDiagnostics.All)
        {
            var row = Regex.Match(format, @"^\|\s*<a id=""(?<anchor>svsm[0-9]{4})""></a>" + descriptor.Id + @"\s*\|\s*(?<severity>\w+)\s*\|", RegexOptions.Multiline);
            Assert.True(row.Success, descriptor.Id + " has no row, with its anchor, in the catalog of docs/spec-format.md");
            Assert.Equal(descriptor.Severity.ToString(), row.Groups["severity"].Value, ignoreCase: true);

            // The help link the build prints lands on that row.
            Assert.Equal(descriptor.Id.ToLowerInvariant(), row.Groups["anchor"].Value);
            Assert.EndsWith("/docs/spec-format.md#" + row.Groups["anchor"].Value, descriptor.HelpLink, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void HelpLinksUseTheOneRepositoryAddressOfDirectoryBuildProps()
    {
        var props = TestSupport.ReadRepositoryFile("Directory.Build.props");
        var url = Regex.Match(props, "<RepositoryUrl>(?<url>[^<]+)</RepositoryUrl>").Groups["url"].Value;
        Assert.StartsWith("https://", url, StringComparison.Ordinal);
        Assert.All(SpecDiagnostics.All, d => Assert.Equal(url + "/blob/main/docs/spec-format.md#" + d.Id.ToLowerInvariant(), d.HelpLink));
        var sources = Directory.GetFiles(Path.Combine(Repository.Root, "generator"), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        Assert.DoesNotContain(url, string.Concat(sources.Select(File.ReadAllText)));
    }

    [Fact]
    public void MessageFormatsAcceptTheirArguments()
    {
        foreach (var descriptor in SpecDiagnostics.All)
        {
            var holes = Regex.Matches(descriptor.MessageFormat, @"\{(\d+)(?::[^}]*)?\}").Select(m => int.Parse(m.Groups[1].Value)).DefaultIfEmpty(-1).Max() + 1;
            var message = string.Format(System.Globalization.CultureInfo.InvariantCulture, descriptor.MessageFormat, Enumerable.Repeat<object>("x", holes).ToArray());
            Assert.DoesNotContain("{", message.Replace("{0}", string.Empty));
        }
    }
}
