namespace Svsm.Bindings.Spec.Reading;

/// <summary>
/// Backtick runs as Markdig's code inline parser reads them: a run opens a code span that the next run of the same
/// length closes; a run that no such run follows is literal text.
/// </summary>
internal static class CodeSpans
{
    /// <summary>How many backticks stand from <paramref name="start"/> on.</summary>
    public static int Run(string text, int start, int end)
    {
        var i = start;
        while (i < end && text[i] == '`')
        {
            i++;
        }

        return i - start;
    }

    /// <summary>Where a run of exactly <paramref name="length"/> backticks starts after <paramref name="from"/>, or -1.</summary>
    public static int ClosingRun(string text, int from, int end, int length)
    {
        var i = from;
        while (i < end)
        {
            if (text[i] != '`')
            {
                i++;
                continue;
            }

            var run = Run(text, i, end);
            if (run == length)
            {
                return i;
            }

            i += run;
        }

        return -1;
    }
}
