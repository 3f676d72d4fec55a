using System.IO;
using System.Text;
using SharpFuzz;
using Svsm.Bindings.Spec;

namespace Svsm.Bindings.Fuzz;

/// <summary>
/// Under AFL++ (see run-afl.sh) each input is parsed as a spec; any exception is a crash. With a file argument
/// it parses that one file once, which is how a crash is replayed by hand.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length == 1)
        {
            Parse(File.ReadAllBytes(args[0]));
            return;
        }

        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            Parse(memory.ToArray());
        });
    }

    private static void Parse(byte[] input) => SpecParser.ParseUnguarded(Encoding.UTF8.GetString(input));
}
