using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;
using Svsm.Bindings.Spec.Reading;
using Svsm.Bindings.Spec.Recognising;

namespace Svsm.Bindings.Spec.Building;

/// <summary>
/// Joins each call to its registers: a call (from a call table, a syscall table, a constant or a "Call ID" block)
/// takes the register sets (Registers tables, Parameters tables, parameter lists) of its section. Settles the
/// spec's convention first: front matter, else its first call table; a table of the other convention is SVSM0041.
/// </summary>
internal sealed class CallBuilder
{
    private readonly RecognisedSpec spec;
    private readonly DiagnosticBag diagnostics;

    public CallBuilder(RecognisedSpec spec, DiagnosticBag diagnostics)
    {
        this.spec = spec;
        this.diagnostics = diagnostics;
    }

    public CallConvention Convention { get; private set; }

    /// <summary>The heading each call's section starts at, by call.</summary>
    public Dictionary<BuiltCall, RecognisedHeading?> Sections { get; } = new();

    /// <summary>The calls of the tables of the spec's convention, in order (calls declared in code join them later).</summary>
    public List<BuiltCall> ReadCallTables()
    {
        var first = spec.CallTables.FirstOrDefault();
        Convention = spec.FrontMatter.Convention ?? first?.Convention ?? CallConvention.SvsmCall;
        var calls = new List<BuiltCall>();
        foreach (var table in spec.CallTables)
        {
            if (table.Convention != Convention)
            {
                ReportMixed(table.What, table.Span, table.Convention);
                continue;
            }

            calls.AddRange(table.Calls.Select(ToBuilt));
        }

        return calls;
    }

    public static BuiltCall ToBuilt(RawCall raw)
    {
        var call = new BuiltCall(new CallSpec(raw.Id, raw.Name, raw.SinceVersion, raw.Function, raw.Span, EquatableArray<RegisterSpec>.Empty, raw.Class), raw.IdSpan, raw.VersionSpan, raw.NameSpan);
        return call;
    }

    /// <summary>
    /// Gives every call the registers of its section. A table-listed call's section is the first heading
    /// <c>NAME Call</c> (or, for a syscall, its bare name) that names it; a call declared in code has the section
    /// its declaration stands in.
    /// </summary>
    public void JoinRegisters(List<BuiltCall> calls, IReadOnlyDictionary<BuiltCall, RecognisedHeading?> declaredSections)
    {
        var names = calls.Select(c => c.Spec.Name).Concat(spec.ProposedCalls.Select(p => p.Name)).ToList();
        bool NamesCall(string heading) => names.Exists(n => SameCall(n, heading));

        // The sections: NAME Call headings, bare syscall headings, and the sections calls declared in code stand in.
        var sections = new List<(RecognisedHeading Heading, string Name)>();
        foreach (var heading in spec.Headings)
        {
            if (SpecRecogniser.CallNameOf(heading.Text, allowBare: false) is { } name)
            {
                sections.Add((heading, name));
            }
            else if (Convention == CallConvention.CoconutSyscall && SpecRecogniser.CallNameOf(heading.Text, allowBare: true) is { } bare && NamesCall(bare))
            {
                sections.Add((heading, bare));
            }
        }

        // The headings as a set: for the declared sections not yet among them, and for the register sets' owners.
        var sectionHeadings = new HashSet<RecognisedHeading>(sections.Select(s => s.Heading));
        foreach (var pair in declaredSections)
        {
            if (pair.Value is { } heading && sectionHeadings.Add(heading))
            {
                sections.Add((heading, pair.Key.Spec.Name));
            }
        }

        foreach (var (heading, name) in sections.Where(s => !NamesCall(s.Name) && !declaredSections.Values.Contains(s.Heading)))
        {
            diagnostics.Add(SpecDiagnostics.SectionForUnknownCall, heading.Span, name);
        }

        var setsBySection = new Dictionary<RecognisedHeading, List<RawRegisterSet>>();
        foreach (var set in spec.RegisterSets)
        {
            var needs = set.Kind == RegisterSetKind.ParametersTable ? CallConvention.CoconutSyscall : CallConvention.SvsmCall;
            var owner = InnermostSection(set.Ancestors, sectionHeadings);
            var title = set.Kind switch
            {
                RegisterSetKind.RegistersTable => "Registers table",
                RegisterSetKind.ParametersTable => "Parameters table",
                _ => "parameter list",
            };
            if (owner is null)
            {
                diagnostics.Add(SpecDiagnostics.TableOutsideCall, set.Span, set.Kind switch
                {
                    RegisterSetKind.RegistersTable => "Registers table",
                    RegisterSetKind.ParametersTable => "Parameters table",
                    _ => "parameter list",
                });
                continue;
            }

            if (needs != Convention)
            {
                ReportMixed(title, set.Span, needs);
                continue;
            }

            if (!setsBySection.TryGetValue(owner, out var list))
            {
                setsBySection[owner] = list = new List<RawRegisterSet>();
            }

            list.Add(set);
        }

        foreach (var call in calls)
        {
            RecognisedHeading? section;
            if (declaredSections.TryGetValue(call, out var declared))
            {
                section = declared;
            }
            else
            {
                section = sections.Where(s => SameCall(call.Spec.Name, s.Name)).Select(s => s.Heading).FirstOrDefault();
            }

            var sets = section is not null && setsBySection.TryGetValue(section, out var found) ? found : new List<RawRegisterSet>();
            if (section is null)
            {
                if (declaredSections.ContainsKey(call))
                {
                    diagnostics.Add(SpecDiagnostics.CallWithoutParameters, call.Spec.Span, call.Spec.Name);
                }
                else
                {
                    diagnostics.Add(SpecDiagnostics.CallWithoutSection, call.Spec.Span, call.Spec.Name);
                }
            }
            else if (sets.Count == 0)
            {
                if (declaredSections.ContainsKey(call))
                {
                    diagnostics.Add(SpecDiagnostics.CallWithoutParameters, call.Spec.Span, call.Spec.Name);
                }
                else
                {
                    call.Errors.Add(diagnostics.Add(SpecDiagnostics.CallWithoutRegisters, section.Span, call.Spec.Name));
                }
            }

            Sections[call] = section;
            var raws = new List<RawRegister>();
            var fromNameColumn = false;
            foreach (var set in sets)
            {
                call.Errors.AddRange(set.Errors);
                raws.AddRange(set.Registers);
                fromNameColumn |= set.HasNameColumn;
            }

            NameUniquely(raws, fromNameColumn, call, section?.Text);
        }
    }

