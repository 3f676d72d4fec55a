using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Svsm.Bindings.Spec.Comparing;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Generator;

/// <summary>
/// A shipped baseline listed as an AdditionalFile (<c>ocp.shipped.json</c>), read, and the spec it belongs to
/// (<c>ocp.md</c> beside it). A file that is not a baseline keeps why, to be reported on it.
/// </summary>
internal sealed record ShippedBaselineFile(string Path, string SpecPath, ShippedBaseline? Baseline, string? Problem)
{
    public static bool IsBaseline(AdditionalText text) => text.Path.EndsWith(ShippedBaseline.Suffix, StringComparison.OrdinalIgnoreCase);

    public static ShippedBaselineFile Read(AdditionalText text, CancellationToken cancellationToken)
    {
        var specPath = text.Path.Substring(0, text.Path.Length - ShippedBaseline.Suffix.Length) + ".md";
        var content = text.GetText(cancellationToken)?.ToString();
        if (content is null)
        {
            return new(text.Path, specPath, null, "it cannot be read");
        }

        try
        {
            return new(text.Path, specPath, ShippedBaseline.Parse(content), null);
        }
        catch (JsonTextException exception)
        {
            return new(text.Path, specPath, null, exception.Message);
        }
    }

    public static bool SamePath(string left, string right) =>
        string.Equals(left.Replace('\\', '/'), right.Replace('\\', '/'), StringComparison.Ordinal);
}

/// <summary>A spec's surface, with positions, for comparing with its baseline; null when no baseline pairs with the spec.</summary>
internal sealed record SpecSurface(string Path, ProtocolSurface? Surface, bool Usable);

/// <summary>
/// One spec with its baseline, if it has one, and what comparing them says: each breaking change against the newest
/// shipped version is an error on the spec's line, each additive one an info, each naming where the shipped spec had
/// it; a baseline that cannot be used is an error on the baseline.
/// </summary>
internal sealed record SpecEvolution(SpecSurface Spec, ShippedBaselineFile? Baseline)
{
    public SpecEvolutionReport Check()
    {
        if (Baseline is null)
        {
            return new(Spec.Path, null, EquatableArray<SpecDiagnostic>.Empty, EquatableArray<SpecDiagnostic>.Empty);
        }

        if (Baseline.Baseline?.Newest is not { } shipped)
        {
            var problem = SpecDiagnostics.BaselineUnusable.Create(SpecSpan.None, Baseline.Path, Baseline.Problem ?? "it holds no shipped version");
            return new(Spec.Path, Baseline.Path, EquatableArray<SpecDiagnostic>.Empty, new[] { problem }.ToEquatableArray());
        }

        if (!Spec.Usable || Spec.Surface is null)
        {
            return new(Spec.Path, Baseline.Path, EquatableArray<SpecDiagnostic>.Empty, EquatableArray<SpecDiagnostic>.Empty);
        }

        var name = Baseline.Baseline.Spec.Length > 0 ? Baseline.Baseline.Spec : System.IO.Path.GetFileName(Spec.Path);
        var diagnostics = SpecDiff.Compare(shipped, Spec.Surface).Select(change => change.Diagnostic with
        {
            Message = change.Diagnostic.Message + (change.Was is { } was
                ? string.Format(CultureInfo.InvariantCulture, " (was {0}({1},{2}) in version {3} as shipped)", name, was.Line, was.Column, shipped.Version)
                : string.Format(CultureInfo.InvariantCulture, " (against version {0} as shipped)", shipped.Version)),
        }).ToEquatableArray();
        return new(Spec.Path, Baseline.Path, diagnostics, EquatableArray<SpecDiagnostic>.Empty);
    }
}

/// <summary>What checking a spec against its baseline reports, on the spec and on the baseline.</summary>
internal sealed record SpecEvolutionReport(string SpecPath, string? BaselinePath, EquatableArray<SpecDiagnostic> Diagnostics, EquatableArray<SpecDiagnostic> BaselineDiagnostics);
