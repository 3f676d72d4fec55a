using System.Diagnostics;
using Svsm.Runtime.SharedMemory;
using Svsm.Runtime.Uefi;
using Xunit;

namespace Svsm.Runtime.Tests;

/// <summary>
/// UEFI MM out of process: <c>svsm-emu serve</c> keeps its non-volatile variables in <c>PATH.vars</c> across
/// restarts, kills included, and will not serve from a store file that does not read whole.
/// </summary>
public sealed class UefiVariablesServeTests : IDisposable
{
    private const UefiVariableAttributeBits NvBsRt = UefiVariableAttributeBits.NonVolatile | UefiVariableAttributeBits.BootserviceAccess | UefiVariableAttributeBits.RuntimeAccess;
    private static readonly Guid Vendor = new("c1f4e0b2-7a3d-4f55-8e2b-91d0a6c3b7e4");

    private readonly string directory = Directory.CreateTempSubdirectory("uefi-serve-").FullName;

    private string MemoryPath => Path.Combine(directory, "guest.mem");

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private async Task<Process> Serve()
    {
        var (server, lines) = await RepositoryPrograms.StartServe(
            RepositoryPrograms.Require("tools/Svsm.Emulator.Cli", "svsm-emu.dll"), "serving 1 vCPUs on " + MemoryPath, TestContext.Current.CancellationToken, "serve", "--memory", MemoryPath, "--no-vtpm");
        Assert.Contains("protocol 4: SVSM UEFI MM PROTOCOL, versions 1-1", lines);
        return server;
    }


    private static (int Exit, string Output, string Error) Run(string dll, params string[] args)
    {
        var command = RepositoryPrograms.Command(dll, args);
        return ToolProcess.Run(command.FileName, command.ArgumentList);
    }

    [Fact]
    public async Task TheSampleCountsItsBootsAcrossAServerRestart()
    {
        var sample = RepositoryPrograms.Require("samples/UefiVariables", "UefiVariables.dll");
        var server = await Serve();
        try
        {
            var (exit, output, error) = Run(sample, "--memory", MemoryPath);
            Assert.True(exit == 0, output + error);
            Assert.Contains("svsm-emu through " + MemoryPath, output);
            Assert.Contains("boots: 1 (no counter yet: a new store)", output);
            Assert.Contains("read back SvsmSampleGreeting: 'hello from run 1'", output);
        }
        finally
        {
            await RepositoryPrograms.Kill(server);
        }

        server = await Serve();
        try
        {
            var (exit, output, error) = Run(sample, "--memory", MemoryPath);
            Assert.True(exit == 0, output + error);
            Assert.Contains("boots: 2 (read back 1, kept across the restart)", output);
            Assert.Contains("BootOrder", output);

            // The volatile greeting of the first run did not survive; this run's is the only one.
            Assert.Single(output.Split('\n'), l => l.StartsWith("SvsmSampleGreeting ", StringComparison.Ordinal));
        }
        finally
        {
            await RepositoryPrograms.Kill(server);
        }
    }

    [Fact]
    public async Task KillingTheServerDuringWritesLosesNoAcknowledgedVariable()
    {
        var acknowledged = new List<(string Name, byte[] Data)>();
        for (var round = 0; round < 4; round++)
        {
            var server = await Serve();
            using (var memory = MappedGuestMemory.Open(MemoryPath))
            {
                var client = Connect(memory);

                // Everything acknowledged before this server started is there.
                foreach (var (name, data) in acknowledged)
                {
                    Assert.Equal(data, client.Get(name, Vendor)?.Data);
                }

                var killer = Task.Delay(Random.Shared.Next(100, 600), TestContext.Current.CancellationToken).ContinueWith(_ => server.Kill(), TestContext.Current.CancellationToken);
                for (var i = 0; ; i++)
                {
                    var name = $"R{round}V{i}";
                    var data = BitConverter.GetBytes((round * 100_000) + i);
                    try
                    {
                        client.Set(name, Vendor, NvBsRt, data);
                    }
                    catch (SvsmCallTimeoutException)
                    {
                        break;   // the server died with this write unanswered: it may or may not be there
                    }

                    acknowledged.Add((name, data));
                    Assert.True(i < 1_000_000, "the server was never killed");
                }

                await killer;
            }

            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
            server.Dispose();
        }

        Assert.True(acknowledged.Count > 4, "too few writes were acknowledged to tell: " + acknowledged.Count);
        var last = await Serve();
        try
        {
            using var memory = MappedGuestMemory.Open(MemoryPath);
            var client = Connect(memory);
            foreach (var (name, data) in acknowledged)
            {
                Assert.Equal(data, client.Get(name, Vendor)?.Data);
            }
        }
        finally
        {
            await RepositoryPrograms.Kill(last);
        }
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    public async Task AStoreFileThatDoesNotReadWholeStopsTheServerNamingIt(string damage)
    {
        var server = await Serve();
        try
        {
            using var memory = MappedGuestMemory.Open(MemoryPath);
            Connect(memory).Set("Something", Vendor, NvBsRt, new byte[64]);
        }
        finally
        {
            await RepositoryPrograms.Kill(server);
        }

        var store = MemoryPath + ".vars";
        var bytes = await File.ReadAllBytesAsync(store, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(store, damage == "garbage" ? "not a store"u8.ToArray() : bytes[..^10], TestContext.Current.CancellationToken);
        var (exit, output, error) = Run(RepositoryPrograms.Require("tools/Svsm.Emulator.Cli", "svsm-emu.dll"), "serve", "--memory", MemoryPath, "--no-vtpm");
        Assert.Equal(2, exit);
        Assert.DoesNotContain("serving", output);
        Assert.StartsWith("svsm-emu: the UEFI variable store " + store + " cannot be read", error);
    }

    private static UefiVariableStore Connect(MappedGuestMemory memory)
    {
        var transport = new SharedMemoryTransport(memory, 0, TimeSpan.FromSeconds(3));
        return new UefiVariableStore(transport, memory, memory.FreeRamAllocator());
    }
}
