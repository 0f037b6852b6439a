using System.Text.RegularExpressions;

namespace AiDevOps.Insights.Incidents;

/// <summary>Makes a model's answer fit the channel by dropping whole sentences from its end, never cutting one.</summary>
public static partial class SentenceFit
{
    /// <summary>
    /// The answer on one line, cut after its last whole sentence that fits <paramref name="maxCharacters"/> (an answer
    /// the model's token limit cut off loses its unfinished sentence too); <see langword="null"/> when not even the
    /// first sentence fits.
    /// </summary>
    public static string? Fit(string? answer, int maxCharacters)
    {
        if (string.IsNullOrWhiteSpace(answer))
            return null;
        var text = Whitespace().Replace(answer.Trim(), " ");
        string? fitted = null;
        foreach (Match end in SentenceEnd().Matches(text))
        {
            var length = end.Index + end.Length;
            if (length > maxCharacters)
                break;
            fitted = text[..length];
        }
        return fitted;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    // A full stop, question or exclamation mark (and a closing quote or bracket) before a space or the end: "0.97"
    // and "db-1.example.com" do not end sentences.
    [GeneratedRegex(@"[.!?][""')\]]?(?=\s|$)")]
    private static partial Regex SentenceEnd();
}
