using System;
using Svsm.Bindings.Spec.Common;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>
/// One generated C# file. Its text is kept as one byte a character when it is all ASCII, as generated code nearly
/// always is: a build holds every generated file for as long as its compilation lives, and the collector copies what
/// it holds, so half the bytes is half that work. Equal files hold equal text.
/// </summary>
public sealed class GeneratedFile : IEquatable<GeneratedFile>
{
    private readonly string? text;
    private readonly byte[]? ascii;

    public GeneratedFile(string hintName, string text)
    {
        HintName = hintName;
        this.text = text;
    }

    private GeneratedFile(string hintName, byte[] ascii)
    {
        HintName = hintName;
        this.ascii = ascii;
    }

    public string HintName { get; }

    /// <summary>The text; made from its bytes each time it is asked for when it is kept as ASCII.</summary>
    public string Text => text ?? AsciiText.ToString(ascii!);

    /// <summary>The text as ASCII bytes, one a character, when it is kept so; else null. Not to be written to.</summary>
    internal byte[]? Ascii => ascii;

    /// <summary>A file of <paramref name="length"/> characters from <paramref name="chars"/>: as bytes when all are ASCII.</summary>
    internal static GeneratedFile From(string hintName, char[] chars, int length) =>
        AsciiText.TryEncode(chars, length) is { } bytes ? new GeneratedFile(hintName, bytes) : new GeneratedFile(hintName, new string(chars, 0, length));

    public bool Equals(GeneratedFile? other) =>
        other is not null && HintName == other.HintName &&
        (ascii is not null ? other.ascii is not null && AsciiText.Equal(ascii, other.ascii) : other.text is not null && text == other.text);

    public override bool Equals(object? obj) => Equals(obj as GeneratedFile);

    public override int GetHashCode() => unchecked((HintName.GetHashCode() * 31) + (ascii?.Length ?? text!.Length));

    public override string ToString() => HintName;
}
