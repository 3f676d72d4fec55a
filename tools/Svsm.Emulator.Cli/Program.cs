using System.CommandLine;
using System.Globalization;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Emulator.SharedMemory;
using Svsm.Emulator.Services.Attestation;
using Svsm.Emulator.Services.UefiMm;
using Svsm.Emulator.Tpm;
using Svsm.Runtime.SharedMemory;
using Svsm.Runtime.Tpm;

var root = new RootCommand(
    "svsm-emu: the emulated SVSM in its own process, serving guests through a shared guest-memory file. It serves " +
    "every protocol the in-process emulator serves: core (0), attestation over the emulated SNP firmware (1), the vTPM " +
    "over a swtpm it starts and stops (2), APIC (3), UEFI MM over a UEFI variable store kept in a file (4) and OCP (5), and protocols of your own with --protocols; and, with " +
    "vtpm-socket, the guest's vTPM to standard TPM tools over the mssim protocol.");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(Svsm.Emulator.Cli.VtpmSocketCommand.Create());
return root.Parse(args).Invoke();

/// <summary>
/// <c>svsm-emu serve --memory PATH [--vcpus N] [--memory-size BYTES] [--varstore FILE]</c>: serves calls made
/// through PATH until SIGTERM or Ctrl+C. Exits 0 when stopped, 2 when a file cannot be made, opened or read (the
/// variable store included), 3 when another server owns the memory file.
/// </summary>
internal static class ServeCommand
{
    private const int ExitOk = 0;
    private const int ExitBadFile = 2;
    private const int ExitFileTaken = 3;
    private const int DefaultVcpus = 1;
    private const ulong DefaultMemorySize = 16 * 1024 * 1024;

