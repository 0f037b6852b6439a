using System.Globalization;
using System.Text.RegularExpressions;

namespace AiDevOps.Insights.Summaries;

/// <summary>Text shaping shared by the deterministic summary and the model prompt, so both show the facts alike.</summary>
public static partial class SummaryText
{
    /// <summary>
    /// Free text from the caller (a detector's evidence, an alert's annotations) on one line and at most
    /// <paramref name="maxLength"/> characters; <see langword="null"/> when there is nothing to say.
    /// </summary>
    /// <remarks>Alert annotations are often multi-line templates; a summary is one paragraph.</remarks>
    public static string? OneLine(string? text, int maxLength) =>
        string.IsNullOrWhiteSpace(text) ? null : Truncate(Whitespace().Replace(text.Trim(), " "), maxLength);

    public static string Truncate(string text, int maxLength) =>
        text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength - 1), "…");

    public static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
