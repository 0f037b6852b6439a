using System.Globalization;
using System.Text;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting.Notifiers.Telegram;

/// <summary>
/// Renders a notification as Telegram HTML. Everything that comes from data (labels, summaries) is escaped, so a
/// label value can never break the markup or inject a link.
/// </summary>
public static class TelegramMessageFormatter
{
    /// <summary>Telegram refuses messages longer than 4096 characters.</summary>
    public const int MaxLength = 4096;
    private const int MaxSummaryLength = 3000;

    public static string ToHtml(Notification notification)
    {
        var anomaly = notification.Anomaly;
        var text = new StringBuilder();
        if (notification.Status == NotificationStatus.Firing)
        {
            text.Append("🔴 <b>").Append(Escape(Title(anomaly))).Append("</b>\n");
            text.Append("<code>").Append(Escape(anomaly.Series.Selector())).Append("</code>\n");
            text.Append("Since ").Append(Escape(Time(anomaly.OpenedAt))).Append('\n');
            if (!string.IsNullOrWhiteSpace(anomaly.Evidence))
                text.Append("<i>").Append(Escape(anomaly.Evidence)).Append("</i>\n");
            if (!string.IsNullOrWhiteSpace(anomaly.Summary))
            {
                var summary = anomaly.Summary.Length > MaxSummaryLength ? anomaly.Summary[..MaxSummaryLength] + "…" : anomaly.Summary;
                text.Append('\n').Append(Escape(summary.Trim())).Append('\n');
            }
        }
        else
        {
            text.Append("✅ <b>Resolved: ").Append(Escape(Title(anomaly))).Append("</b>\n");
            text.Append("<code>").Append(Escape(anomaly.Series.Selector())).Append("</code>\n");
            var resolvedAt = anomaly.ResolvedAt ?? anomaly.OpenedAt;
            text.Append("After ").Append(Duration(resolvedAt - anomaly.OpenedAt))
                .Append(" (since ").Append(Escape(Time(anomaly.OpenedAt))).Append(")\n");
        }
        var html = text.ToString().TrimEnd();
        return html.Length <= MaxLength ? html : html[..MaxLength];
    }

    public static string Title(Anomaly anomaly) => anomaly.Kind switch
    {
        AnomalyKinds.TargetDown => "Target down",
        AnomalyKinds.AgentSilent => "Agent silent",
        AnomalyKinds.Unusual => "Unusual " + anomaly.Series.Metric,
        AnomalyKinds.PredictedExhaustion => "Running out: " + anomaly.Series.Metric,
        AnomalyKinds.PrometheusAlert => "Alert " + anomaly.Series.Labels.GetValueOrDefault(WellKnownLabels.AlertName, "?"),
        var kind => "Anomaly: " + kind.Replace('_', ' '),
    };

    /// <summary>Telegram's HTML mode knows only these four entities.</summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\"", "&quot;", StringComparison.Ordinal);

    private static string Time(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan span) => span switch
    {
        { TotalHours: >= 1 } => $"{(int)span.TotalHours}h {span.Minutes}m",
        { TotalMinutes: >= 1 } => $"{span.Minutes}m {span.Seconds}s",
        _ => $"{Math.Max(0, span.Seconds)}s",
    };
}
