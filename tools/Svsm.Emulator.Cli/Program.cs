using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Svsm.Emulator;
using Svsm.Emulator.SharedMemory;
using Svsm.Runtime.SharedMemory;

var root = new RootCommand("svsm-emu: the emulated SVSM (core protocol and OCP) in its own process, serving guests through a shared guest-memory file.");
root.Subcommands.Add(ServeCommand.Create());
return root.Parse(args).Invoke();

/// <summary>
/// <c>svsm-emu serve --memory PATH [--vcpus N] [--memory-size BYTES]</c>: serves calls made through PATH until
/// SIGTERM or Ctrl+C. Exits 0 when stopped, 2 when the file cannot be made or opened, 3 when another server owns it.
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
        var command = new Command("serve", "Serve SVSM calls that guests make through the shared guest-memory file PATH, until SIGTERM or Ctrl+C. Prints 'serving N vCPUs on PATH' once ready.")
        {
            memoryPath,
            vcpus,
            memorySize,
        };
        command.SetAction(parseResult => Serve(parseResult.GetValue(memoryPath)!, parseResult.GetValue(vcpus), parseResult.GetValue(memorySize)));
        return command;
    }

    private static int Serve(string path, int? vcpus, ulong? memorySize)
    {
        MappedGuestMemory memory;
        try
        {
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
            emulator.AddOcp();
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
                using var stop = new CancellationTokenSource();
                void OnSignal(PosixSignalContext context)
                {
                    context.Cancel = true;
                    stop.Cancel();
                }

                using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
                using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
                Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "serving {0} vCPUs on {1}", memory.VcpuCount, path));
                Console.Out.Flush();
                server.Run(stop.Token);
            }
        }

        return ExitOk;
    }

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
