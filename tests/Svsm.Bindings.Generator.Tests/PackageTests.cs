using System.Diagnostics;
using System.IO.Compression;
using Svsm.Testing;
using Xunit;

namespace Svsm.Bindings.Generator.Tests;

/// <summary>
/// The packages as a user gets them: packed into a folder feed, taken by PackageReference in a console project
/// outside the repository (with its own package cache, so nothing stale is used), built with warnings as errors
/// and run; then a broken spec's diagnostic must show in the build log at its line. The CLI is installed as a tool.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string work = Path.Combine(Path.GetTempPath(), "svsm-pack-" + Guid.NewGuid().ToString("N")[..8]);

    private static string Configuration => AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";

    public void Dispose()
    {
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void ConsumerBuildsAndRunsFromTheLocalFeedAndSeesSpecErrorsOnTheirLines()
    {
        var feed = Path.Combine(work, "feed");
        var root = Repository.Root;
        foreach (var project in new[] { "runtime/Svsm.Runtime", "runtime/Svsm.Emulator", "generator/Svsm.Bindings.Generator", "generator/Svsm.Bindings.Cli" })
        {
            Dotnet(root, $"pack {project} -c {Configuration} --no-build -o {feed} -nologo").AssertSuccess();
        }

        using (var package = ZipFile.OpenRead(Path.Combine(feed, "Svsm.Bindings.0.1.0.nupkg")))
        {
            var entries = package.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("analyzers/dotnet/cs/Svsm.Bindings.Generator.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/Svsm.Bindings.Spec.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/Markdig.dll", entries);
            Assert.Contains("buildTransitive/Svsm.Bindings.props", entries);
            using var nuspec = new StreamReader(package.GetEntry("Svsm.Bindings.nuspec")!.Open());
            var manifest = nuspec.ReadToEnd();
            Assert.Contains("<dependency id=\"Svsm.Runtime\" version=\"0.1.0\" />", manifest);

            // The SDK the package says it needs is the one the README says: Roslyn 4.14 loads from 9.0.300 on.
            var sdk = System.Text.RegularExpressions.Regex.Match(manifest, @"\.NET (?<version>[0-9.]+) SDK").Groups["version"].Value;
            Assert.Equal("9.0.300", sdk);
            Assert.Contains("loads in the .NET " + sdk + " SDK", File.ReadAllText(Path.Combine(root, "README.md")));
        }

        AssertTrustworthy(feed, root);

        var app = Path.Combine(work, "app");
        Directory.CreateDirectory(Path.Combine(app, "specs"));
        File.Copy(Path.Combine(root, "specs", "ocp.md"), Path.Combine(app, "specs", "ocp.md"));
        File.WriteAllText(Path.Combine(app, "specs", "README.md"), "# Specs\n\nOne spec per protocol.\n");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <SvsmBindingsNamespace>App.Bindings</SvsmBindingsNamespace>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Svsm.Bindings" Version="0.1.0" />
                <AdditionalFiles Include="specs/*.md" />
                <AdditionalFiles Update="specs/README.md" SvsmSpec="false" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using App.Bindings;
            using Svsm.Runtime;

            var client = new OcpClient(new Answering());
            var listed = client.List(firstIndex: 0, bufferGpa: 0x1000, maxEntries: 4);
            var entry = new SourceEntry { Flags = SourceEntryFlags.Writeable, NameText = "log-level" };
            System.Console.WriteLine($"protocol {OcpProtocol.Id} v{OcpProtocol.Version}: {listed.Result}, {listed.EntriesReturned} entries; {entry.NameText} {entry.Flags} {System.Runtime.CompilerServices.Unsafe.SizeOf<SourceEntry>()}");

            internal sealed class Answering : ISvsmTransport
            {
                public void Call(ref SvsmRegisters registers)
                {
                    registers.Rcx = registers.Rax == SvsmRegisters.CallCode(5, 0) ? 3UL : 0UL;
                    registers.Rax = SvsmResult.SuccessCode;
                }
            }
            """);

        var packages = Path.Combine(work, "packages");
        Dotnet(app, "build -nologo", packages).AssertSuccess();
        var run = Dotnet(app, "run --no-build", packages);
        run.AssertSuccess();

        // A guest app gets the runtime and no emulator.
        var assets = File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"));
        Assert.Contains("\"Svsm.Runtime/0.1.0\"", assets);
        Assert.DoesNotContain("Svsm.Emulator", assets);
        Assert.Equal("protocol 5 v1: SVSM_SUCCESS (0x00000000), 3 entries; log-level Writeable 128", run.Output.Trim());

        File.WriteAllText(Path.Combine(app, "specs", "broken.md"), GeneratorDiagnosticTests.BrokenSpec);
        var broken = Dotnet(app, "build -nologo", packages);
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("specs/broken.md(10,3): error SVSM0003: Call id 0 of 'SVSM_B_TWO' is already used by 'SVSM_B_ONE'; give each call its own id. Not generated: call 'SVSM_B_TWO'.", broken.Output);
        // What is valid is generated: the build fails on the spec's own error, not on C# errors it would bury.
        Assert.DoesNotContain("error CS", broken.Output);

        var tools = Path.Combine(work, "tools");
        Dotnet(app, $"tool install svsm-bindgen --tool-path {tools} --version 0.1.0 --add-source {feed}", packages).AssertSuccess();
        var check = Run(Path.Combine(tools, "svsm-bindgen"), app, "check specs/broken.md", packages);
        Assert.Equal(1, check.ExitCode);
        Assert.Contains("specs/broken.md(10,3): error SVSM0003", check.Output);

        // A released version, shipped: the baseline beside the spec, listed as an AdditionalFile, makes a breaking
        // edit fail the consumer's build at the spec's line.
        File.Delete(Path.Combine(app, "specs", "broken.md"));
        var ship = Run(Path.Combine(tools, "svsm-bindgen"), app, "ship specs/ocp.md", packages);
        ship.AssertSuccess();
        Assert.Contains("shipped version 1 of SVSM Observability and Configuration Protocol to specs/ocp.shipped.json", ship.Output);
        var appProject = Path.Combine(app, "App.csproj");
        File.WriteAllText(appProject, File.ReadAllText(appProject).Replace("<AdditionalFiles Include=\"specs/*.md\" />", "<AdditionalFiles Include=\"specs/*.md\" />\n    <AdditionalFiles Include=\"specs/*.shipped.json\" />", StringComparison.Ordinal));
        Dotnet(app, "build -nologo", packages).AssertSuccess();
        var spec = Path.Combine(app, "specs", "ocp.md");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("| 1 | 1 | `SVSM_OCP_READ`", "| 3 | 1 | `SVSM_OCP_READ`", StringComparison.Ordinal));
        var breaking = Dotnet(app, "build -nologo", packages);
        Assert.NotEqual(0, breaking.ExitCode);
        Assert.Contains("specs/ocp.md(43,1): error SVSM0057: 'SVSM_OCP_READ' was call 1 and is now call 3: callers of the released version still send 1 (was ocp.md(43,1) in version 1 as shipped)", breaking.Output);
    }

    /// <summary>
    /// Each package carries its README and the repository it comes from with its commit (from the one RepositoryUrl);
    /// each library's symbols package has a PDB whose SourceLink maps the sources to that commit of that repository.
    /// </summary>
    private static void AssertTrustworthy(string feed, string root)
    {
        const string Repository = "https://github.com/svsm-bindings/svsm-bindings";
        var props = File.ReadAllText(Path.Combine(root, "Directory.Build.props"));
        Assert.Contains("<RepositoryUrl>" + Repository + "</RepositoryUrl>", props);
        foreach (var id in new[] { "Svsm.Bindings", "Svsm.Runtime", "Svsm.Emulator", "svsm-bindgen" })
        {
            using var package = ZipFile.OpenRead(Path.Combine(feed, id + ".0.1.0.nupkg"));
            Assert.NotNull(package.GetEntry("README.md"));
            using var nuspec = new StreamReader(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var manifest = nuspec.ReadToEnd();
            Assert.Contains("<readme>README.md</readme>", manifest);
            Assert.Matches("<repository type=\"git\" url=\"" + System.Text.RegularExpressions.Regex.Escape(Repository) + "\"[^>]* commit=\"[0-9a-f]{40}\"", manifest);
        }

        foreach (var (id, pdb) in new[] { ("Svsm.Runtime", "lib/net8.0/Svsm.Runtime.pdb"), ("Svsm.Emulator", "lib/net8.0/Svsm.Emulator.pdb") })
        {
            using var symbols = ZipFile.OpenRead(Path.Combine(feed, id + ".0.1.0.snupkg"));
            using var stream = new MemoryStream();
            using (var entry = symbols.GetEntry(pdb)!.Open())
            {
                entry.CopyTo(stream);
            }

            stream.Position = 0;
            using var provider = System.Reflection.Metadata.MetadataReaderProvider.FromPortablePdbStream(stream);
            var reader = provider.GetMetadataReader();
            var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
            var sourceLink = reader.CustomDebugInformation.Select(reader.GetCustomDebugInformation).Single(c => reader.GetGuid(c.Kind) == sourceLinkKind);
            var json = System.Text.Encoding.UTF8.GetString(reader.GetBlobBytes(sourceLink.Value));
            Assert.Matches(@"""https://raw\.githubusercontent\.com/svsm-bindings/svsm-bindings/[0-9a-f]{40}/\*""", json);
        }
    }

    private static Result Dotnet(string directory, string arguments, string? packages = null) => Run("dotnet", directory, arguments, packages);

    private static Result Run(string program, string directory, string arguments, string? packages)
    {
        var info = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (packages is not null)
        {
            info.Environment["NUGET_PACKAGES"] = packages;
        }

        // The consumer is a new user's project: none of this repository's build settings may leak into it.
        info.Environment.Remove("MSBuildExtensionsPath");
        info.Environment.Remove("MSBUILD_EXE_PATH");
        info.Environment.Remove("MSBuildSDKsPath");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(300_000), $"{program} {arguments} did not finish in 5 minutes");
        return new Result($"{program} {arguments}", process.ExitCode, output.Result + error.Result);
    }

    private sealed record Result(string Command, int ExitCode, string Output)
    {
        public void AssertSuccess() => Assert.True(ExitCode == 0, $"{Command} exited {ExitCode}:\n{Output}");
    }
}
