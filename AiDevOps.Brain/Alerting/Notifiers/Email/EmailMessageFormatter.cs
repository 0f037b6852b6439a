using System.Net;
using System.Security.Cryptography;
using System.Text;
using AiDevOps.Brain.Anomalies;
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

    public static MimeMessage ToMessage(Notification notification, MailboxAddress from, MailboxAddress to)
    {
        var message = new MimeMessage { Subject = Subject(notification) };
        message.From.Add(from);
        message.To.Add(to);
        var domain = from.Domain is { Length: > 0 } d ? d : "aidevops.local";
        var firingId = $"{Thread(notification.Anomaly)}.firing@{domain}";
        if (notification.Status == NotificationStatus.Firing)
        {
            message.MessageId = firingId;
        }
        else
        {
            message.MessageId = $"{Thread(notification.Anomaly)}.resolved@{domain}";
            message.InReplyTo = firingId;
            message.References.Add(firingId);
        }
        message.Headers.Add("X-AiDevOps-Status", notification.Status == NotificationStatus.Firing ? "firing" : "resolved");
        message.Body = new BodyBuilder { TextBody = Text(notification), HtmlBody = Html(notification) }.ToMessageBody();
        return message;
    }

    public static string Subject(Notification notification)
    {
        var anomaly = notification.Anomaly;
        var status = notification.Status == NotificationStatus.Firing ? "[FIRING] " : "[RESOLVED] ";
        return AlertText.Shorten(AlertText.Clean(status + AlertText.Title(anomaly) + ": " + anomaly.Series.Selector()), MaxSubjectLength);
    }

    public static string Text(Notification notification)
    {
        var anomaly = notification.Anomaly;
        var text = new StringBuilder();
        if (notification.Status == NotificationStatus.Firing)
        {
            text.Append(AlertText.Title(anomaly)).Append('\n');
            text.Append(anomaly.Series.Selector()).Append('\n');
            text.Append("Since ").Append(AlertText.Time(anomaly.OpenedAt)).Append('\n');
            if (!string.IsNullOrWhiteSpace(anomaly.Evidence))
                text.Append('\n').Append(anomaly.Evidence.Trim()).Append('\n');
            if (!string.IsNullOrWhiteSpace(anomaly.Summary))
                text.Append('\n').Append(anomaly.Summary.Trim()).Append('\n');
        }
        else
        {
            text.Append("Resolved: ").Append(AlertText.Title(anomaly)).Append('\n');
            text.Append(anomaly.Series.Selector()).Append('\n');
            text.Append(AlertText.Lasted(anomaly)).Append('\n');
        }
        return AlertText.Clean(text.ToString());
    }

    public static string Html(Notification notification)
    {
        var anomaly = notification.Anomaly;
        var firing = notification.Status == NotificationStatus.Firing;
        var html = new StringBuilder("<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif\">\n");
        html.Append("<h2 style=\"color:").Append(firing ? "#b00020" : "#1b7f3b").Append("\">")
            .Append(firing ? "" : "Resolved: ").Append(Escape(AlertText.Title(anomaly))).Append("</h2>\n");
        html.Append("<p><code>").Append(Escape(anomaly.Series.Selector())).Append("</code></p>\n");
        if (firing)
        {
            html.Append("<p>Since ").Append(Escape(AlertText.Time(anomaly.OpenedAt))).Append("</p>\n");
            if (!string.IsNullOrWhiteSpace(anomaly.Evidence))
                html.Append("<p><em>").Append(Paragraph(anomaly.Evidence)).Append("</em></p>\n");
            if (!string.IsNullOrWhiteSpace(anomaly.Summary))
                html.Append("<p>").Append(Paragraph(anomaly.Summary)).Append("</p>\n");
        }
        else
        {
            html.Append("<p>").Append(Escape(AlertText.Lasted(anomaly))).Append("</p>\n");
        }
        return html.Append("</body></html>\n").ToString();
    }

    /// <summary>Every character that could end a text node or an attribute value is escaped (&amp;, &lt;, &gt;, both quotes).</summary>
    public static string Escape(string text) => WebUtility.HtmlEncode(AlertText.Clean(text));

    private static string Paragraph(string text) => Escape(text.Trim()).ReplaceLineEndings("<br>\n");


    /// <summary>The same for the firing and the resolve of one anomaly, and for nothing else.</summary>
    private static string Thread(Anomaly anomaly) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(anomaly.Series.Tenant + "\0" + anomaly.Id)).AsSpan(0, 16));
}
