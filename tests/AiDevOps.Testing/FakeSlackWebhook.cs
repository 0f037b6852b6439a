using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiDevOps.Testing;

/// <summary>
/// A loopback Slack incoming webhook (<c>POST /services/T…/B…/&lt;token&gt;</c>) answering as Slack does: <c>200 ok</c>;
/// 400 <c>invalid_payload</c> (not JSON), <c>no_text</c> (neither text nor blocks) or <c>invalid_blocks</c> (a header
/// over 150 characters); 404 <c>no_service</c> for an unknown webhook; refusals as asked, 429 with Retry-After.
/// </summary>
public sealed class FakeSlackWebhook : IAsyncDisposable
{
    private LoopbackApp _app = null!;
    private readonly string _path = $"/services/T0AIDEVOPS/B0AIDEVOPS/{Guid.NewGuid():N}";

    /// <summary>The webhook's URL: a secret, as Slack's are.</summary>
    public Uri WebhookUrl { get; private set; } = null!;

    public RecordedRequests Requests { get; } = new();

    public static async Task<FakeSlackWebhook> StartAsync()
    {
        var fake = new FakeSlackWebhook();
        fake._app = await LoopbackApp.StartAsync(app => app.MapPost("/services/{team}/{bot}/{token}", fake.HandleAsync));
        fake.WebhookUrl = new Uri(fake._app.Address, fake._path.TrimStart('/'));
        return fake;
    }

    private async Task<IResult> HandleAsync(HttpRequest request, HttpResponse response)
    {
        var (status, reason) = await Requests.RecordAsync(request, body => request.Path == _path ? Judge(body) : (404, "no_service"));
        if (status == 429)
            response.Headers.RetryAfter = "1";
        return Results.Text(status == 200 ? "ok" : reason ?? Reason(status), "text/plain", statusCode: status);
    }

    private static (int, string?) Judge(string body)
    {
        if (!RecordedRequests.TryParseObject(body, out var message))
            return (400, "invalid_payload");
        var hasText = message.TryGetProperty("text", out var text) && text.GetString() is { Length: > 0 };
        var hasBlocks = message.TryGetProperty("blocks", out var blocks) && blocks.ValueKind == JsonValueKind.Array && blocks.GetArrayLength() > 0;
        if (!hasText && !hasBlocks)
            return (400, "no_text");
        if (hasBlocks && blocks.EnumerateArray().Any(b => b.GetProperty("type").GetString() == "header" && b.GetProperty("text").GetProperty("text").GetString()!.Length > 150))
            return (400, "invalid_blocks");
        return (200, null);
    }

    private static string Reason(int status) => status switch
    {
        400 => "invalid_payload",
        403 => "action_prohibited",
        404 => "no_service",
        410 => "channel_is_archived",
        429 => "rate_limited",
        _ => "internal_error",
    };

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