    public static Command Create()
    {
        var memoryPath = new Option<string>("--memory")
        {
            Description = "The guest memory file: created when missing; when it exists (a server restarting), its guest RAM and sizes are kept.",
            Required = true,
        };
        var vcpus = new Option<int?>("--vcpus") { Description = "vCPUs, each with its calling area at page 1 + index (default " + DefaultVcpus + "; must match an existing file)." };
        var memorySize = new Option<ulong?>("--memory-size") { Description = "Guest RAM in bytes, whole 4 KiB pages (default " + DefaultMemorySize + "; must match an existing file)." };
        var noVtpm = new Option<bool>("--no-vtpm") { Description = "Serve no vTPM (protocol 2), and so start no swtpm; attestation then attests no service." };
        var varstore = new Option<string?>("--varstore")
        {
            Description = "The file UEFI MM's non-volatile variables persist in, across restarts (default: PATH.vars). A file that does not read whole stops the server before it serves.",
        };
        var protocols = new Option<string[]>("--protocols")
        {
            Description = "An assembly of your own protocols: [assembly: SvsmProtocols(typeof(T))] names an ISvsmProtocolSource with a parameterless constructor, whose registrations are served too. May be repeated.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command(
            "serve",
            "Serve SVSM calls that guests make through the shared guest-memory file PATH, until SIGTERM or Ctrl+C: core, attestation, vTPM, APIC, UEFI MM, OCP and " +
            "--protocols. Writes the emulated firmware's ARK to PATH.ark.pem for guests to pin, prints a line per protocol, then 'serving N vCPUs on PATH' once ready.")
        {
            memoryPath,
            vcpus,
            memorySize,
            noVtpm,
            varstore,
            protocols,
        };
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(memoryPath)!;
            return Serve(path, parseResult.GetValue(vcpus), parseResult.GetValue(memorySize), !parseResult.GetValue(noVtpm), parseResult.GetValue(varstore) ?? path + ".vars", parseResult.GetValue(protocols) ?? Array.Empty<string>());
        });
        return command;
    }

    private static int Serve(string path, int? vcpus, ulong? memorySize, bool withVtpm, string varstorePath, string[] protocolAssemblies)
    {
        MappedGuestMemory memory;
        EmulatedVariableStore variables;
        try
        {
            variables = EmulatedVariableStore.Open(new UefiVariableStoreOptions { FilePath = varstorePath });
            memory = OpenOrCreate(path, vcpus, memorySize);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException)
        {
            Console.Error.WriteLine("svsm-emu: " + exception.Message);
            return ExitBadFile;
        }

        using (memory)
        {
            var emulator = new SvsmEmulator(memory, new EmulatorOptions { MemorySize = memory.RamSize, MaxVcpus = memory.VcpuCount, BootVcpus = memory.VcpuCount });
            foreach (var assembly in protocolAssemblies)
            {
                var (registrations, error) = ProtocolAssembly.Load(assembly, emulator);
                if (error is not null)
                {
                    Console.Error.WriteLine("svsm-emu: " + error);
                    return ExitBadFile;
                }

                foreach (var registration in registrations)
                {
                    emulator.Serve(registration);
                }
            }

            // The protocols the in-process emulator serves; a user's own with the same id is replaced by none of them.
            using var firmware = new EmulatedSnpFirmware();
            SwtpmProcess? swtpm = null;
            var attested = new List<AttestedService>();
            if (withVtpm)
            {
                try
                {
                    // Started, as COCONUT-SVSM's vTPM is at boot: a guest in another process finds it ready.
                    swtpm = SwtpmProcess.Start(startupClear: true);
                }
                catch (TpmException exception)
                {
                    Console.Error.WriteLine("svsm-emu: the vTPM needs swtpm (Debian: apt-get install swtpm swtpm-tools), or serve without it with --no-vtpm: " + exception.Message);
                    return ExitBadFile;
                }

                if (Free(emulator, 2))
                {
                    attested.Add(emulator.AddVtpm(swtpm).State);
                }
            }

            using var vtpm = swtpm;
            if (Free(emulator, 4))
            {
                attested.Add(emulator.AddUefiMm(variables).State.AsAttestedService());
            }

            if (Free(emulator, 1))
            {
                emulator.AddAttestation(firmware, attested.ToArray());
            }

            if (Free(emulator, 3))
            {
                emulator.AddApic();
            }

            if (Free(emulator, 5))
            {
                emulator.AddOcp();
            }

            File.WriteAllText(path + ".ark.pem", firmware.Ark.ExportCertificatePem() + "\n");
            SharedMemoryServer server;
            try
            {
                server = new SharedMemoryServer(emulator, memory);
            }
            catch (InvalidOperationException exception)
            {
                Console.Error.WriteLine("svsm-emu: " + exception.Message);
                return ExitFileTaken;
            }

            using (server)
            {
                using var stop = new Svsm.Emulator.Cli.StopSignal();
                // A line per protocol, then the one that says it is ready: a script waits for the line starting "serving".
                foreach (var protocol in emulator.Protocols)
                {
                    Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "protocol {0}: {1}, versions {2}-{3}", protocol.Id, protocol.Name, protocol.MinVersion, protocol.MaxVersion));
                }

                Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "serving {0} vCPUs on {1}", memory.VcpuCount, path));
                Console.Out.Flush();
                server.Run(stop.Token);
            }
        }

        return ExitOk;
    }

    // A protocol of the user's (--protocols) under a built-in id is what is served there.
    private static bool Free(SvsmEmulator emulator, uint id) => emulator.ServedVersions(id) is null;

    private static MappedGuestMemory OpenOrCreate(string path, int? vcpus, ulong? memorySize)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return MappedGuestMemory.Create(path, memorySize ?? DefaultMemorySize, vcpus ?? DefaultVcpus);
        }

        var memory = MappedGuestMemory.Open(path);
        if ((vcpus is { } n && n != memory.VcpuCount) || (memorySize is { } size && size != memory.RamSize))
        {
            var found = string.Format(CultureInfo.InvariantCulture, "{0} holds {1} vCPUs and {2} bytes of guest RAM; delete it to start afresh with other sizes", path, memory.VcpuCount, memory.RamSize);
            memory.Dispose();
            throw new ArgumentException(found);
        }

        return memory;
    }
}
