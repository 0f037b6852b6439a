using System.Text;
using AiDevOps.Brain.Alerting.Incidents;

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

    /// <summary>How many firing members an incident's message lists by name; the rest are counted.</summary>
    public const int MaxListedMembers = 10;

    public static string ToHtml(Notification notification)
    {
        var incident = notification.Incident;
        var lead = notification.Anomaly;
        var single = incident.Members.Count == 1;
        List<Part> parts;
        if (notification.Status == NotificationStatus.Firing)
        {
            parts =
            [
                new(notification.Pages ? "🔴 " : "🟠 "), new(incident.Title, Part.Kept, "b"), new("\n"),
                new(single ? lead.Series.Selector() : incident.Selector, Part.Kept, "code"), new("\n"),
                new("Since " + AlertText.Time(incident.OpenedAt) + "\n"),
            ];
            if (!single)
                parts.AddRange([new(MemberList(incident), Part.Shortened), new("\n")]);
            if (!string.IsNullOrWhiteSpace(lead.Evidence))
                parts.AddRange([new(lead.Evidence, Part.Shortened, "i"), new("\n")]);
            if ((incident.Summary ?? lead.Summary) is { } summary && !string.IsNullOrWhiteSpace(summary))
                parts.AddRange([new("\n"), new(summary.Trim(), Part.Shortened)]);
            if (incident.AcknowledgedBy is { } by)
                parts.AddRange([new("\n\n👤 "), new("Acknowledged by " + by, Part.Kept, "i")]);
            if (incident.SilencedBy is { } silencer && incident.SilencedUntil is { } until)
                parts.AddRange([new("\n\n🔕 "), new($"Silenced until {AlertText.Time(until)} by {silencer}", Part.Kept, "i")]);
        }
        else
        {
            parts =
            [
                new("✅ "), new("Resolved: " + incident.Title, Part.Kept, "b"), new("\n"),
                new(single ? lead.Series.Selector() : incident.Selector, Part.Kept, "code"), new("\n"),
                new(AlertText.Lasted(incident)),
            ];
            if (incident.Summary is { } summary && !string.IsNullOrWhiteSpace(summary))
                parts.AddRange([new("\n\n"), new(summary.Trim(), Part.Shortened)]);
        }
        return Render(parts).TrimEnd();
    }

    /// <summary>The short reply under an incident's message when it resolves: it notifies where an edit cannot.</summary>
    public static string ResolvedReply(Incident incident) =>
        $"✅ Resolved after {AlertText.Duration((incident.ResolvedAt ?? incident.OpenedAt) - incident.OpenedAt)}";

    private static string MemberList(Incident incident)
    {
        var firing = incident.Firing.OrderByDescending(Severity.Pages).ThenBy(m => m.OpenedAt).ToList();
        var lines = firing.Take(MaxListedMembers).Select(m => $"• {AlertText.Title(m)}: {m.Series.Selector()}");
        var more = firing.Count > MaxListedMembers ? $"\n… and {firing.Count - MaxListedMembers} more" : "";
        var resolved = incident.Members.Count - firing.Count;
        return string.Join('\n', lines) + more + (resolved > 0 ? $"\n({resolved} resolved)" : "");
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
