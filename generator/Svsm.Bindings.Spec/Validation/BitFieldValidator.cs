using System.Collections.Generic;
using System.Linq;
using Svsm.Bindings.Spec.Building;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Validation;

/// <summary>Checks a bit table: no bit described twice, none past the width, none left undescribed.</summary>
internal static class BitFieldValidator
{
    public static void Validate(BitFieldSpec bitField, DiagnosticBag diagnostics)
    {
        var ordered = bitField.Bits.OrderBy(b => b.Low).ThenBy(b => b.Span.Start).ToList();
        var owner = bitField.BoundTo is null ? string.Empty : $" (the size of {bitField.BoundTo})";
        var described = new bool[bitField.Width];
        BitSpec? reach = null;
        foreach (var bit in ordered)
        {
            if (reach is not null && bit.Low <= reach.High)
            {
                diagnostics.Add(
                    SpecDiagnostics.BitsOverlap, bit.Span, CellValues.BitRange(bit.Low, bit.High), bit.Name,
                    CellValues.BitRange(reach.Low, reach.High), reach.Name, bitField.Name);
            }

            if (bit.High >= bitField.Width)
            {
                diagnostics.Add(SpecDiagnostics.BitsPastWidth, bit.Span, CellValues.BitRange(bit.Low, bit.High), bit.Name, bitField.Name, bitField.Width, owner);
            }

            for (var i = bit.Low; i <= bit.High && i < bitField.Width; i++)
            {
                described[i] = true;
            }

            if (reach is null || bit.High > reach.High)
            {
                reach = bit;
            }
        }

        var gaps = Gaps(described);
        if (gaps.Count > 0)
        {
            diagnostics.Add(SpecDiagnostics.BitsUndefined, bitField.Span, string.Join(", ", gaps), bitField.Name);
        }
    }

    private static List<string> Gaps(bool[] described)
    {
        var gaps = new List<string>();
        for (var i = 0; i < described.Length; i++)
        {
            if (described[i])
            {
                continue;
            }

            var start = i;
            while (i + 1 < described.Length && !described[i + 1])
            {
                i++;
            }

            gaps.Add(CellValues.BitRange(start, i));
        }

        return gaps;
    }
}
