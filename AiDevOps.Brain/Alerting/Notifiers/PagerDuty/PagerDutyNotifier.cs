using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Alerting.Notifiers.PagerDuty;

/// <summary>
/// Triggers and resolves PagerDuty incidents through the Events API v2 (<c>POST /v2/enqueue</c>). The receiver's
/// secret is the integration's routing key; its address is a label people read, such as the service's name.
/// PagerDuty answers 202 when it took the event, 429 when throttled, 5xx when it failed, 400 for an invalid event.
/// </summary>
public sealed class PagerDutyNotifier(IHttpClientFactory clients, IOptions<PagerDutyOptions> options) : INotifier
{
    public const string ChannelName = "pagerduty";

    /// <summary>An Events API v2 integration key: 32 letters and digits.</summary>
    private const int RoutingKeyLength = 32;

    public string Channel => ChannelName;

    public IReadOnlyDictionary<string, string[]> Validate(string address, string? secret)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IsRoutingKey(secret))
            errors["secret"] = [$"secret must be the integration key (routing key) of a PagerDuty Events API v2 integration: {RoutingKeyLength} letters and digits."];
        return errors;
    }

    public async Task<NotifyResult> NotifyAsync(Receiver receiver, Notification notification, CancellationToken ct)
    {
        if (!IsRoutingKey(receiver.Secret))
            return NotifyResult.Fail("The receiver has no PagerDuty routing key: give it its integration key as its secret.");
        var enqueue = new Uri(new Uri(options.Value.ApiBaseUrl.TrimEnd('/') + "/"), "v2/enqueue");
        using var request = JsonPost.Request(enqueue, PagerDutyEvent.Of(receiver.Secret!, notification), secretUrl: false);
        return await JsonPost.SendAsync(clients.CreateClient(JsonPost.ClientName(ChannelName)), request, "PagerDuty", [receiver.Secret!], ct);
    }

    private static bool IsRoutingKey(string? key) => key is { Length: RoutingKeyLength } && key.All(char.IsAsciiLetterOrDigit);
}
