using AiDevOps.Brain.Alerting.Digests;
using AiDevOps.Brain.Alerting.Templates;

namespace AiDevOps.Brain.Alerting.Notifiers.Slack;

/// <summary>
/// Posts alerts to a Slack incoming webhook. The receiver's secret is the webhook URL
/// (<c>https://hooks.slack.com/services/…</c>), which is the credential itself; its address is a label people read,
/// such as the channel's name. Slack answers 429 (with Retry-After) and 5xx for what passes, 400
/// (<c>invalid_payload</c>), 403 and 404 (<c>no_service</c>: the webhook was removed) for what does not.
/// </summary>
public sealed class SlackNotifier(IHttpClientFactory clients, AlertTemplates? templates = null) : INotifier
{
    public const string ChannelName = "slack";

    public string Channel => ChannelName;

    public IReadOnlyDictionary<string, string[]> Validate(string address, string? secret)
    {
        var errors = new Dictionary<string, string[]>();
        if (!JsonPost.IsPostableUrl(secret))
            errors["secret"] = [$"secret must be the Slack incoming webhook URL (https://hooks.slack.com/services/…), an absolute http or https URL of at most {JsonPost.MaxUrlLength} characters."];
        return errors;
    }

    public async Task<NotifyResult> NotifyAsync(Receiver receiver, Notification notification, CancellationToken ct)
    {
        // An incoming webhook cannot edit what it posted: it posts what is news and the resolve.
        if (!notification.IsNews && notification.Kind != NotificationKind.Resolved)
            return NotifyResult.Success;
        if (!JsonPost.IsPostableUrl(receiver.Secret))
            return NotifyResult.Fail("The receiver has no Slack webhook URL: give it one as its secret.");
        var webhook = new Uri(receiver.Secret!);
        var text = templates is null ? null : await templates.SlackTextAsync(notification, ct);
        var message = text is null ? SlackMessage.Of(notification) : SlackMessage.Of(notification, text);
        using var request = JsonPost.Request(webhook, message, secretUrl: true);
        return await JsonPost.SendAsync(clients.CreateClient(JsonPost.ClientName(ChannelName)), request, "Slack", JsonPost.SecretParts(webhook), ct);
    }

    public async Task<NotifyResult?> SendDigestAsync(Receiver receiver, Digest digest, CancellationToken ct)
    {
        if (!JsonPost.IsPostableUrl(receiver.Secret))
            return NotifyResult.Fail("The receiver has no Slack webhook URL: give it one as its secret.");
        var webhook = new Uri(receiver.Secret!);
        using var request = JsonPost.Request(webhook, SlackMessage.Of(digest), secretUrl: true);
        return await JsonPost.SendAsync(clients.CreateClient(JsonPost.ClientName(ChannelName)), request, "Slack", JsonPost.SecretParts(webhook), ct);
    }
}
