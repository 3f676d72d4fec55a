using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using Svsm.Runtime;

namespace Svsm.Emulator.Services.Ocp;

/// <summary>
/// An observability or configuration source the emulator's OCP protocol serves: a name (at most 123 UTF-8 bytes,
/// to fit the 124-byte name field with its NUL), data read at a byte offset, and for a configuration source a writer.
/// </summary>
public abstract class OcpSource
{
    /// <summary>The longest name, in UTF-8 bytes, that fits the source entry's name field with its terminating NUL.</summary>
    public const int MaxNameBytes = 123;

    protected OcpSource(string name)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) > MaxNameBytes || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("a source name is 1 to 123 UTF-8 bytes without NUL", nameof(name));
        }
    }

    public string Name { get; }

    /// <summary>Whether <see cref="TryWrite"/> accepts data (the entry's <c>WRITEABLE</c> flag).</summary>
    public virtual bool IsWriteable => false;

    /// <summary>The most bytes one write may carry; longer writes are refused before guest memory is read.</summary>
    public virtual int MaxWriteLength => 0;

    /// <summary>The source's data as of now.</summary>
    public abstract ReadOnlyMemory<byte> Read();

    /// <summary>Takes <paramref name="data"/> written at <paramref name="offset"/>; false when the source does not understand it.</summary>
    public virtual bool TryWrite(uint offset, ReadOnlySpan<byte> data) => false;
}

/// <summary>A source whose text comes from a function, read afresh at every call.</summary>
public sealed class TextOcpSource(string name, Func<string> text) : OcpSource(name)
{
    public override ReadOnlyMemory<byte> Read() => Encoding.UTF8.GetBytes(text());
}

/// <summary>
/// The OCP sources the emulator serves: an array whose indexes are stable and which only grows, as the draft says.
/// </summary>
public sealed class OcpSourceList
{
    private readonly object gate = new();
    private OcpSource[] sources = Array.Empty<OcpSource>();

    public int Count => Volatile.Read(ref sources).Length;

    public OcpSource this[int index] => Volatile.Read(ref sources)[index];

    /// <summary>Adds <paramref name="source"/> at the end and returns its index.</summary>
    public int Add(OcpSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (gate)
        {
            var copy = new OcpSource[sources.Length + 1];
            sources.CopyTo(copy, 0);
            copy[^1] = source;
            Volatile.Write(ref sources, copy);
            return copy.Length - 1;
        }
    }

    internal OcpSource[] Snapshot() => Volatile.Read(ref sources);
}

/// <summary>The sources backed by the emulator's own state: its version, call counters, log, and log level.</summary>
public static class EmulatorOcpSources
{
    public const string VersionSource = "svsm/version";
    public const string CallCountsSource = "svsm/call-counts";
    public const string LogSource = "svsm/log";
    public const string LogLevelSource = "svsm/log-level";

    /// <summary>Adds the emulator's own sources to <paramref name="list"/>.</summary>
    public static void AddTo(OcpSourceList list, SvsmEmulator emulator)
    {
        list.Add(new TextOcpSource(VersionSource, () => VersionText(emulator)));
        list.Add(new TextOcpSource(CallCountsSource, () => CallCountsText(emulator)));
        list.Add(new TextOcpSource(LogSource, () => emulator.Log.Text));
        list.Add(new LogLevelWriter(emulator.Log));
    }

    private static string VersionText(SvsmEmulator emulator)
    {
        var builder = new StringBuilder("Svsm.Emulator ").Append(SvsmEmulator.Version).Append('\n');
        foreach (var protocol in emulator.Protocols)
        {
            builder.AppendFormat(CultureInfo.InvariantCulture, "protocol {0} {1} versions {2}-{3}\n", protocol.Id, protocol.Name, protocol.MinVersion, protocol.MaxVersion);
        }

        return builder.ToString();
    }

    private static string CallCountsText(SvsmEmulator emulator)
    {
        var builder = new StringBuilder();
        foreach (var protocol in emulator.Protocols)
        {
            foreach (var call in protocol.Calls)
            {
                builder.AppendFormat(CultureInfo.InvariantCulture, "{0} {1}\n", call.Name, emulator.CallCount(protocol.Id, call.Call));
            }
        }

        return builder.ToString();
    }

    /// <summary>The log level as a word; writing one of <c>error</c>, <c>warning</c>, <c>info</c>, <c>debug</c> at offset 0 sets it.</summary>
    private sealed class LogLevelWriter(EmulatorLog log) : OcpSource(LogLevelSource)
    {
        public override bool IsWriteable => true;

        public override int MaxWriteLength => 64;

        public override ReadOnlyMemory<byte> Read() => Encoding.UTF8.GetBytes(log.Level.ToString().ToLowerInvariant() + "\n");

        public override bool TryWrite(uint offset, ReadOnlySpan<byte> data)
        {
            if (offset != 0)
            {
                return false;
            }

            string text;
            try
            {
                text = new UTF8Encoding(false, true).GetString(data).Trim().TrimEnd('\0').Trim();
            }
            catch (DecoderFallbackException)
            {
                return false;
            }

            foreach (var level in Enum.GetValues<EmulatorLogLevel>())
            {
                if (string.Equals(text, level.ToString(), StringComparison.OrdinalIgnoreCase))
                {
                    log.Level = level;
                    log.Write(EmulatorLogLevel.Info, "log level set to " + text.ToLowerInvariant());
                    return true;
                }
            }

            return false;
        }
    }
}
