using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Comparing;

/// <summary>
/// What <c>svsm-bindgen ship</c> writes beside a spec (<c>ocp.md</c> → <c>ocp.shipped.json</c>), as
/// PublicApiAnalyzers keeps <c>PublicAPI.Shipped.txt</c>: the surface of every released version, newest last. A
/// build that lists it as an AdditionalFile checks the spec against the newest one.
/// </summary>
/// <param name="Spec">The spec's file name when it was shipped.</param>
public sealed record ShippedBaseline(string Spec, EquatableArray<ProtocolSurface> Versions)
{
    /// <summary>The format this version of svsm-bindgen writes and the newest it reads.</summary>
    public const int Format = 1;

    public const string Suffix = ".shipped.json";

    public ProtocolSurface? Newest => Versions.Count == 0 ? null : Versions[Versions.Count - 1];

    /// <summary>The baseline's path for a spec: <c>specs/ocp.md</c> gives <c>specs/ocp.shipped.json</c>.</summary>
    public static string PathFor(string specPath)
    {
        var extension = System.IO.Path.GetExtension(specPath);
        return (extension.Length > 0 ? specPath.Substring(0, specPath.Length - extension.Length) : specPath) + Suffix;
    }

    /// <summary>This baseline with <paramref name="surface"/> as its release of <paramref name="surface"/>'s version, replacing an earlier shipping of that version.</summary>
    public ShippedBaseline With(ProtocolSurface surface) =>
        this with { Versions = Versions.Where(v => v.Version != surface.Version).Append(surface).OrderBy(v => v.Version).ToEquatableArray() };

    public string ToJson(string toolVersion)
    {
        var json = new StringBuilder();
        json.Append("{\n  \"format\": ").Append(Format)
            .Append(",\n  \"tool\": ").Append(JsonText.Quote(toolVersion))
            .Append(",\n  \"spec\": ").Append(JsonText.Quote(Spec))
            .Append(",\n  \"versions\": [");
        for (var i = 0; i < Versions.Count; i++)
        {
            var v = Versions[i];
            json.Append(i == 0 ? "\n" : ",\n").Append("    {\"version\": ").Append(v.Version)
                .Append(", \"id\": ").Append(v.Id is { } id ? id.ToString(CultureInfo.InvariantCulture) : "null")
                .Append(", \"name\": ").Append(v.Name is { } name ? JsonText.Quote(name) : "null");
            List(json, "calls", v.Calls, c => $"{{\"id\": {c.Id}, \"name\": {JsonText.Quote(c.Name)}, \"since\": {c.Since}, {At(c.Span)}, \"registers\": [" +
                string.Join(", ", c.Registers.Select(r => $"{{\"register\": {JsonText.Quote(r.Register)}, \"direction\": {JsonText.Quote(r.Direction.ToString())}, \"size\": {r.Size}, \"alignment\": {(r.Alignment is { } a ? a.ToString(CultureInfo.InvariantCulture) : "null")}, {At(r.Span)}}}")) + "]}");
            List(json, "structs", v.Structs, s => $"{{\"name\": {JsonText.Quote(s.Name)}, \"size\": {s.Size}, \"newestVersion\": {s.NewestVersion}, {At(s.Span)}, \"fields\": [" +
                string.Join(", ", s.Fields.Select(f => $"{{\"name\": {JsonText.Quote(f.Name)}, \"offset\": {f.Offset}, \"size\": {f.Size}, \"reserved\": {(f.Reserved ? "true" : "false")}, \"firstVersion\": {f.FirstVersion}, {At(f.Span)}}}")) + "]}");
            List(json, "bitFields", v.BitFields, b => $"{{\"name\": {JsonText.Quote(b.Name)}, \"width\": {b.Width}, {At(b.Span)}, \"bits\": [" +
                string.Join(", ", b.Bits.Select(bit => $"{{\"name\": {JsonText.Quote(bit.Name)}, \"low\": {bit.Low}, \"high\": {bit.High}, \"reserved\": {(bit.Reserved ? "true" : "false")}, {At(bit.Span)}}}")) + "]}");
            List(json, "results", v.Results, r => $"{{\"name\": {JsonText.Quote(r.Name)}, \"value\": {r.Value.ToString(CultureInfo.InvariantCulture)}, {At(r.Span)}}}");
            json.Append("\n    }");
        }

        return json.Append("\n  ]\n}\n").ToString();
    }

