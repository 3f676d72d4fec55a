using System;
using System.Text;

namespace Svsm.Bindings.Spec.Emitting;

/// <summary>Writes C# with four-space indentation and \n line ends, whatever the platform.</summary>
internal sealed class SourceWriter
{
    // Every file is written into one builder per thread, cleared between files: its capacity is allocated once,
    // not once per file (generators run on several threads; each has its own).
    [ThreadStatic]
    private static StringBuilder? shared;

    private readonly StringBuilder builder;
    private int indent;

    public SourceWriter()
    {
        builder = shared ?? new StringBuilder(16 * 1024);
        shared = null;
        builder.Clear();
    }

    // The characters written, copied out of the builder's chunks once to be made into the file's text.
    [ThreadStatic]
    private static char[]? sharedChars;

    /// <summary>The file written, and the builder handed back for the next file; the writer is not used after this.</summary>
    public GeneratedFile Finish(string hintName)
    {
        var length = builder.Length;
        var chars = sharedChars is { } kept && kept.Length >= length ? kept : new char[length];
        builder.CopyTo(0, chars, 0, length);
        var file = GeneratedFile.From(hintName, chars, length);
        if (builder.Capacity <= 1024 * 1024)
        {
            shared = builder;
            sharedChars = chars;
        }

        return file;
    }

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            builder.Append(' ', indent * 4).Append(text);
        }

        builder.Append('\n');
        return this;
    }

    /// <summary>Writes a line of several parts, appended in turn rather than concatenated first.</summary>
    public SourceWriter Line(string first, string second) => End(Begin().Append(first).Append(second));

    public SourceWriter Line(string first, string second, string third) => End(Begin().Append(first).Append(second).Append(third));

    public SourceWriter Line(string first, string second, string third, string fourth) =>
        End(Begin().Append(first).Append(second).Append(third).Append(fourth));

    public SourceWriter Line(string first, string second, string third, string fourth, string fifth, params string[] rest) =>
        End(Append(Begin().Append(first).Append(second).Append(third).Append(fourth).Append(fifth), rest));

    /// <summary>
    /// Starts a line to be written part by part (<see cref="SourceLine"/>), for a line whose parts are many or come
    /// from a list: each goes straight into the file, where joining them first would make strings only to copy them.
    /// </summary>
    public SourceLine Start(string first)
    {
        Begin().Append(first);
        return new SourceLine(this);
    }

    /// <summary>A parameter's doc line, <c>/// &lt;param name="NAME"&gt;REGISTER: DESCRIPTION&lt;/param&gt;</c>, with its plain-text parts escaped.</summary>
    public SourceWriter ParameterDoc(string name, string register, string description, string suffix = "")
    {
        // A name is written without the '@' that a keyword takes in code.
        var at = 0;
        while (at < name.Length && name[at] == '@')
        {
            at++;
        }

        End(Begin().Append("/// <param name=\"").Append(name, at, name.Length - at).Append("\">")
            .Append(Xml(register)).Append(": ").Append(Xml(description)).Append(Xml(suffix)).Append("</param>"));
        return this;
    }

    /// <summary>A line being written part by part: each call appends to the file; <see cref="End"/> or <see cref="Open"/> finishes it.</summary>
    public readonly struct SourceLine
    {
        private readonly SourceWriter writer;

        internal SourceLine(SourceWriter writer) => this.writer = writer;

        public SourceLine Add(string part)
        {
            writer.builder.Append(part);
            return this;
        }

        public SourceLine Add(string first, string second)
        {
            writer.builder.Append(first).Append(second);
            return this;
        }

        public SourceLine Add(string first, string second, string third)
        {
            writer.builder.Append(first).Append(second).Append(third);
            return this;
        }

        /// <summary>Appends <paramref name="text"/> as a C# string literal (<see cref="Naming.Literal"/>).</summary>
        public SourceLine Literal(string text)
        {
            Naming.AppendLiteral(writer.builder, text);
            return this;
        }

        /// <summary>Appends <paramref name="separator"/>, unless this is the first of a list's items.</summary>
        public SourceLine Separate(bool first, string separator) => first ? this : Add(separator);

        public SourceWriter End() => writer.End(writer.builder);

        /// <summary>Ends the line, and writes an opening brace and indents.</summary>
        public SourceWriter Open() => writer.Opened(End());
    }

    /// <summary>Writes a line of several parts and an opening brace, and indents.</summary>
    public SourceWriter Open(string first, string second, params string[] rest) => Opened(End(Append(Begin().Append(first).Append(second), rest)));

    public SourceWriter Open(string first, string second, string third) => Opened(End(Begin().Append(first).Append(second).Append(third)));

    public SourceWriter Open(string first, string second, string third, string fourth) =>
        Opened(End(Begin().Append(first).Append(second).Append(third).Append(fourth)));

    private SourceWriter Opened(SourceWriter line)
    {
        line.Line("{");
        indent++;
        return this;
    }

    // The indentation a line starts with, and the line end after its parts.
    private StringBuilder Begin() => builder.Append(' ', indent * 4);

    private SourceWriter End(StringBuilder line)
    {
        line.Append('\n');
        return this;
    }

    private static StringBuilder Append(StringBuilder line, string[] parts)
    {
        foreach (var part in parts)
        {
            line.Append(part);
        }

        return line;
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

    /// <summary>Drops blank lines at the end, so that a closing brace follows the last line written.</summary>
    public SourceWriter TrimBlankLines()
    {
        while (builder.Length > 1 && builder[builder.Length - 1] == '\n' && builder[builder.Length - 2] == '\n')
        {
            builder.Length--;
        }

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
        var start = 0;
        while (true)
        {
            // Each line of the text as "/// line", appended in place rather than cut out and concatenated.
            var end = xml.IndexOf('\n', start);
            var lineEnd = end < 0 ? xml.Length : end;
            var trimmed = lineEnd;
            while (trimmed > start && char.IsWhiteSpace(xml[trimmed - 1]))
            {
                trimmed--;
            }

            End(Begin().Append("/// ").Append(xml, start, trimmed - start));
            if (end < 0)
            {
                break;
            }

            start = end + 1;
        }

        return Line("/// </summary>");
    }

    /// <summary>
    /// The summary <see cref="SummaryXml(string)"/> writes for the parts run together, appended in place rather than
    /// concatenated first: each struct field has two such summaries.
    /// </summary>
    public SourceWriter SummaryXml(string first, string second, string third, string fourth = "", string fifth = "", string sixth = "")
    {
        if (first.IndexOf('\n') >= 0 || second.IndexOf('\n') >= 0 || third.IndexOf('\n') >= 0 || fourth.IndexOf('\n') >= 0 || fifth.IndexOf('\n') >= 0 || sixth.IndexOf('\n') >= 0
            || first.Length + second.Length + third.Length + fourth.Length + fifth.Length + sixth.Length == 0)
        {
            return SummaryXml(first + second + third + fourth + fifth + sixth);
        }

        Line("/// <summary>");
        var start = Begin().Append("/// ").Length;
        builder.Append(first).Append(second).Append(third).Append(fourth).Append(fifth).Append(sixth);
        while (builder.Length > start && char.IsWhiteSpace(builder[builder.Length - 1]))
        {
            builder.Length--;
        }

        End(builder);
        return Line("/// </summary>");
    }

    public SourceWriter Doc(string tag, string attributes, string text)
    {
        End(Begin().Append("/// <").Append(tag).Append(attributes).Append('>').Append(Xml(text)).Append("</").Append(tag).Append('>'));
        return this;
    }

    public static string Xml(string text) =>
        text.IndexOfAny(XmlSpecial) < 0 ? text : text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static readonly char[] XmlSpecial = { '&', '<', '>' };

    public override string ToString() => builder.ToString();
}
