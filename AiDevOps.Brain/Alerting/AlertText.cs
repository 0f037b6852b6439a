using System.Globalization;
using System.Text;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting;

/// <summary>
/// The words every channel uses for an alert (its title, when it started, how long it lasted) and the one way long
/// text is shortened to fit a channel's limit, so a message reads the same on Telegram and in an e-mail.
/// </summary>
public static class AlertText
{
    public const string Ellipsis = "…";

    public static string Title(Anomaly anomaly) => anomaly.Kind switch
    {
        AnomalyKinds.TargetDown => "Target down",
        AnomalyKinds.AgentSilent => "Agent silent",
        AnomalyKinds.Unusual => "Unusual " + anomaly.Series.Metric,
        AnomalyKinds.PredictedExhaustion => "Running out: " + anomaly.Series.Metric,
        AnomalyKinds.PrometheusAlert => "Alert " + anomaly.Series.Labels.GetValueOrDefault(WellKnownLabels.AlertName, "?"),
        var kind => "Anomaly: " + kind.Replace('_', ' '),
    };

    public static string Time(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan span) => span switch
    {
        { TotalHours: >= 1 } => $"{(int)span.TotalHours}h {span.Minutes}m",
        { TotalMinutes: >= 1 } => $"{span.Minutes}m {span.Seconds}s",
        _ => $"{Math.Max(0, span.Seconds)}s",
    };

    /// <summary>How long a resolved incident lasted, in words: "After 1m 35s (since 2026-11-28 10:00:00 UTC)".</summary>
    public static string Lasted(Incident incident) =>
        $"After {Duration((incident.ResolvedAt ?? incident.OpenedAt) - incident.OpenedAt)} (since {Time(incident.OpenedAt)})";

    /// <summary>
    /// <paramref name="text"/> in at most <paramref name="maxLength"/> UTF-16 code units: whole when it fits, else its
    /// beginning with an ellipsis, ended at a sentence or a word when one ends in the last third of the room (ending
    /// earlier would waste more than it reads better), never inside a grapheme, so an emoji or an accented letter
    /// stays whole. Empty when not even the ellipsis fits.
    /// </summary>
    public static string Shorten(string text, int maxLength)
    {
        if (text.Length <= maxLength)
            return text;
        var room = maxLength - Ellipsis.Length;
        if (room < 0)
            return "";

        int cut = 0, word = 0, sentence = 0;
        while (cut < text.Length)
        {
            var next = cut + StringInfo.GetNextTextElementLength(text, cut);
            if (next > room)
                break;
            cut = next;
            if (cut < text.Length && char.IsWhiteSpace(text[cut]))
            {
                word = cut;
                if (text[cut - 1] is '.' or '!' or '?' or ';')
                    sentence = cut;
            }
        }
        var near = cut - cut / 3;
        // A whole sentence ends in its own punctuation; the ellipsis goes after a space, which needs one more unit.
        if (sentence > 0 && sentence >= near && sentence + 1 + Ellipsis.Length <= maxLength)
            return text[..sentence] + " " + Ellipsis;
        var end = word > 0 && word >= near ? word : cut;
        return text[..end].TrimEnd() + Ellipsis;
    }

    /// <summary>
    /// <paramref name="text"/> with every lone surrogate replaced by U+FFFD. A label or summary decoded leniently may
    /// hold one; it is not Unicode, so no channel can carry it (JSON writers and SMTP encoders refuse or mangle it)
    /// and a shortened text could otherwise end in half a character.
    /// </summary>
    public static string Clean(string text)
    {
        var span = text.AsSpan();
        var index = IndexOfLoneSurrogate(span);
        if (index < 0)
            return text;
        var clean = new StringBuilder(text.Length);
        while (index >= 0)
        {
            clean.Append(span[..index]).Append('\uFFFD');
            span = span[(index + 1)..];
            index = IndexOfLoneSurrogate(span);
        }
        return clean.Append(span).ToString();
    }

    private static int IndexOfLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(text[i]))
                return i;
        }
        return -1;
    }
}
