using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiDevOps.Testing;

/// <summary>
/// A loopback PagerDuty Events API v2 (<c>POST /v2/enqueue</c>) that checks events as PagerDuty does: a 32-character
/// routing key, an event action, a dedup key of at most 255 characters, and for a trigger a payload with summary,
/// source and a known severity. It answers 202 with the dedup key, 400 <c>invalid event</c> with the errors, and
/// refusals as asked (429 throttled, 5xx).
/// </summary>
public sealed class FakePagerDutyEvents : IAsyncDisposable
{
    private static readonly string[] Actions = ["trigger", "acknowledge", "resolve"];
    private static readonly string[] Severities = ["critical", "error", "warning", "info"];

    private LoopbackApp _app = null!;

    /// <summary>What <c>PagerDuty:ApiBaseUrl</c> is set to.</summary>
    public Uri BaseUrl => _app.Address;

    public RecordedRequests Requests { get; } = new();

    public static async Task<FakePagerDutyEvents> StartAsync()
    {
        var fake = new FakePagerDutyEvents();
        fake._app = await LoopbackApp.StartAsync(app => app.MapPost("/v2/enqueue", fake.HandleAsync));
        return fake;
    }

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        var (status, reason) = await Requests.RecordAsync(request, Judge);
        return status switch
        {
            202 => Results.Json(new JsonObject { ["status"] = "success", ["message"] = "Event processed", ["dedup_key"] = reason }, statusCode: 202),
            400 => Results.Json(new JsonObject
            {
                ["status"] = "invalid event",
                ["message"] = "Event object is invalid",
                ["errors"] = new JsonArray(reason ?? "Invalid event"),
            }, statusCode: 400),
            429 => Results.Json(new JsonObject { ["status"] = "throttle event", ["message"] = "Requests for this service are arriving too quickly. Please retry later." }, statusCode: 429),
            _ => Results.Text("Internal Server Error", "text/plain", statusCode: status),
        };
    }

    /// <summary>202 with the dedup key as the reason, or 400 with what is wrong.</summary>
    private static (int, string?) Judge(string body)
    {
        if (!RecordedRequests.TryParseObject(body, out var e))
            return (400, "Invalid JSON");
        if (Text(e, "routing_key") is not { Length: 32 })
            return (400, "'routing_key' must be a 32 character Integration or ruleset key");
        if (!Actions.Contains(Text(e, "event_action")))
            return (400, "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
        var dedupKey = Text(e, "dedup_key");
        if (dedupKey is { Length: > 255 })
            return (400, "'dedup_key' must be at most 255 characters");
        if (Text(e, "event_action") == "trigger")
        {
            if (!e.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
                return (400, "'payload' is missing or blank");
            if (Text(payload, "summary") is not { Length: > 0 and <= 1024 })
                return (400, "'payload.summary' is missing or blank");
            if (Text(payload, "source") is not { Length: > 0 })
                return (400, "'payload.source' is missing or blank");
            if (!Severities.Contains(Text(payload, "severity")))
                return (400, "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
        }
        else if (dedupKey is null)
        {
            return (400, "'dedup_key' is required for acknowledge and resolve");
        }
        return (202, dedupKey ?? Guid.NewGuid().ToString("N"));
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
