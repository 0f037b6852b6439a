namespace AiDevOps.Brain.Alerting.Templates;

/// <summary>
/// A tenant's own wording for one channel, in Liquid: <see cref="Body"/> is the message (Telegram HTML, Slack mrkdwn,
/// the HTML of an e-mail), <see cref="Subject"/> an e-mail's subject line (plain text); each left out keeps the
/// built-in one. Without a template a channel speaks with its built-in formatter.
/// </summary>
public sealed record AlertTemplate(string Channel, string? Body, string? Subject, DateTimeOffset UpdatedAt)
{
    /// <summary>The channels a template can word; the others send structured payloads (PagerDuty, webhooks).</summary>
    public static readonly IReadOnlyList<string> Channels = ["telegram", "slack", "email"];

    /// <summary>Long enough for any message a channel can carry; parsing is linear, but a megabyte of source is no template.</summary>
    public const int MaxSourceLength = 32 * 1024;
}
