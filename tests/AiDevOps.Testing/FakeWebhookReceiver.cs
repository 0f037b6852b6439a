using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiDevOps.Testing;

/// <summary>
/// A loopback receiver of Alertmanager webhooks (any POST path, JSON object bodies): 200 with an empty body, 400 for
/// a body that is not a JSON object, refusals as asked.
/// </summary>
public sealed class FakeWebhookReceiver : IAsyncDisposable
{
    private LoopbackApp _app = null!;

    /// <summary>A URL on this receiver whose path carries a key, as on-call tools hand them out.</summary>
    public Uri Url { get; private set; } = null!;

    public RecordedRequests Requests { get; } = new();

    public static async Task<FakeWebhookReceiver> StartAsync()
    {
        var fake = new FakeWebhookReceiver();
        fake._app = await LoopbackApp.StartAsync(app => app.MapPost("/{**path}", fake.HandleAsync));
        fake.Url = new Uri(fake._app.Address, $"integrations/alertmanager/{Guid.NewGuid():N}/");
        return fake;
    }

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        var (status, reason) = await Requests.RecordAsync(request, body => RecordedRequests.TryParseObject(body, out _) ? (200, null) : (400, "body must be a JSON object"));
        return Results.Text(status == 200 ? "" : reason ?? $"refused with {status}", "text/plain", statusCode: status);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
