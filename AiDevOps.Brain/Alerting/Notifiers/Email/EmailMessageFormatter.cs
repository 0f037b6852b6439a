using System.Net;
using System.Security.Cryptography;
using System.Text;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Alerting.Templates;
using MimeKit;

namespace AiDevOps.Brain.Alerting.Notifiers.Email;

/// <summary>
/// Renders a notification as an e-mail: a subject that reads in an inbox list ("[FIRING] Target down: up{…}"), a
/// plain-text body and the same as HTML, every data value HTML-escaped there so a label can never add markup or a
/// link. A resolve answers its firing (same thread in mail clients).
/// </summary>
public static class EmailMessageFormatter
{
    /// <summary>Long enough for a title and a selector in any inbox; huge label values would make it unreadable.</summary>
    public const int MaxSubjectLength = 200;

    /// <param name="custom">The tenant's template output; its text part is its HTML's words.</param>
    public static MimeMessage ToMessage(Notification notification, MailboxAddress from, MailboxAddress to, EmailContent? custom = null)
    {
        var message = new MimeMessage { Subject = custom?.Subject ?? Subject(notification) };
        message.From.Add(from);
        message.To.Add(to);
        var domain = from.Domain is { Length: > 0 } d ? d : "aidevops.local";
        var thread = Thread(notification.Incident);
        var firingId = $"{thread}.firing@{domain}";
        if (notification.Kind == NotificationKind.Opened)
        {
            message.MessageId = firingId;
        }
        else
        {
            // Each later mail of the incident has an id of its own (a retry keeps it) and answers the first.
            message.MessageId = $"{thread}.{notification.Kind.ToString().ToLowerInvariant()}-{notification.Incident.Version}@{domain}";
            message.InReplyTo = firingId;
            message.References.Add(firingId);
        }
        message.Headers.Add("X-AiDevOps-Status", notification.Status == NotificationStatus.Firing ? "firing" : "resolved");
        message.Body = (custom?.Html is { } html
            ? new BodyBuilder { TextBody = AlertTemplates.TextOf(html), HtmlBody = html }
            : new BodyBuilder { TextBody = Text(notification), HtmlBody = Html(notification) }).ToMessageBody();
        return message;
    }

    public static string Subject(Notification notification)
    {
        var anomaly = notification.Anomaly;
        var status = notification.Status == NotificationStatus.Firing ? "[FIRING] " : "[RESOLVED] ";
        return AlertText.Shorten(AlertText.Clean(status + notification.Incident.Title + ": " + Where(notification)), MaxSubjectLength);
    }

    public static string Text(Notification notification)
    {
        var anomaly = notification.Anomaly;
        var text = new StringBuilder();
        if (notification.Status == NotificationStatus.Firing)
        {
            text.Append(notification.Incident.Title).Append('\n');
            text.Append(Where(notification)).Append('\n');
            text.Append("Since ").Append(AlertText.Time(notification.Incident.OpenedAt)).Append('\n');
            foreach (var member in Listed(notification))
                text.Append("- ").Append(member).Append('\n');
            if (!string.IsNullOrWhiteSpace(anomaly.Evidence))
                text.Append('\n').Append(anomaly.Evidence.Trim()).Append('\n');
            if (notification.Summary is { } summary && !string.IsNullOrWhiteSpace(summary))
                text.Append('\n').Append(summary.Trim()).Append('\n');
        }
        else
        {
            text.Append("Resolved: ").Append(notification.Incident.Title).Append('\n');
            text.Append(Where(notification)).Append('\n');
            text.Append(AlertText.Lasted(notification.Incident)).Append('\n');
        }
        return AlertText.Clean(text.ToString());
    }

    public static string Html(Notification notification)
    {
        var anomaly = notification.Anomaly;
        var firing = notification.Status == NotificationStatus.Firing;
        var html = new StringBuilder("<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif\">\n");
        html.Append("<h2 style=\"color:").Append(firing ? "#b00020" : "#1b7f3b").Append("\">")
            .Append(firing ? "" : "Resolved: ").Append(Escape(notification.Incident.Title)).Append("</h2>\n");
        html.Append("<p><code>").Append(Escape(Where(notification))).Append("</code></p>\n");
        if (firing)
        {
            html.Append("<p>Since ").Append(Escape(AlertText.Time(notification.Incident.OpenedAt))).Append("</p>\n");
            if (Listed(notification) is { Count: > 0 } members)
                html.Append("<ul>\n").AppendJoin("", members.Select(m => "<li>" + Escape(m) + "</li>\n")).Append("</ul>\n");
            if (!string.IsNullOrWhiteSpace(anomaly.Evidence))
                html.Append("<p><em>").Append(Paragraph(anomaly.Evidence)).Append("</em></p>\n");
            if (notification.Summary is { } summary && !string.IsNullOrWhiteSpace(summary))
                html.Append("<p>").Append(Paragraph(summary)).Append("</p>\n");
        }
        else
        {
            html.Append("<p>").Append(Escape(AlertText.Lasted(notification.Incident))).Append("</p>\n");
        }
        return html.Append("</body></html>\n").ToString();
    }

    /// <summary>Every character that could end a text node or an attribute value is escaped (&amp;, &lt;, &gt;, both quotes).</summary>
    public static string Escape(string text) => WebUtility.HtmlEncode(AlertText.Clean(text));

    private static string Paragraph(string text) => Escape(text.Trim()).ReplaceLineEndings("<br>\n");

    /// <summary>The series of a one-alert incident, else the group's labels.</summary>
    private static string Where(Notification notification) =>
        notification.Incident.Members.Count == 1 ? notification.Anomaly.Series.Selector() : notification.Incident.Selector;

    /// <summary>The firing members of a group, by name; none for a one-alert incident.</summary>
    private static List<string> Listed(Notification notification) => notification.Incident.Members.Count == 1
        ? []
        : [.. notification.Incident.Firing.Select(m => $"{AlertText.Title(m)}: {m.Series.Selector()}")];

    /// <summary>The same for every mail of one incident, and for nothing else.</summary>
    private static string Thread(Incident incident) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(incident.Tenant + "\0" + incident.Id)).AsSpan(0, 16));
}
