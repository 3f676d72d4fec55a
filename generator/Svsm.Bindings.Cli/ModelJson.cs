using System.Text.Encodings.Web;
using System.Text.Json;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Cli;

/// <summary>The JSON shape of <c>svsm-bindgen model</c>, written field by field so that it is the documented contract.</summary>
internal static class ModelJson
{
    public static void Write(SpecDocument document, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();

        json.WriteStartObject("protocol");
        json.WriteString("name", document.Protocol.Name);
        WriteNumber(json, "id", document.Protocol.Id);
        WriteNumber(json, "version", document.Protocol.Version);
        json.WriteString("prefix", document.Protocol.Prefix);
        json.WriteString("namespace", document.Protocol.Namespace);
        json.WriteString("convention", document.Protocol.IsSyscallAbi ? "coconut-syscall" : "svsm-call");
        json.WriteString("callPrefix", document.Protocol.CallPrefix);
        json.WriteEndObject();

        json.WriteStartArray("calls");
        foreach (var call in document.Calls)
        {
            json.WriteStartObject();
            json.WriteNumber("id", call.Id);
            WriteNumber(json, "class", call.Class);
            json.WriteNumber("code", call.Code(document.Protocol.Id ?? 0));
            json.WriteString("name", call.Name);
            json.WriteNumber("sinceVersion", call.SinceVersion);
            json.WriteString("function", call.Function);
            json.WriteNumber("line", call.Span.Line);
            json.WriteStartArray("registers");
            foreach (var register in call.Registers)
            {
                json.WriteStartObject();
                json.WriteString("register", register.Register);
                json.WriteString("direction", register.Direction switch
                {
                    RegisterDirection.In => "in",
                    RegisterDirection.Out => "out",
                    _ => "inout",
                });
                json.WriteNumber("size", register.Size);
                json.WriteString("kind", register.Kind.ToString().ToLowerInvariant());
                WriteNumber(json, "alignment", (uint?)register.Alignment);
                json.WriteString("misaligned", register.Misaligned?.Name);
                json.WriteBoolean("returnedOnError", register.ReturnedOnError);
                json.WriteString("name", register.Name);
                json.WriteString("description", register.Description);
                json.WriteString("bits", register.Bits?.Name);
                json.WriteNumber("line", register.Span.Line);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();

        // Syscalls the spec lists without a published number: documented, never generated.
        json.WriteStartArray("proposed");
        foreach (var proposed in document.ProposedCalls)
        {
            json.WriteStartObject();
            json.WriteString("name", proposed.Name);
            json.WriteString("function", proposed.Function);
            json.WriteNumber("line", proposed.Span.Line);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("constants");
        foreach (var table in document.ConstantTables)
        {
            foreach (var constant in table.Constants)
            {
                json.WriteStartObject();
                json.WriteString("name", constant.Name);
                if (document.Protocol.IsSyscallAbi && table.Kind == ConstantTableKind.ResultCodes)
                {
                    json.WriteNumber("value", unchecked((long)constant.Value)); // an error number, negative
                }
                else
                {
                    json.WriteNumber("value", constant.Value);
                }

                json.WriteString("table", table.Name);
                json.WriteString("kind", table.Kind switch
                {
                    ConstantTableKind.ResultCodes => "result",
                    ConstantTableKind.Flags => "flag",
                    ConstantTableKind.Enum => "enum",
                    _ => "constant",
                });
                json.WriteString("description", constant.Description);
                json.WriteNumber("line", constant.Span.Line);
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();

        json.WriteStartArray("ioctls");
        foreach (var ioctl in document.Ioctls)
        {
            json.WriteStartObject();
            json.WriteString("name", ioctl.Name);
            json.WriteNumber("number", ioctl.Number);
            json.WriteString("direction", ioctl.Direction switch
            {
                IoctlDirection.None => "none",
                IoctlDirection.Read => "read",
                IoctlDirection.Write => "write",
                _ => "readwrite",
            });
            json.WriteNumber("type", ioctl.Type);
            json.WriteNumber("nr", ioctl.Nr);
            json.WriteNumber("size", ioctl.Size);
            json.WriteString("argument", ioctl.Argument);
            json.WriteNumber("line", ioctl.Span.Line);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("structs");
        foreach (var structSpec in document.Structs)
        {
            json.WriteStartObject();
            json.WriteString("name", structSpec.Name);
            json.WriteNumber("size", structSpec.Size);
            json.WriteBoolean("sizeDeclared", structSpec.SizeDeclared);
            json.WriteNumber("alignment", structSpec.Alignment);
            json.WriteBoolean("packed", structSpec.Packed);
            json.WriteBoolean("union", structSpec.IsUnion);
            json.WriteString("style", Style(structSpec.Style));
            json.WriteString("description", structSpec.Description);
            json.WriteNumber("line", structSpec.Span.Line);
            if (structSpec.VersionField is { } versionField)
            {
                json.WriteString("versionField", versionField.Name);
                json.WriteNumber("newestVersion", structSpec.NewestVersion);
            }

            json.WriteStartArray("fields");
            foreach (var field in structSpec.Fields)
            {
                json.WriteStartObject();
                json.WriteNumber("offset", field.Offset);
                json.WriteNumber("size", field.Size);
                json.WriteString("name", field.Name);
                json.WriteString("description", field.Description);
                json.WriteBoolean("reserved", field.Reserved);
                if (field.FirstVersion > 0)
                {
                    json.WriteNumber("firstVersion", field.FirstVersion);
                }

                if (field.TypeName is not null)
                {
                    json.WriteString("cName", field.SourceName);
                    json.WriteString("type", field.TypeName);
                    json.WriteNumber("count", field.Count);
                }

                // References the reader resolved: the struct, enum or bit table the field is.
                json.WriteString("struct", field.Struct?.Name);
                json.WriteString("enum", field.Enum?.Name);
                json.WriteString("bits", field.Bits?.Name);

                json.WriteNumber("line", field.Span.Line);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("bitfields");
        foreach (var bitField in document.BitFields)
        {
            json.WriteStartObject();
            json.WriteString("name", bitField.Name);
            json.WriteNumber("width", bitField.Width);
            json.WriteString("boundTo", bitField.BoundTo);
            json.WriteNumber("line", bitField.Span.Line);
            json.WriteStartArray("bits");
            foreach (var bit in bitField.Bits)
            {
                json.WriteStartObject();
                json.WriteNumber("low", bit.Low);
                json.WriteNumber("high", bit.High);
                json.WriteString("name", bit.Name);
                json.WriteString("description", bit.Description);
                json.WriteBoolean("reserved", bit.Reserved);
                json.WriteNumber("line", bit.Span.Line);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("diagnostics");
        foreach (var diagnostic in document.Diagnostics)
        {
            json.WriteStartObject();
            json.WriteString("id", diagnostic.Id);
            json.WriteString("severity", diagnostic.Severity.ToString().ToLowerInvariant());
            json.WriteNumber("line", diagnostic.Span.Line);
            json.WriteNumber("column", diagnostic.Span.Column);
            json.WriteString("message", diagnostic.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Style(DeclarationStyle style) => style switch
    {
        DeclarationStyle.Table => "offsets",
        DeclarationStyle.TableByCType => "ctypes",
        DeclarationStyle.C => "c",
        DeclarationStyle.Rust => "rust",
        _ => "list",
    };

    private static void WriteNumber(Utf8JsonWriter json, string name, uint? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
