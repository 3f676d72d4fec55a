using System.Text;
using Microsoft.CodeAnalysis.Text;
using Svsm.Bindings.Spec.Emitting;

namespace Svsm.Bindings.Generator;

/// <summary>
/// A generated file's text over its ASCII bytes (<see cref="GeneratedFile"/>), one byte a character, so the
/// compilation holds the file once and at half the size a string takes. Its encoding is UTF-8, as
/// <c>SourceText.From(text, Encoding.UTF8)</c> gives, of which ASCII is a part: checksums and embedded sources are the same.
/// </summary>
internal sealed class AsciiSourceText : SourceText
{
    private readonly byte[] bytes;

    private AsciiSourceText(byte[] bytes) => this.bytes = bytes;

    public override Encoding Encoding => Encoding.UTF8;

    public override int Length => bytes.Length;

    public override char this[int position] => (char)bytes[position];

    /// <summary>The file's text: over its bytes when it is kept as ASCII, else its string.</summary>
    public static SourceText Of(GeneratedFile file) =>
        file.Ascii is { } ascii ? new AsciiSourceText(ascii) : From(file.Text, Encoding.UTF8);

    // The compiler reads the text through this as it parses; the decoder widens ASCII in vectorised loops.
    public override void CopyTo(int sourceIndex, char[] destination, int destinationIndex, int count) =>
        Encoding.ASCII.GetChars(bytes, sourceIndex, count, destination, destinationIndex);
}
