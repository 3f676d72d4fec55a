using System;
using System.Text;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>Writes C# with four-space indentation and \n line ends, whatever the platform.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder builder = new();
    private int indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            builder.Append(' ', indent * 4).Append(text);
        }

        builder.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="text"/> (if any) and an opening brace, and indents.</summary>
    public SourceWriter Open(string text)
    {
        if (text.Length > 0)
        {
            Line(text);
        }

        Line("{");
        indent++;
        return this;
    }

    public SourceWriter Close(string suffix = "")
    {
        indent--;
        return Line("}" + suffix);
    }

    /// <summary>An XML doc summary of plain text (spec prose), escaped.</summary>
    public SourceWriter Summary(string text) => SummaryXml(Xml(text));

    /// <summary>An XML doc summary whose text is already XML (it holds see or paramref tags; escape spec text with <see cref="Xml"/>).</summary>
    public SourceWriter SummaryXml(string xml)
    {
        if (xml.Length == 0)
        {
            return this;
        }

        Line("/// <summary>");
        foreach (var line in xml.Split(new[] { '\n' }, StringSplitOptions.None))
        {
            Line("/// " + line.TrimEnd());
        }

        return Line("/// </summary>");
    }

    public SourceWriter Doc(string tag, string attributes, string text) =>
        Line($"/// <{tag}{attributes}>{Xml(text)}</{tag}>");

    public static string Xml(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    public override string ToString() => builder.ToString();
}
