using AiDevOps.Brain.Alerting.Digests;
using System.Text.Json.Nodes;

namespace AiDevOps.Brain.Alerting.Notifiers.Slack;

/// <summary>
/// A notification as a Slack Block Kit message: a header, the series, since when (or how long it lasted), and when
/// firing the evidence and the summary. Data (labels, evidence, summaries) go into <c>plain_text</c> objects or
/// escaped code spans, so nothing in them is read as a link, a mention or markup.
/// </summary>
public static class SlackMessage
{
    // Slack's limits: a header's text 150 characters, a section's 3000; the top-level text is the notification's.
    private const int MaxHeader = 150;
    private const int MaxSection = 3000;

    public static JsonObject Of(Notification notification)
    {
        var anomaly = notification.Anomaly;
        var firing = notification.Status == NotificationStatus.Firing;
        var incident = notification.Incident;
        var headline = (firing ? "🔴 " : "✅ Resolved: ") + incident.Title;
        var series = incident.Members.Count == 1 ? anomaly.Series.Selector() : incident.Selector;

        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(AlertText.Shorten(headline, MaxHeader)) },
            Section(new JsonObject { ["type"] = "mrkdwn", ["text"] = AlertText.Shorten(CodeSpan(series), MaxSection) }),
            new JsonObject
            {
                ["type"] = "context",
                ["elements"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["type"] = "mrkdwn",
                        ["text"] = firing ? "Since " + AlertText.Time(incident.OpenedAt) : AlertText.Lasted(incident),
                    },
                },
            },
        };
        if (firing && incident.Members.Count > 1)
        {
            var members = string.Join('\n', incident.Firing.Select(m => $"• {AlertText.Title(m)}: {m.Series.Selector()}"));
            blocks.Add(Section(PlainText(AlertText.Shorten(members, MaxSection))));
        }
        if (firing)
        {
            foreach (var text in new[] { anomaly.Evidence, notification.Summary }.Where(t => !string.IsNullOrWhiteSpace(t)))
                blocks.Add(Section(PlainText(AlertText.Shorten(text!.Trim(), MaxSection))));
        }
        return new JsonObject
        {
            // The fallback Slack shows in notifications and where blocks cannot be shown.
            ["text"] = Escape($"{headline}: {series}"),
            ["blocks"] = blocks,
        };
    }

    /// <summary>Sections of one message: Slack takes at most 50 blocks.</summary>
    private const int MaxSections = 20;

    /// <summary>
    /// A tenant's template output (mrkdwn, data already escaped by the template's encoder) in sections of at most
    /// Slack's section length, split at line ends; the fallback text is the built-in one.
    /// </summary>
    public static JsonObject Of(Notification notification, string mrkdwn)
    {
        var firing = notification.Status == NotificationStatus.Firing;
        var incident = notification.Incident;
        var series = incident.Members.Count == 1 ? notification.Anomaly.Series.Selector() : incident.Selector;
        var sections = new List<string> { "" };
        foreach (var line in mrkdwn.Split('\n'))
        {
            var piece = AlertText.Shorten(line, MaxSection);
            if (sections[^1].Length + 1 + piece.Length > MaxSection)
                sections.Add(piece);
            else
                sections[^1] = sections[^1].Length == 0 ? piece : sections[^1] + "\n" + piece;
        }
        var blocks = new JsonArray();
        foreach (var section in sections.Where(s => !string.IsNullOrWhiteSpace(s)).Take(MaxSections))
            blocks.Add(Section(new JsonObject { ["type"] = "mrkdwn", ["text"] = section }));
        return new JsonObject
        {
            ["text"] = Escape($"{(firing ? "🔴 " : "✅ Resolved: ") + incident.Title}: {series}"),
            ["blocks"] = blocks,
        };
    }

    /// <summary>A daily digest: a header and its text, as plain text.</summary>
    public static JsonObject Of(Digest digest) => new()
    {
        ["text"] = Escape(digest.Title),
        ["blocks"] = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(AlertText.Shorten(digest.Title, MaxHeader)) },
            Section(PlainText(AlertText.Shorten(digest.Text(), MaxSection))),
        },
    };

    /// <summary>Slack's mrkdwn reads only these three characters as control characters (links, mentions).</summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);

    // A backtick would end the span early; a look-alike keeps the label readable.
    private static string CodeSpan(string text) => "`" + Escape(text).Replace('`', 'ˋ') + "`";

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    private static JsonObject Section(JsonObject text) => new() { ["type"] = "section", ["text"] = text };
}