    /// <summary>The innermost of <paramref name="ancestors"/> (outermost first) that heads a call's section, or null.</summary>
    private static RecognisedHeading? InnermostSection(IReadOnlyList<RecognisedHeading> ancestors, HashSet<RecognisedHeading> sections)
    {
        for (var i = ancestors.Count - 1; i >= 0; i--)
        {
            if (sections.Contains(ancestors[i]))
            {
                return ancestors[i];
            }
        }

        return null;
    }

    private void ReportMixed(string what, SpecSpan at, CallConvention wanted)
    {
        var line = spec.FrontMatter.Convention is not null || spec.CallTables.Count == 0
            ? spec.Blocks.OfType<FrontMatterBlock>().Select(b => b.Span.Line).DefaultIfEmpty(1).First()
            : spec.CallTables[0].Span.Line;
        diagnostics.Add(SpecDiagnostics.MixedConventions, at, what, Describe(wanted), Describe(Convention), line);
    }

    private static string Describe(CallConvention value) =>
        value == CallConvention.CoconutSyscall ? "the COCONUT-SVSM syscall ABI" : "SVSM protocol calls";

    // "ACCESS_MSR" heads the section of SYS_ACCESS_MSR.
    private static bool SameCall(string listed, string heading) =>
        string.Equals(listed, heading, StringComparison.OrdinalIgnoreCase) || string.Equals(listed, "SYS_" + heading, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Gives the call its registers, named uniquely among the inputs and among the outputs: a repeated Name cell is an
    /// error, a repeated derived name gets a number.
    /// </summary>
    private void NameUniquely(List<RawRegister> registers, bool fromNameColumn, BuiltCall call, string? sectionName)
    {
        var inputs = new Dictionary<string, int>(StringComparer.Ordinal);
        var outputs = new Dictionary<string, int>(StringComparer.Ordinal);
        var callName = sectionName is not null && SpecRecogniser.CallNameOf(sectionName, allowBare: true) is { } named ? named : call.Spec.Name;
        foreach (var raw in registers)
        {
            var isInput = raw.Direction != RegisterDirection.Out;
            var isOutput = raw.Direction != RegisterDirection.In;

            var baseName = raw.ExplicitName is { } explicitName ? NameDeriver.FromNameCell(explicitName) : NameDeriver.IdentifierOf(raw.Description);
            var name = baseName;
            if (Taken(name, isInput, isOutput, inputs, outputs) && fromNameColumn && raw.ExplicitName is not null)
            {
                var line = (isInput && inputs.ContainsKey(name) ? inputs : outputs)[name];
                call.Errors.Add(diagnostics.Add(SpecDiagnostics.DuplicateName, raw.Span, name, callName, line));
            }

            for (var n = 2; Taken(name, isInput, isOutput, inputs, outputs); n++)
            {
                name = baseName + n.ToString(CultureInfo.InvariantCulture);
            }

            if (isInput)
            {
                inputs[name] = raw.Span.Line;
            }

            if (isOutput)
            {
                outputs[name] = raw.Span.Line;
            }

            if (raw.SizeAssumed)
            {
                diagnostics.Add(SpecDiagnostics.RegisterSizeAssumed, raw.Span, raw.Register, call.Spec.Name);
            }

            call.Registers.Add(new BuiltRegister(new RegisterSpec(raw.Register, raw.Direction, raw.Size, raw.Alignment, name, raw.Description, raw.Span, raw.Kind, ReturnedOnError: raw.ReturnedOnError), raw.SizeSpan, raw.RegisterSpan)
            {
                MisalignedNote = raw.Misaligned,
            });
        }
    }

    private static bool Taken(string candidate, bool isInput, bool isOutput, Dictionary<string, int> inputs, Dictionary<string, int> outputs) =>
        (isInput && inputs.ContainsKey(candidate)) || (isOutput && outputs.ContainsKey(candidate));
}
