using System.Text;
using AiDevOps.Brain.Anomalies;

namespace AiDevOps.Brain.Alerting.Notifiers.Telegram;

/// <summary>
/// Renders a notification as Telegram HTML. Everything that comes from data (labels, summaries) is escaped, so a
/// label value can never break the markup or inject a link; and a message too long for Telegram is shortened in its
/// text, before escaping, so no cut ever lands inside a tag or an entity and every tag is closed.
/// </summary>
public static class TelegramMessageFormatter
{
    /// <summary>
    /// sendMessage takes "1-4096 characters after entities parsing": the text that is left once the tags are taken
    /// out and the entities decoded (<c>&amp;amp;</c> is one character), counted in UTF-16 code units like every
    /// offset and length of the Bot API's MessageEntity. A UTF-16 count is never below a count of code points, so
    /// the limit holds by either reading. The HTML itself may be longer; beyond the limit Telegram answers 400.
    /// </summary>
    public const int MaxLength = 4096;

    public static string ToHtml(Notification notification)
    {
        var anomaly = notification.Anomaly;
        var series = anomaly.Series.Selector();
        List<Part> parts;
        if (notification.Status == NotificationStatus.Firing)
        {
            parts =
            [
                new("🔴 "), new(AlertText.Title(anomaly), Part.Kept, "b"), new("\n"),
                new(series, Part.Kept, "code"), new("\n"),
                new("Since " + AlertText.Time(anomaly.OpenedAt) + "\n"),
            ];
            if (!string.IsNullOrWhiteSpace(anomaly.Evidence))
                parts.AddRange([new(anomaly.Evidence, Part.Shortened, "i"), new("\n")]);
            if (!string.IsNullOrWhiteSpace(anomaly.Summary))
                parts.AddRange([new("\n"), new(anomaly.Summary.Trim(), Part.Shortened)]);
        }
        else
        {
            parts =
            [
                new("✅ "), new("Resolved: " + AlertText.Title(anomaly), Part.Kept, "b"), new("\n"),
                new(series, Part.Kept, "code"), new("\n"),
                new(AlertText.Lasted(anomaly)),
            ];
        }
        return Render(parts).TrimEnd();
    }

    /// <summary>Telegram's HTML mode knows only these four named entities.</summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\"", "&quot;", StringComparison.Ordinal);

    /// <summary>
    /// A piece of the message: fixed words of the formatter, data that must stay (title, series; shortened only when
    /// they alone overflow), or free text (evidence, summary) that gives way first.
    /// </summary>
    private sealed record Part(string Text, int Priority = Part.Fixed, string? Tag = null)
    {
        public const int Fixed = 0;
        public const int Kept = 1;
        public const int Shortened = 2;
    }

    /// <summary>The room free text keeps even when title and series alone would fill the message (huge label values).</summary>
    private const int FreeTextReserve = MaxLength / 4;

    /// <summary>
    /// The limit is shared out in the text's own units, most important parts first; within a priority the shorter
    /// parts keep all they have and the longer share the rest equally, so one huge summary cannot crowd out the
    /// evidence. Tags wrap whole parts only, so the markup is balanced whatever is cut.
    /// </summary>
    private static string Render(List<Part> parts)
    {
        var texts = parts.Select(p => p.Priority == Part.Fixed ? p.Text : AlertText.Clean(p.Text)).ToArray();
        int Demand(int priority) => texts.Where((_, i) => parts[i].Priority == priority).Sum(t => t.Length);
        var room = MaxLength - Demand(Part.Fixed);
        var reserve = Math.Min(Demand(Part.Shortened), FreeTextReserve);
        Share(Part.Kept, room - reserve);
        Share(Part.Shortened, room);

        void Share(int priority, int budget)
        {
            var members = Enumerable.Range(0, parts.Count).Where(i => parts[i].Priority == priority).OrderBy(i => texts[i].Length).ToList();
            for (var k = 0; k < members.Count; k++)
            {
                var i = members[k];
                texts[i] = AlertText.Shorten(texts[i], Math.Max(0, budget) / (members.Count - k));
                budget -= texts[i].Length;
                room -= texts[i].Length;
            }
        }

        var html = new StringBuilder();
        foreach (var (part, text) in parts.Zip(texts))
        {
            if (part.Tag is null || text.Length == 0)
                html.Append(Escape(text));
            else
                html.Append('<').Append(part.Tag).Append('>').Append(Escape(text)).Append("</").Append(part.Tag).Append('>');
        }
        return html.ToString();
    }
}
