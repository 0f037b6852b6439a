using System.Net;
using System.Net.Http.Headers;
using AiDevOps.Contracts;
using AiDevOps.Contracts.RemoteWrite;

namespace AiDevOps.Agent.Delivery;

/// <summary>What became of one delivery attempt.</summary>
public abstract record DeliveryOutcome
{
    public sealed record Delivered(IngestResponse Response) : DeliveryOutcome;

    /// <summary>Worth trying again: the Brain is away, overloaded (429/503, maybe with Retry-After) or failed (5xx).</summary>
    public sealed record Retry(string Reason, TimeSpan? After) : DeliveryOutcome;

    /// <summary>The Brain refused the batch itself (4xx): sending it again would be refused again.</summary>
    public sealed record Rejected(string Reason) : DeliveryOutcome;
}

/// <summary>
/// Talks to the Brain: queued batches to its remote_write endpoint with their batch id, alerts to its Alertmanager
/// endpoint. The agent's key is on the client itself (see the registration).
/// </summary>
public sealed class BrainClient(HttpClient http)
{
    public async Task<DeliveryOutcome> SendAsync(byte[] payload, string batchId, long queuedSamples, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/write") { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(RemoteWriteCodec.ContentType);
        request.Content.Headers.ContentEncoding.Add(RemoteWriteCodec.ContentEncoding);
        request.Headers.Add(RemoteWriteCodec.VersionHeader, RemoteWriteCodec.Version);
        request.Headers.Add(RemoteWriteCodec.BatchIdHeader, batchId);
        request.Headers.Add(AgentHeaders.QueuedSamples, queuedSamples.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using var response = await http.SendAsync(request, ct);
            if (response.IsSuccessStatusCode)
            {
                return new DeliveryOutcome.Delivered(await response.Content.ReadFromJsonAsync(AgentJson.Default.IngestResponse, ct)
                    ?? throw new HttpRequestException("The Brain answered with an empty body."));
            }
            var detail = await response.Content.ReadAsStringAsync(ct);
            var reason = $"{(int)response.StatusCode} {detail[..Math.Min(detail.Length, 300)]}";
            return response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
                or HttpStatusCode.Unauthorized or >= HttpStatusCode.InternalServerError
                // A 401 is retried: a key being rotated must not cost data.
                ? new DeliveryOutcome.Retry(reason, Backoff.RequestedBy(response))
                : new DeliveryOutcome.Rejected(reason);
        }
        catch (HttpRequestException e)
        {
            return new DeliveryOutcome.Retry(e.Message, null);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            return new DeliveryOutcome.Retry("timed out: " + e.Message, null);
        }
    }

    /// <summary>Hands firing alerts to the Brain's Alertmanager-compatible endpoint.</summary>
    public async Task PostAlertsAsync(IReadOnlyList<PostableAlert> alerts, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("api/v2/alerts", alerts, AgentJson.Default.IReadOnlyListPostableAlert, ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"The Brain answered {(int)response.StatusCode} to the alerts", null, response.StatusCode);
    }

    /// <summary>Tells the Brain this agent is stopping on purpose (<c>POST /api/agents/goodbye</c>).</summary>
    public async Task SayGoodbyeAsync(CancellationToken ct)
    {
        using var response = await http.PostAsync("api/agents/goodbye", content: null, ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"The Brain answered {(int)response.StatusCode} to the goodbye", null, response.StatusCode);
    }

}
