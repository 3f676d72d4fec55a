using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>Runs the built svsm-bindgen the way a user does and checks its output and exit codes.</summary>
public sealed class CliTests
{
    private static (int Exit, string Out, string Error) Run(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "svsm-bindgen.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "svsm-bindgen did not finish");
        return (process.ExitCode, output.Result, error.Result);
    }

    private static string TempSpec(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), "svsm-cli-" + Guid.NewGuid().ToString("N") + ".md");
        File.WriteAllText(path, text);
        return path;
    }

    private static string OcpPath => Path.Combine(TestSupport.RepositoryRoot, "specs", "ocp.md");

    [Fact]
    public void ModelGivesVersionedFieldsTheirFirstVersion()
    {
        var (exit, output, _) = Run("model", Path.Combine(TestSupport.RepositoryRoot, "specs", "snp-report.md"));
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var report = json.RootElement.GetProperty("structs").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "ATTESTATION_REPORT");
        Assert.Equal("version", report.GetProperty("versionField").GetString());
        Assert.Equal(5, report.GetProperty("newestVersion").GetInt32());
        var fields = report.GetProperty("fields").EnumerateArray().ToList();
        Assert.Equal(3, fields.Single(f => f.GetProperty("name").GetString() == "cpuidFamId").GetProperty("firstVersion").GetInt32());
        Assert.Equal(5, fields.Single(f => f.GetProperty("name").GetString() == "currentMitVector").GetProperty("firstVersion").GetInt32());
        Assert.False(fields.Single(f => f.GetProperty("name").GetString() == "chipId").TryGetProperty("firstVersion", out _));
    }

    [Fact]
    public void ModelPrintsTheDocumentedJson()
    {
        var (exit, output, _) = Run("model", OcpPath);
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(5, root.GetProperty("protocol").GetProperty("id").GetInt32());
        Assert.Equal(1, root.GetProperty("protocol").GetProperty("version").GetInt32());
        Assert.Equal("SVSM Observability and Configuration Protocol", root.GetProperty("protocol").GetProperty("name").GetString());

        var calls = root.GetProperty("calls").EnumerateArray().ToList();
        Assert.Equal(new[] { "SVSM_OCP_LIST", "SVSM_OCP_READ", "SVSM_OCP_WRITE" }, calls.Select(c => c.GetProperty("name").GetString()));
        var list = calls[0];
        Assert.Equal(42, list.GetProperty("line").GetInt32());
        Assert.Equal(1, list.GetProperty("sinceVersion").GetInt32());
        var rdx = list.GetProperty("registers").EnumerateArray().Single(r => r.GetProperty("register").GetString() == "RDX");
        Assert.Equal("in", rdx.GetProperty("direction").GetString());
        Assert.Equal(8, rdx.GetProperty("alignment").GetInt32());
        Assert.Equal("bufferGpa", rdx.GetProperty("name").GetString());
        var rax = list.GetProperty("registers")[0];
        Assert.Equal(JsonValueKind.Null, rax.GetProperty("alignment").ValueKind);
        Assert.Equal("out", rax.GetProperty("direction").GetString());
        var writeR8 = calls[2].GetProperty("registers").EnumerateArray().First(r => r.GetProperty("register").GetString() == "R8");
        Assert.Equal(124, writeR8.GetProperty("line").GetInt32());

        var entry = root.GetProperty("structs")[0];
        Assert.Equal(128, entry.GetProperty("size").GetInt32());
        Assert.Equal(new[] { (0, 4), (4, 124) }, entry.GetProperty("fields").EnumerateArray().Select(f => (f.GetProperty("offset").GetInt32(), f.GetProperty("size").GetInt32())));
        Assert.False(entry.GetProperty("fields")[0].GetProperty("reserved").GetBoolean());

        var flags = root.GetProperty("bitfields")[0];
        Assert.Equal("Source entry.flags", flags.GetProperty("boundTo").GetString());
        Assert.Equal(32, flags.GetProperty("width").GetInt32());
        var reserved = flags.GetProperty("bits")[1];
        Assert.Equal((1, 31, true), (reserved.GetProperty("low").GetInt32(), reserved.GetProperty("high").GetInt32(), reserved.GetProperty("reserved").GetBoolean()));
        Assert.Equal(0, root.GetProperty("diagnostics").GetArrayLength());
    }

    [Fact]
    public void ModelOfABrokenSpecStillPrintsJsonAndExitsOne()
    {
        var path = TempSpec("protocol ID 1, protocol version 1\n\n| Call ID | First version supported | Name | Function |\n|--|--|--|--|\n| 0 | 1 | SVSM_X_A | a |\n| 0 | 1 | SVSM_X_B | b |\n");
        var (exit, output, _) = Run("model", path);
        Assert.Equal(1, exit);
        using var json = JsonDocument.Parse(output);
        var diagnostic = json.RootElement.GetProperty("diagnostics").EnumerateArray().First(d => d.GetProperty("id").GetString() == "SVSM0003");
        Assert.Equal("error", diagnostic.GetProperty("severity").GetString());
        Assert.Equal(6, diagnostic.GetProperty("line").GetInt32());
        Assert.Equal(3, diagnostic.GetProperty("column").GetInt32());
        Assert.Null(json.RootElement.GetProperty("protocol").GetProperty("name").GetString());
    }

    [Fact]
    public void CheckPrintsMsBuildFormatAndExitsOneOnErrors()
    {
        var path = TempSpec("protocol ID 1, protocol version 1\n\n| Call ID | First version supported | Name | Function |\n|--|--|--|--|\n| 0 | 1 | SVSM_X_A | a |\n| 0 | 1 | SVSM_X_B | b |\n");
        var (exit, output, _) = Run("check", OcpPath, path);
        Assert.Equal(1, exit);
        Assert.Contains($"{path}(6,3): error SVSM0003: Call id 0 of 'SVSM_X_B' is already used by 'SVSM_X_A'", output);
        Assert.DoesNotContain("ocp.md", output);
    }

    [Fact]
    public void CheckOfCleanSpecsExitsZero()
    {
        var (exit, output, _) = Run("check", OcpPath);
        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, output.Trim());
    }

    [Fact]
    public void MissingFileGetsOneLineAndExitTwo()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-spec-" + Guid.NewGuid().ToString("N") + ".md");
        var (exit, _, error) = Run("check", missing);
        Assert.Equal(2, exit);
        Assert.Equal($"svsm-bindgen: cannot read '{missing}': no such file", error.Trim());

        var (modelExit, _, modelError) = Run("model", missing);
        Assert.Equal(2, modelExit);
        Assert.Single(modelError.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("client", true, false, false)]
    [InlineData("server", false, true, false)]
    [InlineData("server --registration", false, true, true)]
    public void GenerateWritesTheHalfEmitAsks(string arguments, bool client, bool server, bool registration)
    {
        var output = Path.Combine(Path.GetTempPath(), "svsm-gen-" + Guid.NewGuid().ToString("N"));
        var (exit, _, _) = Run(new[] { "generate", OcpPath, "--out", output, "--emit" }.Concat(arguments.Split(' ')).ToArray());
        Assert.Equal(0, exit);
        var text = File.ReadAllText(Assert.Single(Directory.GetFiles(output)));
        Assert.Equal((client, server, registration), (text.Contains("class OcpClient", StringComparison.Ordinal), text.Contains("class OcpDispatcher", StringComparison.Ordinal), text.Contains("Registration(", StringComparison.Ordinal)));
        Assert.Equal(2, Run("generate", OcpPath, "--out", output, "--emit", "guest-only").Exit);
    }

    [Fact]
    public void GenerateWritesTheSameFilesAsTheEmitterAndOnlyWhatIsValidOfABrokenSpec()
    {
        var output = Path.Combine(Path.GetTempPath(), "svsm-gen-" + Guid.NewGuid().ToString("N"));
        var (exit, stdout, _) = Run("generate", OcpPath, "--out", output, "--namespace", "My.Bindings");
        Assert.Equal(0, exit);
        var written = Directory.GetFiles(output).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.Equal("specs.ocp.g.cs", Assert.Single(written));
        var expected = Svsm.Bindings.Spec.Emitting.BindingsEmitter.Emit(
            SpecParser.Parse(File.ReadAllText(OcpPath)),
            new Svsm.Bindings.Spec.Emitting.EmitOptions("My.Bindings", "ocp", "x"));
        Assert.Equal(expected.Select(f => f.Text).OrderBy(t => t, StringComparer.Ordinal),
            Directory.GetFiles(output).Select(File.ReadAllText).OrderBy(t => t, StringComparer.Ordinal));
        Assert.Contains("wrote ", stdout);

        var broken = TempSpec("protocol ID 1, protocol version 1\n\n| Call ID | First version supported | Name | Function |\n|--|--|--|--|\n| 0 | 1 | SVSM_X_A | a |\n| 0 | 1 | SVSM_X_B | b |\n");
        var brokenOut = Path.Combine(Path.GetTempPath(), "svsm-gen-" + Guid.NewGuid().ToString("N"));
        var (brokenExit, brokenStdout, _) = Run("generate", broken, "--out", brokenOut);
        Assert.Equal(1, brokenExit);
        Assert.Contains("error SVSM0003", brokenStdout);
        Assert.Contains("Not generated: call 'SVSM_X_B'.", brokenStdout);
        var protocol = File.ReadAllText(Directory.GetFiles(brokenOut, "*.g.cs").Single());
        Assert.Contains("SVSM_X_A", protocol);
        Assert.DoesNotContain("SVSM_X_B", protocol);
    }

    [Fact]
    public void HelpExplainsEveryCommand()
    {
        var (exit, output, _) = Run("--help");
        Assert.Equal(0, exit);
        Assert.Contains("model", output);
        Assert.Contains("check", output);
        Assert.Contains("generate", output);
        var (_, modelHelp, _) = Run("model", "--help");
        Assert.Contains("JSON", modelHelp);
        var (_, checkHelp, _) = Run("check", "--help");
        Assert.Contains("path(line,col)", checkHelp);
    }
}
