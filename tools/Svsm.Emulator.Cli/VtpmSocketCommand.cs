using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using Svsm.Emulator;
using Svsm.Emulator.Tpm;
using Svsm.Runtime;
using Svsm.Runtime.SharedMemory;
using Svsm.Runtime.Tpm;

namespace Svsm.Emulator.Cli;

/// <summary>
/// <c>svsm-emu vtpm-socket [--port N] [--memory PATH [--vcpu I]]</c>: the guest's vTPM for standard TPM tools. An
/// mssim endpoint on 127.0.0.1:N and N+1 whose every command goes through the guest side of the SVSM vTPM protocol
/// (SVSM_VTPM_CMD): to an emulator in this process with a swtpm of its own, or with --memory to a running
/// <c>svsm-emu serve --memory PATH</c> through its calling area. Exits 0 when stopped (SIGTERM, Ctrl+C), 2 when it
/// cannot start.
/// </summary>
internal static class VtpmSocketCommand
{
    private const int ExitOk = 0;
    private const int ExitCannotStart = 2;

    // The vTPM buffer of a guest in another process: the top page of guest RAM, clear of the pages that the samples
    // and tests allocate from the bottom.
    private const ulong BufferPages = 1;

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "The mssim command port; the platform port is the next (default 2321, as tpm2-tss's mssim TCTI expects; 0 picks free ports).", DefaultValueFactory = _ => 2321 };
        var memory = new Option<string?>("--memory") { Description = "Go through a running `svsm-emu serve --memory PATH` instead of an emulator in this process." };
        var vcpu = new Option<int>("--vcpu") { Description = "With --memory: the vCPU whose calling area is used (default 0).", DefaultValueFactory = _ => 0 };
        var command = new Command(
            "vtpm-socket",
            "Serve the guest's vTPM to standard TPM tools (tpm2-tools with TPM2TOOLS_TCTI=mssim:host=127.0.0.1,port=N) through SVSM_VTPM_CMD. " +
            "The vTPM is started, as the SVSM starts it at boot: tpm2_startup -c gets TPM_RC_INITIALIZE. Prints 'mssim on 127.0.0.1:N' once ready.")
        {
            port,
            memory,
            vcpu,
        };
        command.SetAction(parse => Run(parse.GetValue(port), parse.GetValue(memory), parse.GetValue(vcpu)));
        return command;
    }

    private static int Run(int port, string? memoryPath, int vcpu)
    {
        SwtpmProcess? swtpm = null;
        MappedGuestMemory? shared = null;
        ITpm tpm;
        string through;
        try
        {
            if (memoryPath is null)
            {
                swtpm = SwtpmProcess.Start(startupClear: true);
                var machine = EmulatedMachine.Create();
                machine.Emulator.AddVtpm(swtpm);
                tpm = new SvsmVtpm(machine.Transport(), machine.Memory, machine.Allocator);
                through = "an emulated SVSM in this process, its vTPM a swtpm";
            }
            else
            {
                shared = MappedGuestMemory.Open(memoryPath);
                if ((uint)vcpu >= (uint)shared.VcpuCount)
                {
                    throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, "{0} has {1} vCPUs; there is no vCPU {2}", memoryPath, shared.VcpuCount, vcpu));
                }

                var top = shared.RamSize - (BufferPages * 4096);
                var vtpm = new SvsmVtpm(new SharedMemoryTransport(shared, vcpu, TimeSpan.FromSeconds(30)), shared, new GuestAllocator(shared, top, BufferPages * 4096));
                if (!vtpm.Probe())
                {
                    throw new InvalidOperationException("the SVSM at " + memoryPath + " serves no vTPM (was it started with --no-vtpm?)");
                }

                tpm = vtpm;
                through = "svsm-emu serve through " + memoryPath + ", vCPU " + vcpu.ToString(CultureInfo.InvariantCulture);
            }
        }
        catch (Exception exception) when (exception is TpmException or IOException or ArgumentException or InvalidOperationException or InvalidDataException or SvsmCallException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("svsm-emu: " + exception.Message);
            swtpm?.Dispose();
            shared?.Dispose();
            return ExitCannotStart;
        }

        using var vtpmProcess = swtpm;
        using var memory = shared;
        TpmMssimEndpoint endpoint;
        try
        {
            endpoint = new TpmMssimEndpoint(tpm, port);
        }
        catch (SocketException exception)
        {
            Console.Error.WriteLine(string.Format(CultureInfo.InvariantCulture, "svsm-emu: cannot listen on 127.0.0.1:{0} and {1}: {2}", port, port + 1, exception.Message));
            return ExitCannotStart;
        }

        using (endpoint)
        {
            using var stop = new StopSignal();
            Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "mssim on 127.0.0.1:{0} (platform port {1}), through {2}: TPM2TOOLS_TCTI={3}", endpoint.Port, endpoint.Port + 1, through, endpoint.Tcti));
            Console.Out.Flush();
            stop.Wait();
        }

        return ExitOk;
    }
}
