using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Alerting.Notifiers.Webhook;

/// <summary>
/// POSTs Alertmanager's webhook JSON to any URL. The receiver's secret is that URL: the endpoints that take
/// Alertmanager's webhooks (on-call tools, chat bridges) mostly carry their key in it, as Slack does, so it is
/// treated as a credential, never shown or logged. <c>user:password@</c> in it is sent as Basic authentication.
/// The address is the receiver's name, sent as <c>receiver</c>. 2xx is delivered; 408, 429 and 5xx are retried.
/// </summary>
public sealed class WebhookNotifier(IHttpClientFactory clients, IOptions<WebhookOptions> options) : INotifier
{
    public const string ChannelName = "webhook";

    public string Channel => ChannelName;

    public IReadOnlyDictionary<string, string[]> Validate(string address, string? secret)
    {
        var errors = new Dictionary<string, string[]>();
        if (!JsonPost.IsPostableUrl(secret))
            errors["secret"] = [$"secret must be the URL the webhook is posted to, an absolute http or https URL of at most {JsonPost.MaxUrlLength} characters (user:password@ in it is sent as Basic authentication)."];
        return errors;
    }

    public async Task<NotifyResult> NotifyAsync(Receiver receiver, Notification notification, CancellationToken ct)
    {
        // Alertmanager has no acknowledgement: its receivers would read one as the group sent again.
        if (notification.Kind == NotificationKind.Acknowledged)
            return NotifyResult.Success;
        if (!JsonPost.IsPostableUrl(receiver.Secret))
            return NotifyResult.Fail("The receiver has no webhook URL: give it one as its secret.");
        var url = new Uri(receiver.Secret!);
        var message = AlertmanagerWebhookMessage.Of(receiver.Address, notification, options.Value.ExternalUrl);
        // HttpClient does not send user info by itself: it becomes the Authorization header and leaves the URL.
        var target = url.UserInfo.Length == 0 ? url : new UriBuilder(url) { UserName = "", Password = "" }.Uri;
        using var request = JsonPost.Request(target, message, secretUrl: true);
        if (url.UserInfo.Length > 0)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(url.UserInfo))));
        return await JsonPost.SendAsync(clients.CreateClient(JsonPost.ClientName(ChannelName)), request, "Webhook", JsonPost.SecretParts(url), ct);
    }
}
