using System.Diagnostics;
using System.Text.Json;
using Svsm.Testing;
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

    private static string OcpPath => Path.Combine(Repository.Root, "specs", "ocp.md");

    [Fact]
    public void ModelGivesVersionedFieldsTheirFirstVersion()
    {
        var (exit, output, _) = Run("model", Path.Combine(Repository.Root, "specs", "snp-report.md"));
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
        Assert.Contains("diff", output);
        Assert.Contains("ship", output);
        Assert.Contains("(was old.md(29,3))", Run("diff", "--help").Out);
    }

    private static string Renumbered => File.ReadAllText(OcpPath).Replace("| 1 | 1 | `SVSM_OCP_READ`", "| 3 | 1 | `SVSM_OCP_READ`", StringComparison.Ordinal);

    [Fact]
    public void DiffFlagsACallRenumberedInsideVersionOneWithBothLocationsAndExitsOne()
    {
        var renumbered = TempSpec(Renumbered);
        var (exit, output, _) = Run("diff", OcpPath, renumbered);
        Assert.Equal(1, exit);
        Assert.Contains($"{renumbered}(43,1): error SVSM0057: 'SVSM_OCP_READ' was call 1 and is now call 3: callers of the released version still send 1 (was {OcpPath}(43,1))", output);
        Assert.EndsWith("1 breaking, 0 additive\n", output.ReplaceLineEndings("\n"));

        var (jsonExit, json, _) = Run("diff", OcpPath, renumbered, "--json");
        Assert.Equal(1, jsonExit);
        using var parsed = JsonDocument.Parse(json);
        var change = parsed.RootElement.GetProperty("changes").EnumerateArray().Single();
        Assert.Equal(("SVSM0057", "breaking", 43, 43), (change.GetProperty("id").GetString(), change.GetProperty("kind").GetString(), change.GetProperty("at").GetProperty("line").GetInt32(), change.GetProperty("was").GetProperty("line").GetInt32()));
        Assert.Equal(1, parsed.RootElement.GetProperty("breaking").GetInt32());
    }

    [Fact]
    public void DiffOfNoOrAdditiveChangeExitsZeroAndOfOtherProtocolsOrUnreadableFilesTwo()
    {
        Assert.Equal((0, "no change\n"), (Run("diff", OcpPath, OcpPath).Exit, Run("diff", OcpPath, OcpPath).Out.ReplaceLineEndings("\n")));
        var additive = TempSpec(File.ReadAllText(OcpPath)
            .Replace("the OCP is 1. Versioning", "the OCP is 2. Versioning", StringComparison.Ordinal)
            .Replace("| 2 | 1 | `SVSM_OCP_WRITE` | Write data to a configuration source. |", "| 2 | 1 | `SVSM_OCP_WRITE` | Write data to a configuration source. |\n| 3 | 2 | `SVSM_OCP_RESET` | Reset. |", StringComparison.Ordinal));
        var (exit, output, _) = Run("diff", OcpPath, additive);
        Assert.Equal(0, exit);
        Assert.Contains("info SVSM0066: 'SVSM_OCP_RESET' (call 3) is new in version 2", output);

        var core = Path.Combine(Repository.Root, "specs", "core.md");
        (exit, output, _) = Run("diff", OcpPath, core);
        Assert.Equal(2, exit);
        Assert.Contains("error SVSM0067: These specs are not versions of one protocol", output);
        Assert.DoesNotContain("SVSM0056", output);

        Assert.Equal(2, Run("diff", OcpPath, "/nonexistent/ocp.md").Exit);
        Assert.Equal(2, Run("diff", OcpPath, TempSpec("# Notes\n\nNothing here.\n")).Exit);
    }

    [Fact]
    public void DiffOfASpecWithErrorsDiffsWhatIsValidAndListsTheErrors()
    {
        // A second call with id 2 is an error, and not generated; the rest compares: READ renumbered still shows.
        var broken = TempSpec(Renumbered.Replace("| 2 | 1 | `SVSM_OCP_WRITE` | Write data to a configuration source. |", "| 2 | 1 | `SVSM_OCP_WRITE` | Write data to a configuration source. |\n| 2 | 1 | `SVSM_OCP_TWICE` | Again. |", StringComparison.Ordinal));
        var (exit, output, _) = Run("diff", OcpPath, broken);
        Assert.Equal(1, exit);
        Assert.Contains("error SVSM0003", output);
        Assert.Contains("error SVSM0057", output);
    }

    [Fact]
    public void ShipWritesTheBaselineAndRefusesABreakingEditOrAnUnusableBaseline()
    {
        var directory = Directory.CreateTempSubdirectory("svsm-ship-").FullName;
        var spec = Path.Combine(directory, "ocp.md");
        File.Copy(OcpPath, spec);
        var (exit, output, _) = Run("ship", spec);
        Assert.Equal(0, exit);
        var baseline = Path.Combine(directory, "ocp.shipped.json");
        Assert.Contains("shipped version 1 of SVSM Observability and Configuration Protocol to " + baseline + " (versions 1)", output);
        using (var json = JsonDocument.Parse(File.ReadAllText(baseline)))
        {
            Assert.Equal(1, json.RootElement.GetProperty("format").GetInt32());
            Assert.Equal(3, json.RootElement.GetProperty("versions")[0].GetProperty("calls").GetArrayLength());
        }

        File.WriteAllText(spec, Renumbered);
        (exit, output, var error) = Run("ship", spec);
        Assert.Equal(1, exit);
        Assert.Contains("error SVSM0057", output);
        Assert.Contains("breaks version 1", error);

        File.WriteAllText(baseline, "{ \"format\": 9, \"tool\": \"9.0.0\", \"versions\": [] }");
        (exit, output, _) = Run("ship", spec);
        Assert.Equal(2, exit);
        Assert.Contains(baseline + "(1,1): error SVSM0068: The shipped baseline " + baseline + " cannot be used: it is format 9, written by a newer svsm-bindgen (9.0.0)", output);
        Directory.Delete(directory, recursive: true);
    }
}
