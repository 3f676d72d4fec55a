using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using Svsm.Runtime;

namespace Svsm.Emulator;

/// <summary>How much the emulator logs: each level includes those above it.</summary>
public enum EmulatorLogLevel
{
    Error,
    Warning,
    Info,
    Debug,
}

/// <summary>The emulator's log: the last lines at or above the level in force, which can change while it runs.</summary>
public sealed class EmulatorLog(EmulatorLogLevel level, int capacity = 256)
{
    private readonly Queue<string> lines = new();
    private readonly object gate = new();
    private int currentLevel = (int)level;

    public EmulatorLogLevel Level
    {
        get => (EmulatorLogLevel)Volatile.Read(ref currentLevel);
        set
        {
            Volatile.Write(ref currentLevel, (int)value);
            LevelChanged?.Invoke();
        }
    }

    /// <summary>Told when the level changes: the emulator keeps one flag for "a call is logged or traced" on its fast path.</summary>
    internal Action? LevelChanged { get; set; }

    public bool IsEnabled(EmulatorLogLevel messageLevel) => (int)messageLevel <= Volatile.Read(ref currentLevel);

    /// <summary>Logs <paramref name="message"/> when <paramref name="messageLevel"/> is enabled.</summary>
    public void Write(EmulatorLogLevel messageLevel, string message)
    {
        if (!IsEnabled(messageLevel))
        {
            return;
        }

        var line = DateTime.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) + " " + messageLevel.ToString().ToLowerInvariant() + ": " + message;
        lock (gate)
        {
            lines.Enqueue(line);
            while (lines.Count > capacity)
            {
                lines.Dequeue();
            }
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (gate)
            {
                return lines.ToArray();
            }
        }
    }

    /// <summary>The log as text, a line each.</summary>
    public string Text
    {
        get
        {
            var builder = new StringBuilder();
            foreach (var line in Lines)
            {
                builder.Append(line).Append('\n');
            }

            return builder.ToString();
        }
    }
}