    /// <summary>Reads a baseline; what is not one (bad JSON, a missing member, a newer format) is a <see cref="JsonTextException"/> that says why.</summary>
    public static ShippedBaseline Parse(string json)
    {
        var root = As<Dictionary<string, object?>>(JsonText.Parse(json), "the baseline");
        var format = Number(root, "format");
        if (format > Format)
        {
            throw new JsonTextException($"it is format {format}, written by a newer svsm-bindgen ({Text(root, "tool", optional: true) ?? "unknown"}); this one reads format {Format} and older: update the Svsm.Bindings package");
        }

        var versions = Array(root, "versions").Select(v =>
        {
            var version = As<Dictionary<string, object?>>(v, "a version");
            return new ProtocolSurface(
                Text(version, "name", optional: true),
                version.TryGetValue("id", out var id) && id is not null ? UInt32(version, "id") : null,
                UInt32(version, "version"),
                Array(version, "calls").Select(c => Object(c, call => new CallSurface(
                    UInt32(call, "id"), Text(call, "name")!, UInt32(call, "since"),
                    Array(call, "registers").Select(r => Object(r, register => new RegisterSurface(
                        Text(register, "register")!, Direction(Text(register, "direction")!), Int32(register, "size"),
                        register.TryGetValue("alignment", out var a) && a is not null ? Int32(register, "alignment") : null, Span(register)))).ToEquatableArray(),
                    Span(call)))).ToEquatableArray(),
                Array(version, "structs").Select(s => Object(s, structure => new StructSurface(
                    Text(structure, "name")!, Int32(structure, "size"), UInt32(structure, "newestVersion"),
                    Array(structure, "fields").Select(f => Object(f, field => new FieldSurface(
                        Text(field, "name")!, Int32(field, "offset"), Int32(field, "size"), Flag(field, "reserved"), UInt32(field, "firstVersion"), Span(field)))).ToEquatableArray(),
                    Span(structure)))).ToEquatableArray(),
                Array(version, "bitFields").Select(b => Object(b, table => new BitsSurface(
                    Text(table, "name")!, Int32(table, "width"),
                    Array(table, "bits").Select(bit => Object(bit, one => new BitSurface(
                        Text(one, "name")!, Int32(one, "low"), Int32(one, "high"), Flag(one, "reserved"), Span(one)))).ToEquatableArray(),
                    Span(table)))).ToEquatableArray(),
                Array(version, "results").Select(r => Object(r, result => new ResultSurface(Text(result, "name")!, Number(result, "value"), Span(result)))).ToEquatableArray());
        }).OrderBy(v => v.Version).ToEquatableArray();
        return new ShippedBaseline(Text(root, "spec")!, versions);
    }

    private static void List<T>(StringBuilder json, string name, EquatableArray<T> items, System.Func<T, string> write)
        where T : System.IEquatable<T>
    {
        json.Append(",\n      \"").Append(name).Append("\": [");
        for (var i = 0; i < items.Count; i++)
        {
            json.Append(i == 0 ? "\n        " : ",\n        ").Append(write(items[i]));
        }

        json.Append(items.Count == 0 ? "]" : "\n      ]");
    }

    private static string At(SpecSpan span) => $"\"line\": {span.Line}, \"column\": {span.Column}";

    private static SpecSpan Span(Dictionary<string, object?> item)
    {
        var line = Int32(item, "line");
        var column = Int32(item, "column");
        return new SpecSpan(0, 0, line, column, line, column);
    }

    private static T Object<T>(object? value, System.Func<Dictionary<string, object?>, T> read) => read(As<Dictionary<string, object?>>(value, "an entry"));

    private static T As<T>(object? value, string what) =>
        value is T typed ? typed : throw new JsonTextException(what + " is not a JSON " + (typeof(T) == typeof(List<object?>) ? "array" : "object"));

    private static List<object?> Array(Dictionary<string, object?> item, string name) =>
        item.TryGetValue(name, out var value) ? As<List<object?>>(value, "'" + name + "'") : throw new JsonTextException("'" + name + "' is missing");

    private static ulong Number(Dictionary<string, object?> item, string name) =>
        item.TryGetValue(name, out var value) && value is ulong number ? number : throw new JsonTextException("'" + name + "' is missing or not a non-negative integer");

    private static uint UInt32(Dictionary<string, object?> item, string name) =>
        Number(item, name) is var value && value <= uint.MaxValue ? (uint)value : throw new JsonTextException("'" + name + "' is " + value + ", past 32 bits");

    private static int Int32(Dictionary<string, object?> item, string name) =>
        Number(item, name) is var value && value <= int.MaxValue ? (int)value : throw new JsonTextException("'" + name + "' is " + value + ", past what a size or position can be");

    private static bool Flag(Dictionary<string, object?> item, string name) =>
        item.TryGetValue(name, out var value) && value is bool flag ? flag : throw new JsonTextException("'" + name + "' is missing or not true or false");

    private static string? Text(Dictionary<string, object?> item, string name, bool optional = false) =>
        item.TryGetValue(name, out var value) && value is string text ? text
        : optional && (!item.ContainsKey(name) || item[name] is null) ? null
        : throw new JsonTextException("'" + name + "' is missing or not a string");

    private static RegisterDirection Direction(string text) => text switch
    {
        "In" => RegisterDirection.In,
        "Out" => RegisterDirection.Out,
        "InOut" => RegisterDirection.InOut,
        _ => throw new JsonTextException("'" + text + "' is not a register direction"),
    };
}
